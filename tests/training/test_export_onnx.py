"""training.export_onnx on the tiny model: the graph gives PyTorch's scores, or nothing is written."""

import json
import shutil

import numpy as np
import pytest

from classifier.model import PassageModel
from training.export_onnx import FILE_NAME, ExportError, export


@pytest.fixture(scope="module")
def onnx_model_dir(tiny_model_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-onnx") / "model"
    shutil.copytree(tiny_model_dir, folder)
    report = export(folder)
    assert report["max_abs_diff_vs_torch"] <= 1e-4 and report["max_abs_diff_alone_vs_batched"] <= 1e-4
    return folder


def test_exported_folder_serves_with_onnx_and_matches_torch(onnx_model_dir):
    config = json.loads((onnx_model_dir / "config.json").read_text(encoding="utf-8"))
    assert config["auditor"]["runtime"] == "onnx" and config["auditor"]["onnx"]["file"] == FILE_NAME
    served = PassageModel.load(onnx_model_dir)
    eager = PassageModel.load(onnx_model_dir, runtime="torch")
    assert (served.info.runtime, served.encoder.name) == ("onnx", "onnx")
    assert (eager.info.runtime, eager.encoder.name) == ("torch", "torch")
    texts = ["医保卡余额高价回收，微信ab12", "公积金提取", "医" * 600, "退休后个人账户的钱可以一次性取出来吗"]
    np.testing.assert_allclose(served.predict_proba(texts), eager.predict_proba(texts), atol=1e-5)


def test_onnx_scores_do_not_depend_on_the_batch(onnx_model_dir):
    model = PassageModel.load(onnx_model_dir)
    text = "医保卡余额高价回收，微信ab12"
    others = [f"第{i}段，公积金提取流程{'很长' * (i % 17)}" for i in range(80)]
    alone = model.predict_proba([text])[0]
    for batch_size in (1, 64):
        model.batch_size = batch_size
        mixed = model.predict_proba([*others[:40], text, *others[40:63]])
        np.testing.assert_allclose(mixed[40], alone, atol=1e-6)


def test_a_graph_that_fails_the_parity_check_is_not_kept(tiny_model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    before = (folder / "config.json").read_text(encoding="utf-8")
    with pytest.raises(ExportError, match="tolerance"):
        export(folder, tolerance=-1.0)  # no graph can pass: the refusal path, deterministically
    assert not (folder / FILE_NAME).exists()
    assert (folder / "config.json").read_text(encoding="utf-8") == before
    assert PassageModel.load(folder).info.runtime == "torch"
