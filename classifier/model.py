"""Loading a model folder and classifying normalized passages.

Any folder with `config.json` (carrying `id2label`), `model.safetensors` and a tokenizer loads
here, whether our training pipeline wrote it or a user fine-tuned another checkpoint. The
calibration temperature, the ensemble weights and the moderation thresholds travel in
`config.json` under `auditor`. When `auditor.member_weights` gives weight to linear members
(`linear_char.npz`, `linear_word.npz`, classifier/linear.py), the scores are a calibrated blend of
the members' logits: ``softmax(sum(weight_m * logits_m) / temperature)``, the transformer's weight
being one minus the others.

Texts longer than the model reads are scored in overlapping windows, never truncated: a passage
takes the scores of its window with the most flag probability, so an ad at the end of a long text
is read. Scores of a text never depend on which other texts share its batch (no per-batch
quantization; padding is masked).
"""

from __future__ import annotations

import itertools
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from classifier.claim_head import ClaimHead
from classifier.labels import FLAG_LABELS, LABELS
from classifier.linear import HashedLinear
from classifier.segment import pack_sentences

log = logging.getLogger(__name__)

_FLAG_COLUMNS = [LABELS.index(label) for label in FLAG_LABELS]
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
    member_weights: dict | None = None  # linear member kind -> weight; the transformer has the rest
    page_thresholds: dict | None = None


class ModelLoadError(RuntimeError):
    pass


class PassageModel:
    """A loaded classifier: normalized passage texts in, calibrated label probabilities out."""

    # Claim kinds of flagged passages (classifier/claim_head.py); None: the model ships no head
    # and the auditor uses the rule layer, saying so in ``Auditor.info()``.
    claim_head: ClaimHead | None = None

    def __init__(
        self, model, tokenizer, info: ModelInfo, max_length: int = 256, batch_size: int = 32, linear=None
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.info = info
        self.max_length = max_length
        self.batch_size = batch_size
        self.linear = linear or {}
        missing = [k for k, w in (info.member_weights or {}).items() if w > 0 and k not in self.linear]
        if missing:
            raise ModelLoadError(f"member weights name linear members the folder lacks: {missing}")
        # Character tokenizer: about one token per character; [CLS] and [SEP] take two.
        self.window_chars = max(16, max_length - 2)
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
            # Dynamic int8 scales activations per batch, so a text's scores would depend on its
            # batch-mates; it is opt-in for throughput runs only.
            with warnings.catch_warnings():  # torch marks eager dynamic quantization deprecated; it still works here
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        extra = getattr(model.config, "auditor", None) or {}
        weights = {k: float(w) for k, w in (extra.get("member_weights") or {}).items()}
        linear = {}
        for kind, w in weights.items():
            if w > 0:
                try:
                    linear[kind] = HashedLinear.load(folder, kind)
                except (OSError, ValueError, KeyError) as exc:
                    raise ModelLoadError(f"cannot load linear member {kind!r} from {folder}: {exc}") from exc
        claim_head = None
        if extra.get("claim_head"):
            # Declared in the config, so a missing or mismatched file is an error, not a fallback.
            try:
                claim_head = ClaimHead.load(folder)
            except (OSError, ValueError, KeyError) as exc:
                raise ModelLoadError(f"cannot load the claim head from {folder}: {exc}") from exc
        info = ModelInfo(
            name=extra.get("name", folder.name),
            version=extra.get("version", "unversioned"),
            data_hash=extra.get("data_hash", "unknown"),
            labels=LABELS,
            temperature=float(extra.get("temperature", 1.0)),
            block_threshold=float(extra.get("block_threshold", 0.9)),
            review_threshold=float(extra.get("review_threshold", 0.5)),
            path=str(folder),
            member_weights=weights,
            page_thresholds=extra.get("page_thresholds"),
        )
        max_length = int(extra.get("max_length", min(getattr(model.config, "max_position_embeddings", 512), 512)))
        log.info("model loaded", extra={"model": info.name, "version": info.version, "path": str(folder)})
        loaded = cls(model, tokenizer, info, max_length=max_length, linear=linear)
        loaded.claim_head = claim_head
        return loaded

    def windows(self, text: str) -> list[str]:
        """The text itself when it fits; otherwise runs of whole sentences of at most half a window,
        and each two neighbouring runs together (a full window), which cover all of it. Sentence
        runs keep a short ad at the end of a long text from being drowned by the rest."""
        w = self.window_chars
        if len(text) <= w:
            return [text]
        runs = [text[s.start : s.end] for s in pack_sentences(text, w // 2)]
        pairs = [a + b for a, b in itertools.pairwise(runs) if len(a) + len(b) <= w]
        return runs + pairs

    def blended_logits(self, texts: list[str], member_weights: dict | None = None) -> np.ndarray:
        """Logits of texts that fit one window: the transformer's blended with the linear members'."""
        weights = (self.info.member_weights or {}) if member_weights is None else member_weights
        z = (1 - sum(weights.values())) * self.transformer_logits(texts)
        for kind, w in weights.items():
            if w > 0:
                if kind not in self.linear:
                    raise ModelLoadError(f"a weight was given to linear member {kind!r}, which this model lacks")
                z = z + w * self.linear[kind].logits(texts)
        return z

    def logits(
        self, texts: list[str], temperature: float | None = None, member_weights: dict | None = None
    ) -> np.ndarray:
        """Blended logits per text; a long text takes its window with the most flag probability.
        ``member_weights={}`` gives the transformer alone (for evaluation)."""
        t = self.info.temperature if temperature is None else temperature
        pieces = [self.windows(text) for text in texts]
        flat = [p for ws in pieces for p in ws]
        z = self.blended_logits(flat, member_weights) if flat else np.zeros((0, len(LABELS)), dtype=np.float32)
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        cursor = 0
        for i, ws in enumerate(pieces):
            block = z[cursor : cursor + len(ws)]
            cursor += len(ws)
            flag_mass = softmax(block / t)[:, _FLAG_COLUMNS].sum(-1)
            out[i] = block[int(flag_mass.argmax())]
        return out

    def transformer_logits(self, texts: list[str]) -> np.ndarray:
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
        return softmax(self.logits(texts, t) / t)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
