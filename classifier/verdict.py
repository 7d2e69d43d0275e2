"""Passage decisions and the article verdict, from calibrated probabilities and thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Thresholds:
    """Every threshold the decision uses, fitted together on challenge-dev by training.

    review: a flag scored below it is not raised (the passage takes its best other label).
    page: per flag label, the score a flagged passage needs for the page to get that verdict.
        A page whose flags all fall short keeps its non-flag verdict and is sent to review.
    block: the score at which a flagged page is blocked rather than sent to review.
    """

    review: float
    block: float
    page: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in (("review", self.review), ("block", self.block), *self.page.items()):
            if not 0 <= value <= 1:
                raise ValueError(f"threshold {name} = {value} is outside [0, 1]")
        if self.review > self.block:
            raise ValueError(f"review threshold {self.review} exceeds block threshold {self.block}")
        unknown = set(self.page) - set(FLAG_LABELS)
        if unknown:
            raise ValueError(f"page thresholds for labels that are not flags: {sorted(unknown)}")

    def page_threshold(self, label: str) -> float:
        return max(self.review, self.page.get(label, self.review))


def article_verdict(labels: list[str], scores: list[float], thresholds: Thresholds) -> tuple[str, str, float]:
    """(verdict, suggestion, confidence) for a page, by the labeling guide's precedence.

    ``labels`` are the passages' decided labels and ``scores`` each passage's probability of its
    own label. An ad makes the page a cashout_ad, else a withdrawal claim makes it misleading,
    when the strongest such passage reaches the page threshold for that label; the page is then
    blocked at ``thresholds.block`` and sent to review below it. Flags too weak for the page
    verdict do not vanish: the page keeps its other verdict and goes to review.
    """
    weak_flag = False
    for flag, verdict in (("advertises_cashout", "cashout_ad"), ("presents_withdrawal_legitimate", "misleading")):
        flagged = [s for label, s in zip(labels, scores, strict=True) if label == flag]
        if flagged:
            confidence = max(flagged)
            if confidence >= thresholds.page_threshold(flag):
                return verdict, "block" if confidence >= thresholds.block else "review", confidence
            weak_flag = True
    suggestion = "review" if weak_flag else "pass"
    accurate = [s for label, s in zip(labels, scores, strict=True) if label == "accurate"]
    if accurate:
        return "accurate", suggestion, max(accurate)
    neutral = [s for label, s in zip(labels, scores, strict=True) if label == "neutral"]
    return "unrelated", suggestion, min(neutral) if neutral else 1.0
