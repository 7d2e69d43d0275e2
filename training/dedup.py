"""Exact near-duplicate search by character 5-gram Jaccard, with prefix filtering.

Prefix filtering: under any fixed global order of shingles, two sets with Jaccard >= t must
share a shingle among the first |A| - ceil(t*|A|) + 1 of each. Indexing only those prefixes
keeps the search exact while comparing far fewer pairs than all of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")


def shingles(text: str, n: int = 5) -> frozenset[str]:
    text = _SPACE.sub("", text)
    if len(text) <= n:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + n] for i in range(len(text) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class NearDuplicateIndex:
    def __init__(self, threshold: float, n: int = 5) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold
        self.n = n
        self.sets: list[frozenset[str]] = []
        self.postings: dict[str, list[int]] = {}

    def _prefix(self, s: frozenset[str]) -> list[str]:
        ordered = sorted(s)  # lexicographic order is a fixed global order
        keep = len(ordered) - math.ceil(self.threshold * len(ordered)) + 1
        return ordered[: max(1, keep)]

    def matches(self, text: str) -> list[tuple[int, float]]:
        """Indices of stored texts with Jaccard >= threshold, and their scores."""
        s = shingles(text, self.n)
        seen: set[int] = set()
        hits = []
        for g in self._prefix(s):
            for idx in self.postings.get(g, ()):
                if idx in seen:
                    continue
                seen.add(idx)
                other = self.sets[idx]
                small, big = sorted((len(s), len(other)))
                if big and small / big < self.threshold:
                    continue
                score = jaccard(s, other)
                if score >= self.threshold:
                    hits.append((idx, score))
        return hits

    def add(self, text: str) -> int:
        s = shingles(text, self.n)
        idx = len(self.sets)
        self.sets.append(s)
        for g in self._prefix(s):
            self.postings.setdefault(g, []).append(idx)
        return idx

    def add_if_new(self, text: str) -> bool:
        if self.matches(text):
            return False
        self.add(text)
        return True


def near_duplicate_pairs(texts: Iterable[str], threshold: float = 0.7) -> list[tuple[int, int, float]]:
    index = NearDuplicateIndex(threshold)
    pairs = []
    for i, text in enumerate(texts):
        pairs.extend((j, i, score) for j, score in index.matches(text))
        index.add(text)
    return pairs
