"""Diversity of a set of passages, measured the same way by the validator and the datasheet.

- length bands (characters);
- distinct character 5-grams per 1,000 characters;
- the share of passages that contain one of the 200 most frequent character 10-grams;
- the largest number of passages sharing one 15-character run.

Statute quotations are left out of the n-gram measures: a quoted article is meant to be repeated
word for word, and so is a law's title in 《》 (《医疗保障基金使用监督管理条例》 is 16 characters).
"""

from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_SPACE = re.compile(r"\s+")
_TITLE = re.compile(r"《[^》]{1,40}》")
STATUTES = Path(__file__).resolve().parent.parent / "classifier" / "data" / "statutes.json"
LENGTH_BANDS = (
    (0, 60, "1-60"),
    (61, 100, "61-100"),
    (101, 200, "101-200"),
    (201, 500, "201-500"),
    (501, 10**9, ">500"),
)


@dataclass(frozen=True)
class Diversity:
    n: int
    bands: dict[str, int]
    share_over_100: float
    share_over_200: float
    distinct_5grams_per_1000_chars: float
    top_10grams: list[tuple[str, int]]
    top_10gram_passage_share: float
    max_run_passages: int
    max_run: str


@lru_cache(maxsize=2)
def _statute_runs(n: int = 15) -> frozenset[str]:
    """Every n-character run inside a statute text (whitespace removed, as in passages)."""
    provisions = json.loads(STATUTES.read_text(encoding="utf-8"))["provisions"].values()
    runs = set()
    for p in provisions:
        text = _SPACE.sub("", p["text"])
        runs.update(text[i : i + n] for i in range(len(text) - n + 1))
    return frozenset(runs)


def _pieces(text: str) -> list[str]:
    """The text without whitespace, cut where a law title or a statute quotation stood, so that
    no n-gram spans a quotation or its edge."""
    text = _SPACE.sub("", text)
    covered = [False] * len(text)
    for m in _TITLE.finditer(text):
        covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    statute = _statute_runs(15)
    for i in range(len(text) - 14):
        if text[i : i + 15] in statute:
            covered[i : i + 15] = [True] * 15
    pieces, current = [], []
    for ch, cov in zip(text, covered, strict=True):
        if cov:
            if current:
                pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    if current:
        pieces.append("".join(current))
    return pieces


def _grams(text: str, n: int) -> set[str]:
    return {p[i : i + n] for p in _pieces(text) for i in range(len(p) - n + 1)}


def measure(texts: list[str], top_k: int = 200) -> Diversity:
    lengths = [len(_SPACE.sub("", t)) for t in texts]
    n = len(texts)
    bands = {name: sum(lo <= x <= hi for x in lengths) for lo, hi, name in LENGTH_BANDS}
    chars = sum(lengths)
    five = set()
    for t in texts:
        five.update(_grams(t, 5))
    tens = [_grams(t, 10) for t in texts]
    ten = collections.Counter(g for grams in tens for g in grams)
    top = ten.most_common(top_k)
    top_set = {g for g, _ in top}
    covered = sum(bool(grams & top_set) for grams in tens)
    runs = collections.Counter(g for t in texts for g in _grams(t, 15))
    max_run, max_count = max(runs.items(), key=lambda kv: kv[1], default=("", 0))
    return Diversity(
        n=n,
        bands=bands,
        share_over_100=sum(x > 100 for x in lengths) / max(1, n),
        share_over_200=sum(x > 200 for x in lengths) / max(1, n),
        distinct_5grams_per_1000_chars=1000 * len(five) / max(1, chars),
        top_10grams=top,
        top_10gram_passage_share=covered / max(1, n),
        max_run_passages=max_count,
        max_run=max_run,
    )


def shared_runs(texts: list[str], limit: int) -> list[tuple[str, int]]:
    """15-character runs (outside statute quotations) found in more than ``limit`` passages."""
    runs = collections.Counter(g for t in texts for g in _grams(t, 15))
    return sorted(((r, c) for r, c in runs.items() if c > limit), key=lambda rc: -rc[1])


def runs_of(text: str) -> set[str]:
    """The 15-character runs of a text that the repetition limit counts."""
    return _grams(text, 15)
