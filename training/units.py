"""What the model is trained and selected on: passages as the auditor will see them.

Three sources, all from the written corpus:
- every labelled passage as written (standalone, and each span of a page on its own);
- every page cut by the auditor's own segmenter (headings joined to their section), each piece
  labelled by the guide's precedence over the gold spans it covers;
- augmentation that breaks layout cues: a standalone passage with a neutral heading or line from a
  page of the same split put before or after it (``augment_rate`` of them, seeded).

Challenge pages are cut the same way for selection, so thresholds are fitted on the passages the
auditor actually classifies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from classifier.labels import LABEL2ID, LABELS
from classifier.normalize import normalize_text
from classifier.segment import segment
from training.data import derive_verdict

_PRECEDENCE = ("advertises_cashout", "presents_withdrawal_legitimate", "accurate", "neutral")


@dataclass(frozen=True)
class Units:
    texts: list[str]  # normalized
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)


def precedence(labels: set[str]) -> str:
    return next(label for label in _PRECEDENCE if label in labels)


def page_segments(page: dict, by_id: dict[str, dict], max_chars: int = 300) -> list[tuple[str, str]]:
    """(raw text, label) of each passage the segmenter cuts from a page, labelled by precedence."""
    text = page["text"]
    spans = [(s["start"], s["end"], by_id[s["passage_id"]]["label"]) for s in page["passages"]]
    out = []
    for seg in segment(text, max_chars):
        covered = {label for start, end, label in spans if start < seg.end and end > seg.start}
        out.append((text[seg.start : seg.end], precedence(covered or {"neutral"})))
    return out


def build_units(
    passages: list[dict], articles: list[dict], splits: set[str], augment_rate: float = 0.0, seed: int = 13
) -> Units:
    rng = random.Random(seed)
    by_id = {r["id"]: r for r in passages}
    chosen = [r for r in passages if r["split"] in splits]
    rows: list[tuple[str, str]] = [(r["text"], r["label"]) for r in chosen]
    pages = [a for a in articles if a["split"] in splits]
    for page in pages:
        rows.extend(page_segments(page, by_id))
    if augment_rate > 0:
        fillers = [r["text"] for r in chosen if r["article_id"] and r["label"] == "neutral" and len(r["text"]) <= 40]
        standalone = [r for r in chosen if r["article_id"] is None]
        for r in rng.sample(standalone, int(len(standalone) * augment_rate)) if fillers else []:
            filler = rng.choice(fillers)
            text = f"{filler}\n{r['text']}" if rng.random() < 0.7 else f"{r['text']}\n{filler}"
            rows.append((text, r["label"]))
    seen: set[str] = set()
    texts, labels = [], []
    for raw, label in rows:
        norm = normalize_text(raw)
        if norm.strip() and norm not in seen:
            seen.add(norm)
            texts.append(norm)
            labels.append(LABEL2ID[label])
    return Units(texts, np.array(labels, dtype=np.int64))


def gold_passages(passages: list[dict], splits: set[str]) -> Units:
    """Every labelled passage of the given splits, as written (the passage-level benchmark)."""
    chosen = [r for r in passages if r["split"] in splits]
    return Units([normalize_text(r["text"]) for r in chosen], np.array([LABEL2ID[r["label"]] for r in chosen]))


def label_names(ids: np.ndarray) -> list[str]:
    return [LABELS[i] for i in ids]


def challenge_documents(ch_passages: list[dict], ch_pages: list[dict], split: str):
    """Challenge documents of one split for page-level fitting: each page as the auditor cuts it,
    and each standalone passage as a one-passage document. Returns (texts per document, verdicts)."""
    by_id = {r["id"]: r for r in ch_passages}
    docs, verdicts = [], []
    for page in ch_pages:
        if page["split"] == split:
            docs.append([normalize_text(t) for t, _ in page_segments(page, by_id)])
            verdicts.append(page["verdict"])
    for r in ch_passages:
        if r["split"] == split and r["article_id"] is None:
            docs.append([normalize_text(r["text"])])
            verdicts.append(derive_verdict({r["label"]}))
    return docs, verdicts
