"""Keep a long-running process's memory from creeping: hand glibc's free heap pages back.

Tensors of ever-changing shapes (a batch's length varies with its passages) leave glibc's heap
fragmented: freed blocks stay mapped, and the resident size of a busy service only grows (40% per
load-test phase in benchmarks/README.md). ``malloc_trim(0)`` returns the free pages to the system.
It is not free (a few milliseconds to tens of milliseconds, timed by hand after a hundred calls),
so it runs every ``every`` calls, not after each.
Measured (`python -m benchmarks.memory`, benchmarks/README.md): 1,600 calls from two threads took
RSS from 550 to 1,469 MB, still rising, without it, and held it at 684-716 MB with a trim every
200 calls. Fixing glibc's mmap threshold instead held memory flat too, but made `audit` about 40%
slower in a scratch probe (benchmarks/README.md).

The service also trims when its last in-flight request finishes (`release_pending`), so memory a
burst leaves free goes back when the burst ends, not at the next N-th call.

Only long-running entry points use this (the service's inference engine, batch runs); a library
should not change the process's allocator behind its caller's back.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        log.warning("not glibc: free heap memory is not handed back, so RSS may creep under long load")
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; False where the C library is not glibc (logged once)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class PeriodicTrim:
    """Wraps model calls so that after every ``every`` of them `release_free_memory` runs (0: never);
    `release_pending` trims at an idle moment if any call ran since the last trim. Safe from
    several threads."""

    def __init__(self, every: int) -> None:
        if every < 0:
            raise ValueError(f"every must be >= 0, got {every}")
        self.every = every
        self.trims = 0
        self._pending = 0  # model calls since the last trim
        self._lock = threading.Lock()

    def wrap(self, fn: Callable[P, R]) -> Callable[P, R]:
        if not self.every:
            return fn

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self._pending += 1
                    due = self._pending >= self.every
                    if due:
                        self._pending = 0
                if due:
                    self._release()

        return call

    def release_pending(self) -> bool:
        """Trim now if a model call ran since the last trim (for when the process falls idle)."""
        with self._lock:
            due, self._pending = self._pending > 0, 0
        return due and self._release()

    def _release(self) -> bool:
        released = release_free_memory()
        if released:
            with self._lock:
                self.trims += 1
        return released
