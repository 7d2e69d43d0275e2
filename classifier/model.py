"""Loading a Hugging Face sequence-classification folder and classifying normalized passages.

Any folder with `config.json` (carrying `id2label`), `model.safetensors` and a tokenizer loads
here, whether our training pipeline wrote it or a user fine-tuned another checkpoint. The
calibration temperature and moderation thresholds travel in `config.json` under `auditor`.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from classifier.labels import LABELS

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    data_hash: str
    labels: tuple[str, ...]
    temperature: float
    block_threshold: float
    review_threshold: float
    path: str


class ModelLoadError(RuntimeError):
    pass


class PassageModel:
    """A loaded classifier: normalized passage texts in, calibrated label probabilities out."""

    def __init__(self, model, tokenizer, info: ModelInfo, max_length: int = 256, batch_size: int = 32) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.info = info
        self.max_length = max_length
        self.batch_size = batch_size
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.labels = tuple(id2label[i] for i in range(len(id2label)))
        if set(self.labels) != set(LABELS):
            raise ModelLoadError(f"model labels {self.labels} are not the project's labels {LABELS}")
        # Column order of our outputs is LABELS, whatever order the checkpoint uses.
        self._order = [self.labels.index(label) for label in LABELS]

    @classmethod
    def load(cls, path: str | Path | None = None, quantize: bool = False, threads: int | None = None) -> PassageModel:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        folder = Path(path) if path else DEFAULT_MODEL_DIR
        if not (folder / "config.json").is_file():
            raise ModelLoadError(f"no model at {folder}: config.json missing (train one with `make train`)")
        if threads:
            torch.set_num_threads(threads)
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder)
            model = AutoModelForSequenceClassification.from_pretrained(folder)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load model from {folder}: {exc}") from exc
        if quantize:
            with warnings.catch_warnings():  # torch marks eager dynamic quantization deprecated; it still works here
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        extra = getattr(model.config, "auditor", None) or {}
        info = ModelInfo(
            name=extra.get("name", folder.name),
            version=extra.get("version", "unversioned"),
            data_hash=extra.get("data_hash", "unknown"),
            labels=LABELS,
            temperature=float(extra.get("temperature", 1.0)),
            block_threshold=float(extra.get("block_threshold", 0.9)),
            review_threshold=float(extra.get("review_threshold", 0.5)),
            path=str(folder),
        )
        max_length = int(extra.get("max_length", min(getattr(model.config, "max_position_embeddings", 512), 512)))
        log.info("model loaded", extra={"model": info.name, "version": info.version, "path": str(folder)})
        return cls(model, tokenizer, info, max_length=max_length)

    def logits(self, texts: list[str]) -> np.ndarray:
        """Raw logits, columns in LABELS order. Batches are bucketed by length to cut padding."""
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] or " " for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                    return_token_type_ids=False,
                )
                logits = self.model(**batch).logits.float().numpy()
                out[idx] = logits[:, self._order]
        return out

    def predict_proba(self, texts: list[str], temperature: float | None = None) -> np.ndarray:
        t = self.info.temperature if temperature is None else temperature
        return softmax(self.logits(texts) / t)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
