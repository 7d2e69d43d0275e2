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


def occlusion_evidence(
    predict_proba,
    mask_token: str,
    norm: NormalizedText,
    label_index: int,
    base_probability: float,
    offset: int,
    top_k: int,
    max_words: int,
    min_weight: float,
) -> list[Evidence]:
    """Top words for the label at ``label_index``; offsets are into the original article text
    (``offset`` is where this passage starts in it)."""
    if top_k == 0 or not norm.text:
        return []
    words = candidate_words(norm.text, max_words)
    if not words:
        return []
    probs = predict_proba(occlusion_variants(norm.text, words, mask_token))
    drops = base_probability - probs[:, label_index]
    order = np.argsort(-drops)
    out: list[Evidence] = []
    for i in order[:top_k]:
        if drops[i] < min_weight:
            break
        s, e = norm.to_original(*words[i])
        out.append(
            Evidence(start=offset + s, end=offset + e, text=norm.original[s:e], weight=round(float(drops[i]), 4))
        )
    return sorted(out, key=lambda ev: ev.start)
