"""Export a model folder's transformer to ONNX and serve the folder with ONNX Runtime.

    python -m training.export_onnx --model classifier/models/default

Writes ``model.onnx`` next to the weights (torch.export-based exporter, batch and sequence length
dynamic), checks that ONNX Runtime gives PyTorch's logits (largest absolute difference at most
``--tolerance``, on a padded batch of passages of mixed length and on each passage alone) and only
then records it in ``config.json``: ``auditor.runtime = "onnx"`` and ``auditor.onnx`` (file, parity
figure, library versions). A graph that fails the check is deleted and the command fails; the
folder keeps serving as before. ``make train`` runs it as its last step; it can be rerun on a
shipped folder without retraining.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifier.runtime import OnnxEncoder, TorchEncoder
from training.data import PASSAGES, read_jsonl

log = logging.getLogger(__name__)

FILE_NAME = "model.onnx"
OPSET = 18


class ExportError(RuntimeError):
    pass


def parity_texts(n: int = 48) -> list[str]:
    """Corpus passages of mixed length (the in-split test split, so the check is repeatable),
    plus the two extremes the service sees: one character and a full window."""
    rows = [r["text"] for r in read_jsonl(PASSAGES) if r["split"] == "test"]
    rows.sort(key=len)
    step = max(1, len(rows) // n)
    return ["医", "医保卡" * 120, *rows[::step][:n]]


def export(folder: Path, tolerance: float = 1e-4) -> dict:
    import onnxruntime
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    max_length = int((getattr(model.config, "auditor", None) or {}).get("max_length", 256))

    class Logits(torch.nn.Module):
        # The exported graph takes exactly what the tokenizer gives and returns only the logits.
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    texts = parity_texts()
    example = tokenizer(texts[2:6], padding=True, return_tensors="pt", return_token_type_ids=False)
    batch = torch.export.Dim("batch", min=1, max=4096)
    length = torch.export.Dim("length", min=2, max=max_length)
    target = folder / FILE_NAME
    with warnings.catch_warnings():
        # The exporter's notes on renamed axes and deprecated pytree helpers concern its own internals.
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            Logits(model),
            (example["input_ids"], example["attention_mask"]),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_shapes={"input_ids": {0: batch, 1: length}, "attention_mask": {0: batch, 1: length}},
            opset_version=OPSET,
            dynamo=True,
            optimize=True,
            verbose=False,
        )
    program.save(str(target))

    onnx_encoder, torch_encoder = OnnxEncoder.load(target), TorchEncoder(model)
    encoded = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="np",
                        return_token_type_ids=False)  # fmt: skip
    ids, mask = encoded["input_ids"], encoded["attention_mask"]
    batched = onnx_encoder(ids, mask)
    diff = float(np.abs(batched - torch_encoder(ids, mask)).max())
    alone = 0.0
    for i in range(len(texts)):
        used = int(mask[i].sum())
        single = onnx_encoder(ids[i : i + 1, :used], mask[i : i + 1, :used])
        alone = max(alone, float(np.abs(single[0] - batched[i]).max()))
    if max(diff, alone) > tolerance:
        target.unlink()
        raise ExportError(
            f"ONNX Runtime's logits differ from PyTorch's by {diff:.2e} (alone vs batched {alone:.2e}), "
            f"over the tolerance {tolerance:.0e}; {target} deleted, the folder still serves with torch"
        )
    report = {
        "file": FILE_NAME,
        "opset": OPSET,
        "parity_texts": len(texts),
        "max_abs_diff_vs_torch": float(f"{diff:.3g}"),
        "max_abs_diff_alone_vs_batched": float(f"{alone:.3g}"),
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
    }
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["auditor"]["onnx"] = report
    config["auditor"]["runtime"] = "onnx"
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


@dataclass
class ExportArguments:
    model: str = field(metadata={"help": "model folder to export and switch to ONNX Runtime"})
    tolerance: float = field(default=1e-4, metadata={"help": "largest allowed |logit difference| vs PyTorch"})


def main(argv: list[str] | None = None) -> None:
    from transformers import HfArgumentParser

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    (args,) = HfArgumentParser(ExportArguments).parse_args_into_dataclasses(args=argv)
    report = export(Path(args.model), tolerance=args.tolerance)
    log.info("exported %s: %s", Path(args.model) / FILE_NAME, report)


if __name__ == "__main__":
    main()
