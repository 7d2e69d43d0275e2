"""Chinese word segmentation (jieba) with the project's domain dictionary.

Used by the word member and the claim head (features), by evidence (word boundaries) and by
whole-word masking in pretraining, so all see the same word boundaries. Inside
``classifier.memo.per_call()`` each distinct text is segmented once per call. (Sharing the hashed
count rows of the members and the claim head the same way was measured and not kept: splitting and
restacking sparse rows cost 3-8 ms more process CPU per 2,000-character audit than it saved.)
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from classifier.memo import once

USER_DICT = Path(__file__).resolve().parent / "data" / "userdict.txt"

WordSpans = tuple[tuple[str, int, int], ...]


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    with open(USER_DICT, "rb") as userdict:  # jieba leaves a file it opens itself unclosed
        tok.load_userdict(userdict)
    return tok


def _segment(text: str) -> WordSpans:
    return tuple((w, s, e) for w, s, e in _tokenizer().tokenize(text))


def word_spans(text: str) -> WordSpans:
    """Words of ``text`` as (word, start, end), covering the text without gaps."""
    return once("words", text, _segment)
