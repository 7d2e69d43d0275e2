"""Chinese word segmentation (jieba) with the project's domain dictionary.

Used by the word member and the claim head (features), by evidence (word boundaries) and by
whole-word masking in pretraining, so all see the same word boundaries. Inside
``shared_segmentation()`` each distinct text is segmented once: one audit segments a flagged
passage for the word member, the claim head and its evidence, and jieba is the slowest step of
the linear members. The memo lives for that block only, so nothing is kept between calls.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

USER_DICT = Path(__file__).resolve().parent / "data" / "userdict.txt"

WordSpans = tuple[tuple[str, int, int], ...]
_memo: ContextVar[dict[str, WordSpans] | None] = ContextVar("word_spans_memo", default=None)


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


@contextmanager
def shared_segmentation() -> Iterator[None]:
    """Within the block, segment each distinct text once (nested blocks share the outer memo)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def word_spans(text: str) -> WordSpans:
    """Words of ``text`` as (word, start, end), covering the text without gaps."""
    memo = _memo.get()
    if memo is None:
        return _segment(text)
    spans = memo.get(text)
    if spans is None:
        spans = memo[text] = _segment(text)
    return spans
