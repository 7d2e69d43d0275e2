"""What the Auditor needs from a model, as a ``Protocol``.

``PassageModel`` (classifier/model.py) implements it; so can a test fake or a user's own scorer,
without subclassing a class whose ``__init__`` loads weights. Two attributes are optional and read
with ``getattr``: ``linear`` (the ensemble's linear members, for linear evidence) and
``claim_head`` (learned claim kinds; without it the auditor uses the rule layer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from classifier.model import ModelInfo


class MaskTokenizer(Protocol):
    """Occlusion evidence replaces a word's characters with the tokenizer's mask token."""

    @property
    def mask_token(self) -> str: ...


class ScoringModel(Protocol):
    """Normalized passage texts in, label logits and calibrated probabilities out (columns in LABELS order)."""

    info: ModelInfo
    batch_size: int

    @property
    def tokenizer(self) -> MaskTokenizer: ...

    def logits(
        self, texts: list[str], temperature: float | None = None, member_weights: dict[str, float] | None = None
    ) -> np.ndarray: ...

    def predict_proba(self, texts: list[str], temperature: float | None = None) -> np.ndarray: ...
