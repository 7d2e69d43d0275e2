import json

import numpy as np
import pytest

from classifier import Auditor, AuditorSettings, InputError
from classifier.labels import LABELS


@pytest.fixture(scope="module")
def tiny_auditor(tiny_model_dir):
    return Auditor.load(str(tiny_model_dir))


def test_tiny_model_loads_with_labels_and_thresholds_from_config(tiny_auditor):
    info = tiny_auditor.info()
    assert info["labels"] == list(LABELS)
    assert info["block_threshold"] == 0.9 and info["review_threshold"] == 0.3
    assert info["statutes_version"]


def test_classify_passages_scores_sum_to_one(tiny_auditor):
    results = tiny_auditor.classify_passages(["医保卡余额高价回收", "公积金提取流程", "a"])
    assert len(results) == 3
    for r in results:
        assert set(r.scores) == set(LABELS)
        assert abs(sum(r.scores.values()) - 1) < 1e-3
        assert r.label in LABELS


def test_audit_offsets_point_into_the_original(tiny_auditor):
    text = "第一段，医保卡余额不能取现。\n\n第二段：醫保卡回收，薇信ab12。"
    result = tiny_auditor.audit(text)
    assert result.text == text
    for p in result.passages:
        assert text[p.start : p.end] == p.text
    json.loads(result.model_dump_json())  # serializes to the API's JSON


@pytest.mark.parametrize("bad", ["", "   \n", "a\x00b"])
def test_audit_rejects_empty_and_binary(tiny_auditor, bad):
    with pytest.raises(InputError):
        tiny_auditor.audit(bad)


def test_audit_rejects_unknown_content_type_and_huge_text(tiny_model_dir):
    auditor = Auditor.load(str(tiny_model_dir), AuditorSettings(max_text_chars=50))
    with pytest.raises(InputError, match="limit"):
        auditor.audit("字" * 51)
    with pytest.raises(InputError, match="content_type"):
        auditor.audit("abc", content_type="pdf")  # type: ignore[arg-type]


def test_classify_rejects_non_strings(tiny_auditor):
    with pytest.raises(InputError):
        tiny_auditor.classify_passages(["ok", 3])  # type: ignore[list-item]


def test_evidence_comes_from_occlusion_and_points_at_obfuscated_original(keyword_model):
    auditor = Auditor(keyword_model, AuditorSettings(evidence_min_weight=0.05))
    text = "大家好。\n本店可以医.保.套.现，价格优惠，欢迎咨询"
    result = auditor.audit(text)
    flagged = [p for p in result.passages if p.flagged]
    assert len(flagged) == 1
    passage = flagged[0]
    assert passage.label == "advertises_cashout"
    words = [text[e.start : e.end] for e in passage.evidence]
    assert words[0] == "套.现" or "套.现" in words
    assert all(e.weight > 0.05 for e in passage.evidence)
    # Words that do not move the stub's score are not evidence.
    assert "价格" not in words
    assert result.verdict == "cashout_ad"


def test_verdict_and_suggestion_follow_thresholds(keyword_model):
    strict = Auditor(keyword_model, AuditorSettings(block_threshold=0.999, review_threshold=0.3))
    lenient = Auditor(keyword_model, AuditorSettings(block_threshold=0.5, review_threshold=0.3))
    text = "退休后医保卡的钱可以取出来"
    assert strict.audit(text).suggestion == "review"
    assert lenient.audit(text).suggestion == "block"
    assert lenient.audit(text).verdict == "misleading"
    assert lenient.audit("医保卡的钱不能提现").verdict == "accurate"
    assert lenient.audit("今天天气很好").verdict == "unrelated"


def test_flagged_passage_carries_citations(keyword_model):
    auditor = Auditor(keyword_model)
    (result,) = auditor.classify_passages(["长期回收医保药，回流药高价"])
    assert result.flagged and "drug_resale" in result.claim_kinds
    assert any(c.provision_id == "REG-19" for c in result.citations)


def test_evidence_never_repeats_an_original_span():
    from classifier.evidence import evidence_from_drops
    from classifier.normalize import normalize

    norm = normalize("加V：ab12")
    words = [(0, 1), (1, 2), (1, 3)]  # two normalized words that map back into the same characters
    drops = np.array([0.5, 0.4, 0.3])
    spans = [(ev.start, ev.end) for ev in evidence_from_drops(words, drops, norm, 0, 5, 0.01)]
    assert len(spans) == len(set(spans))


def test_unpaired_surrogates_are_refused_with_a_clear_error(tiny_auditor):
    with pytest.raises(InputError, match="unpaired surrogate"):
        tiny_auditor.classify_passages(["\udfff收医保卡"])
