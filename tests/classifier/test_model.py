"""PassageModel on a tiny random model folder: windows, batch independence, load errors."""

import numpy as np
import pytest

from classifier.model import ModelLoadError, PassageModel


def test_scores_of_a_text_do_not_depend_on_its_batch(tiny_model_dir):
    model = PassageModel.load(tiny_model_dir)
    text = "医保卡余额高价回收，微信ab12"
    others = [f"第{i}段，公积金提取流程{'很长' * (i % 17)}" for i in range(80)]
    alone = model.predict_proba([text])[0]
    for batch_size in (1, 64):
        model.batch_size = batch_size
        mixed = model.predict_proba([*others[:40], text, *others[40:63]])
        np.testing.assert_allclose(mixed[40], alone, atol=1e-6)


def test_long_text_is_read_in_windows_not_truncated(tiny_model_dir):
    model = PassageModel.load(tiny_model_dir)
    text = "".join(chr(0x4E00 + i) for i in range(1001))  # distinct characters: find() is exact
    windows = model.windows(text)
    assert len(windows) > 1 and all(len(w) <= model.window_chars for w in windows)
    sentences = "医保个人账户的钱只能用于看病买药。" * 30 + "高价回收医保卡，微信ab12。"
    # The trailing ad sits in a half-window run of whole sentences, not diluted in a full window.
    assert any("高价回收" in w and len(w) <= model.window_chars // 2 for w in model.windows(sentences))
    covered = set()
    for w in windows:
        start = text.find(w)
        assert start >= 0
        covered.update(range(start, start + len(w)))
    assert covered == set(range(len(text)))
    assert model.windows("短文本") == ["短文本"]


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match=r"config\.json"):
        PassageModel.load(tmp_path)
