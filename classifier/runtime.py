"""What runs the transformer: PyTorch eager, or ONNX Runtime on the exported graph.

Both take token ids and attention masks (numpy, as the tokenizer gives them) and return raw
logits in the checkpoint's label order; `PassageModel` does the rest. A model folder declares the
runtime it is served with in ``config.json`` (``auditor.runtime``; the graph under
``auditor.onnx.file``). ONNX Runtime is what ships: on the 2-core machine it scores 100-character
passages about 1.3x faster than eager PyTorch with the same weights, and
``python -m training.export_onnx`` refuses to write a graph whose logits differ from PyTorch's by
more than 1e-4. Neither runtime quantizes per batch, so a text's scores do not depend on its
batch-mates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import numpy as np

RuntimeName = Literal["torch", "onnx"]
RUNTIMES: tuple[RuntimeName, ...] = ("torch", "onnx")


class Encoder(Protocol):
    """Token ids and attention mask (int64, batch x length) in, raw logits (batch x labels) out."""

    name: RuntimeName

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray: ...


class TorchEncoder:
    """The transformers model itself, in inference mode."""

    name: RuntimeName = "torch"

    def __init__(self, model) -> None:
        self.model = model.eval()

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.model(input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(attention_mask))
        return out.logits.float().numpy()


class OnnxEncoder:
    """An ONNX Runtime session over the graph `training.export_onnx` wrote."""

    name: RuntimeName = "onnx"

    def __init__(self, session) -> None:
        self.session = session
        inputs = {i.name for i in session.get_inputs()}
        if inputs != {"input_ids", "attention_mask"}:
            raise ValueError(f"the ONNX graph takes {sorted(inputs)}, not input_ids and attention_mask")

    @classmethod
    def load(cls, path: str | Path, threads: int | None = None) -> OnnxEncoder:
        import onnxruntime as ort

        options = ort.SessionOptions()
        # One request at a time uses every core inside the operators; the service runs inference
        # on one worker thread, so inter-op parallelism would only add contention.
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initializers are noise here
        return cls(ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"]))

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        return np.asarray(self.session.run(["logits"], feed)[0], dtype=np.float32)
