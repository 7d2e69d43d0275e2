"""Shared test doubles: a keyword fake that follows ``classifier.scoring_model.ScoringModel`` and a
tiny randomly initialised model folder (real loading code, millisecond inference)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from classifier.labels import ID2LABEL, LABEL2ID, LABELS
from classifier.model import ModelInfo, softmax


class MaskTokenizer:
    mask_token = "[MASK]"


class KeywordModel:
    """A deterministic stand-in: each cue word present adds 3 to its label's logit (neutral starts at 1).

    Lets tests check the pipeline (offsets, evidence, verdicts) with known model behaviour. It has no
    ``linear`` members, so the auditor explains its flags by occlusion, and no claim head.
    """

    CUES: ClassVar[dict[str, str]] = {
        "套现": "advertises_cashout",
        "回收": "advertises_cashout",
        "取出来": "presents_withdrawal_legitimate",
        "不能": "accurate",
    }

    def __init__(self, block_threshold: float = 0.8, review_threshold: float = 0.3) -> None:
        self.tokenizer = MaskTokenizer()
        self.batch_size = 8
        self.info = ModelInfo("keyword-stub", "stub", "none", LABELS, 1.0, block_threshold, review_threshold, "-")

    def logits(
        self, texts: list[str], temperature: float | None = None, member_weights: dict[str, float] | None = None
    ) -> np.ndarray:
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        out[:, LABEL2ID["neutral"]] = 1.0
        for i, text in enumerate(texts):
            for cue, label in self.CUES.items():
                if cue in text:
                    out[i, LABEL2ID[label]] += 3.0
        return out

    def predict_proba(self, texts: list[str], temperature: float | None = None) -> np.ndarray:
        t = self.info.temperature if temperature is None else temperature
        return softmax(self.logits(texts, t) / t)


def build_tiny_model(folder: Path, hidden: int = 16) -> Path:
    """A one-layer BERT with random weights, saved as a model folder the auditor loads."""
    from transformers import BertConfig, BertForSequenceClassification

    from training.tokenizer import build_tokenizer

    tokenizer = build_tokenizer(["医保卡余额套现回收微信", "公积金提取"], folder)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=hidden * 2,
        max_position_embeddings=320,
        num_labels=len(LABELS),
        id2label=ID2LABEL,
        label2id=LABEL2ID,
    )
    config.auditor = {
        "name": "tiny-test",
        "version": "test",
        "data_hash": "none",
        "temperature": 1.0,
        "block_threshold": 0.9,
        "review_threshold": 0.3,
        "max_length": 256,
    }
    model = BertForSequenceClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
