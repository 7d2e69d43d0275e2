"""Chinese word segmentation (jieba) with the project's domain dictionary.

Used for occlusion evidence at serving time and for whole-word masking in pretraining, so both
see the same word boundaries.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

USER_DICT = Path(__file__).resolve().parent / "data" / "userdict.txt"


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    with open(USER_DICT, "rb") as userdict:  # jieba leaves a file it opens itself unclosed
        tok.load_userdict(userdict)
    return tok


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` as (word, start, end), covering the text without gaps."""
    return [(w, s, e) for w, s, e in _tokenizer().tokenize(text)]
