"""The training pipeline end to end on the smoke preset, and fine-tuning a given checkpoint."""

import json

import pytest

from classifier import Auditor
from classifier.labels import LABELS
from tests.fakes import build_tiny_model
from training.config import PRESETS
from training.train import run

pytestmark = pytest.mark.slow


def test_smoke_training_writes_a_loadable_model(tmp_path):
    out = tmp_path / "model"
    summary = run(PRESETS["smoke"], out, version="smoke")
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert [config["id2label"][str(i)] for i in range(4)] == list(LABELS)
    auditor_cfg = config["auditor"]
    assert auditor_cfg["data_hash"] == summary["data_hash"]
    assert 0 < auditor_cfg["review_threshold"] <= auditor_cfg["block_threshold"] <= 1
    assert auditor_cfg["temperature"] > 0
    assert summary["config"]["hidden_size"] == PRESETS["smoke"].hidden_size
    assert set(summary["library_versions"]) >= {"torch", "transformers"}
    (result,) = Auditor.load(str(out)).classify_passages(["医保卡余额高价回收"])
    assert result.label in LABELS


def test_base_model_option_fine_tunes_a_saved_checkpoint(tmp_path):
    base = build_tiny_model(tmp_path / "base", hidden=24)
    out = tmp_path / "tuned"
    cfg = PRESETS["smoke"].replace(pretrain_epochs=0)
    summary = run(cfg, out, base_model=str(base))
    assert summary["base_model"] == str(base)
    (result,) = Auditor.load(str(out)).classify_passages(["退休后医保余额可以取出来"])
    assert abs(sum(result.scores.values()) - 1) < 1e-3
