"""Evidence: the words of a flagged passage that carried its flag.

Two methods, both over jieba words (domain dictionary included):

- ``linear`` (models with linear members, the shipped one): the exact decomposition of the linear
  members' part of the flag's log-odds. For a softmax over blended logits the gradient of
  log(p / (1 - p)) for the flag with respect to a member's feature is
  (w / T) * (W[flag] - sum_{j != flag} q_j W[j]), q the other labels' probabilities renormalized;
  each feature's value times that is split over its occurrences and characters
  (``HashedLinear.char_attribution``), and a word scores the sum over its characters. No extra
  model call, so evidence costs about a millisecond per passage. The transformer's share of the
  blend (its weight is in ``Auditor.info()``) is not attributed.
- ``occlusion`` (models without linear members): each word's characters are replaced by the mask
  token and the passage re-scored in one batched call; a word scores the drop in the flag's
  probability.

The words scoring the most (at least ``min_weight``) are the evidence.
"""

from __future__ import annotations

import re

import numpy as np

from classifier.normalize import NormalizedText
from classifier.schemas import Evidence
from classifier.words import word_spans

_CONTENT = re.compile(r"[\w\u3400-\u9fff]")
# Pronouns, particles and degree adverbs: they can carry weight in a model, but a moderator
# learns nothing from seeing them highlighted.
FUNCTION_WORDS = frozenset(
    [
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "大家",
        "的",
        "地",
        "得",
        "了",
        "着",
        "过",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嘛",
        "都",
        "就",
        "也",
        "还",
        "又",
        "才",
        "很",
        "太",
        "更",
        "最",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "但",
        "而",
        "就行",
        "就是",
        "很多",
        "一些",
        "什么",
        "怎么",
    ]
)


def candidate_words(text: str, max_words: int) -> list[tuple[int, int]]:
    words = [(s, e) for w, s, e in word_spans(text) if _CONTENT.search(w) and w not in FUNCTION_WORDS]
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
    """The ``top_k`` words that scored the most for the flag, as offsets into the original article
    (``offset`` is where this passage starts in it)."""
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


def linear_evidence(
    members: dict,
    member_weights: dict[str, float],
    temperature: float,
    items: list[tuple[NormalizedText, int, np.ndarray, int]],
    top_k: int,
    max_words: int,
    min_weight: float,
) -> list[list[Evidence]]:
    """Evidence for flagged passages from the linear members' exact attribution.

    ``items`` holds (normalized passage, label index, its probability row, offset in the article).
    """
    if top_k == 0 or not items:
        return [[] for _ in items]
    out: list[list[Evidence]] = []
    for norm, idx, probs, offset in items:
        text = norm.text
        if not text:
            out.append([])
            continue
        # Gradient of the flag's log-odds, log p / (1 - p), with respect to the logits: the flag
        # minus the other labels' renormalized probabilities. Unlike log p it does not vanish
        # when the flag is saturated (p near 1), so a sure ad still shows its words.
        others = np.asarray(probs, dtype=np.float64).copy()
        others[idx] = 0.0
        total = others.sum()
        toward = -(others / total) if total > 0 else np.full_like(others, -1.0 / max(len(others) - 1, 1))
        toward[idx] = 1.0
        chars = np.zeros(len(text))
        for kind, member in members.items():
            weight = member_weights.get(kind, 0.0)
            if weight > 0:
                chars += member.char_attribution(text, toward * weight / temperature)
        words = candidate_words(text, max_words)
        scores = np.array([chars[s:e].sum() for s, e in words])
        out.append(evidence_from_drops(words, scores, norm, offset, top_k, min_weight))
    return out


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
