"""Choosing the transformer's runtime: what the folder declares, what settings ask, and clear errors."""

import json
import shutil

import pytest

from classifier import Auditor, AuditorSettings
from classifier.model import ModelLoadError, PassageModel


def _declare(folder, **auditor) -> None:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["auditor"].update(auditor)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")


@pytest.fixture
def folder(tiny_model_dir, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(tiny_model_dir, target)
    return target


def test_a_folder_without_a_runtime_is_served_by_torch(folder):
    auditor = Auditor.load(str(folder))
    assert auditor.info()["runtime"] == "torch"


def test_onnx_declared_but_graph_missing_is_a_load_error_not_a_fallback(folder):
    _declare(folder, runtime="onnx", onnx={"file": "model.onnx"})
    with pytest.raises(ModelLoadError, match=r"training\.export_onnx"):
        PassageModel.load(folder)
    # Asking for torch explicitly still works: the weights are there.
    assert PassageModel.load(folder, runtime="torch").info.runtime == "torch"


def test_settings_can_ask_for_onnx_on_a_folder_without_a_graph_and_get_an_error(folder):
    with pytest.raises(ModelLoadError, match="declares no ONNX graph"):
        Auditor.load(str(folder), AuditorSettings(runtime="onnx"))


def test_unknown_runtime_in_config_is_a_load_error(folder):
    _declare(folder, runtime="tensorrt")
    with pytest.raises(ModelLoadError, match="unknown runtime 'tensorrt'"):
        PassageModel.load(folder)


def test_quantize_with_onnx_is_refused(folder):
    (folder / "model.onnx").write_bytes(b"not a graph")
    _declare(folder, runtime="onnx", onnx={"file": "model.onnx"})
    with pytest.raises(ModelLoadError, match="quantize applies to the torch runtime"):
        PassageModel.load(folder, quantize=True)
    with pytest.raises(ModelLoadError, match="cannot load the ONNX graph"):
        PassageModel.load(folder)
