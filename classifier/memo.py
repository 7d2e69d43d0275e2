"""Work shared within one `Auditor` call, and only within it.

One audit segments a flagged passage with jieba three times over: for the word member, the claim
head and its evidence. Inside ``per_call()`` such a result is computed once per distinct key; the
memo is dropped when the block ends, so nothing is kept between calls and a result never depends
on an earlier request. Outside a block nothing is memoized.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_memo: ContextVar[dict[tuple[str, str], Any] | None] = ContextVar("per_call_memo", default=None)


@contextmanager
def per_call() -> Iterator[None]:
    """Share per-text work within the block (a nested block shares the outer one's memo)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(namespace: str, key: str, compute: Callable[[str], T]) -> T:
    """``compute(key)``, computed once per ``(namespace, key)`` within a ``per_call()`` block."""
    memo = _memo.get()
    if memo is None:
        return compute(key)
    if (namespace, key) not in memo:
        memo[namespace, key] = compute(key)
    return memo[namespace, key]
