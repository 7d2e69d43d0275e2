"""Shared fixtures: a tiny randomly initialised model built in the test, and a stub model."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from classifier.labels import ID2LABEL, LABEL2ID, LABELS
from classifier.model import ModelInfo, PassageModel


def build_tiny_model(folder, hidden: int = 16):
    from transformers import BertConfig, BertForSequenceClassification

    from training.tokenizer import build_tokenizer

    tokenizer = build_tokenizer(["医保卡余额套现回收微信", "公积金提取"], folder)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=hidden * 2, max_position_embeddings=320, num_labels=len(LABELS),
        id2label=ID2LABEL, label2id=LABEL2ID,
    )  # fmt: skip
    config.auditor = {"name": "tiny-test", "version": "test", "data_hash": "none", "temperature": 1.0,
                      "block_threshold": 0.9, "review_threshold": 0.3, "max_length": 256}  # fmt: skip
    model = BertForSequenceClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


class _StubTokenizer:
    mask_token = "[MASK]"


class KeywordModel(PassageModel):
    """A deterministic stand-in: the flag probability rises with each cue word present.

    Lets tests check the pipeline (offsets, evidence, verdicts) with known model behaviour.
    """

    CUES: ClassVar[dict[str, str]] = {"套现": "advertises_cashout", "回收": "advertises_cashout", "取出来": "presents_withdrawal_legitimate",
            "不能": "accurate"}  # fmt: skip

    def __init__(self, block_threshold: float = 0.8, review_threshold: float = 0.3):
        self.tokenizer = _StubTokenizer()
        self.batch_size = 8
        self.labels = LABELS
        self.info = ModelInfo("keyword-stub", "stub", "none", LABELS, 1.0, block_threshold, review_threshold, "-")

    def logits(self, texts, temperature=None, member_weights=None):
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        out[:, LABEL2ID["neutral"]] = 1.0
        for i, text in enumerate(texts):
            for cue, label in self.CUES.items():
                if cue in text:
                    out[i, LABEL2ID[label]] += 3.0
        return out


@pytest.fixture
def keyword_model():
    return KeywordModel()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`python -m service` in a subprocess on a loopback port, as external checks start it."""

    def __init__(self, tmp_path, *args: str, env: dict | None = None) -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = tmp_path / "feedback.db"
        full_env = {**os.environ, "MEDCASH_SERVICE_DATABASE_URL": f"sqlite:///{self.db}", **(env or {})}
        self.log = open(tmp_path / "server.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service", "--port", str(self.port), *args],
            stdout=self.log,
            stderr=self.log,
            env=full_env,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        import time
        import urllib.request

        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("server did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()
        self.log.close()
