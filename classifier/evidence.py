"""Evidence by occlusion: how much a flag's probability drops when one word is masked.

Words come from jieba with the domain dictionary; each word's characters are replaced by the
model's mask token and the passage is re-scored. The words whose masking costs the flag the most
are the evidence. This measures what the model used, which a keyword list cannot.
"""

from __future__ import annotations

import re

import numpy as np

from classifier.normalize import NormalizedText
from classifier.schemas import Evidence
from classifier.words import word_spans

_CONTENT = re.compile(r"[\w\u3400-\u9fff]")


def candidate_words(text: str, max_words: int) -> list[tuple[int, int]]:
    words = [(s, e) for w, s, e in word_spans(text) if _CONTENT.search(w)]
    if len(words) > max_words:
        # Keep the longest words: single characters rarely carry a claim on their own.
        keep = sorted(sorted(words, key=lambda se: -(se[1] - se[0]))[:max_words])
        words = keep
    return words


def occlusion_variants(text: str, words: list[tuple[int, int]], mask_token: str) -> list[str]:
    return [text[:s] + mask_token * (e - s) + text[e:] for s, e in words]


def evidence_from_drops(
    words: list[tuple[int, int]], drops: np.ndarray, norm: NormalizedText, offset: int, top_k: int, min_weight: float
) -> list[Evidence]:
    """The ``top_k`` words whose masking cost the flag the most, as offsets into the original
    article (``offset`` is where this passage starts in it)."""
    out: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for i in np.argsort(-drops):
        if len(out) == top_k or drops[i] < min_weight:
            break
        s, e = norm.to_original(*words[i])
        # Two normalized words can map back to one original span (a handle like "V" becomes 微信).
        if (s, e) in seen:
            continue
        seen.add((s, e))
        out.append(
            Evidence(start=offset + s, end=offset + e, text=norm.original[s:e], weight=round(float(drops[i]), 4))
        )
    return sorted(out, key=lambda ev: ev.start)


def batched_occlusion(
    predict_proba,
    mask_token: str,
    items: list[tuple[NormalizedText, int, float, int]],
    top_k: int,
    max_words: int,
    min_weight: float,
) -> list[list[Evidence]]:
    """Evidence for many flagged passages with one model call over all their occluded variants.

    ``items`` holds (normalized passage, label index, its probability, offset in the article).
    """
    if top_k == 0 or not items:
        return [[] for _ in items]
    words = [candidate_words(norm.text, max_words) if norm.text else [] for norm, *_ in items]
    variants = [
        v for (norm, *_), ws in zip(items, words, strict=True) for v in occlusion_variants(norm.text, ws, mask_token)
    ]
    probs = predict_proba(variants) if variants else np.zeros((0, 0))
    out, cursor = [], 0
    for (norm, idx, base, offset), ws in zip(items, words, strict=True):
        drops = base - probs[cursor : cursor + len(ws), idx] if ws else np.zeros(0)
        cursor += len(ws)
        out.append(evidence_from_drops(ws, drops, norm, offset, top_k, min_weight))
    return out
