"""Passage decisions and the article verdict, from calibrated probabilities and thresholds."""

from __future__ import annotations

import numpy as np

from classifier.labels import FLAG_LABELS, LABEL2ID, LABELS

_FLAG_IDS = [LABEL2ID[label] for label in FLAG_LABELS]
_OTHER_IDS = [i for i in range(len(LABELS)) if i not in _FLAG_IDS]


def decide_labels(probs: np.ndarray, review_threshold: float) -> np.ndarray:
    """Arg-max labels, except that a flag scored below ``review_threshold`` is not raised:
    the passage takes its most probable non-flag label instead."""
    pred = probs.argmax(-1)
    top = probs[np.arange(len(pred)), pred]
    weak = np.isin(pred, _FLAG_IDS) & (top < review_threshold)
    if weak.any():
        fallback = np.array(_OTHER_IDS)[probs[:, _OTHER_IDS].argmax(-1)]
        pred = np.where(weak, fallback, pred)
    return pred


def article_verdict(labels: list[str], scores: list[float], block_threshold: float) -> tuple[str, str, float]:
    """(verdict, suggestion, confidence) by the labeling guide's rules.

    ``scores`` holds each passage's probability of its own label. An article with an ad is a
    cashout_ad; else one with a withdrawal claim is misleading; either is blocked when its
    strongest flag reaches ``block_threshold`` and sent to review otherwise.
    """
    for flag, verdict in (("advertises_cashout", "cashout_ad"), ("presents_withdrawal_legitimate", "misleading")):
        flagged = [s for label, s in zip(labels, scores, strict=True) if label == flag]
        if flagged:
            confidence = max(flagged)
            return verdict, "block" if confidence >= block_threshold else "review", confidence
    accurate = [s for label, s in zip(labels, scores, strict=True) if label == "accurate"]
    if accurate:
        return "accurate", "pass", max(accurate)
    neutral = [s for label, s in zip(labels, scores, strict=True) if label == "neutral"]
    return "unrelated", "pass", min(neutral) if neutral else 1.0
