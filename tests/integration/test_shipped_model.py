"""The shipped model on a golden table of passages written for this test (not in the corpus).

The table was written before the model's outputs were seen. Individual rows may be wrong (the
evaluation report lists the model's errors); the test holds the model to an overall accuracy
and checks that the pipeline's promises (citations, evidence, offsets) hold on real outputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import Auditor
from classifier.model import DEFAULT_MODEL_DIR

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "config.json").exists(), reason="no shipped model"),
]

AD, PW, OK, NE = "advertises_cashout", "presents_withdrawal_legitimate", "accurate", "neutral"
GOLDEN = [
    ("常年收购医保卡，职工卡居民卡都要，余额九折现结，微信 qq778899", AD),
    ("醫保卡餘額回收，當天到賬，V信：hk5566", AD),
    ("医 保 卡 套 现，秒到，➕V：abc2024", AD),
    ("药房合作，医保卡刷卡换米面油，另返现金，详询13*****8899", AD),
    ("收回流药，胰岛素、二甲双胍都要，同城上门，价格高", AD),
    ("只要你离职了，医保卡里的余额就能去社保局一次性全部取出来。", PW),
    ("医保个人账户年底可以申请提现，把钱转到自己的银行卡，很多人都不知道这个福利。", PW),
    ("虽然平时不能取，但得了大病以后可以把医保余额一次性提出来治病。", PW),
    ("医保卡余额可以在药店买洗衣液和纸巾，这是允许的。", PW),
    ("医保个人账户的钱不能提取现金，只能用于支付看病买药的个人负担费用。", OK),
    ("网传医保卡余额可以取现，医保局回应：这是谣言。", OK),
    ("把医保卡借给别人用属于违法行为，可能被暂停医保结算。", OK),
    ("参保人去世后，医保个人账户的余额可以依法继承。", OK),
    ("住房公积金在租房、购房时可以申请提取。", NE),
    ("微信零钱提现到银行卡要收千分之一的手续费。", NE),
    ("今天带孩子去公园玩了一下午，天气很好。", NE),
    ("请问医保卡里的钱能取出来吗？", NE),
    ("信用卡套现是违规的，银行会降额。", NE),
]


@pytest.fixture(scope="module")
def auditor():
    return Auditor.load()


# What the labeling guide's verdict table asks of a page made of one golden passage: an ad is
# blocked; a withdrawal claim is blocked or reviewed by confidence; true and unrelated text passes.
EXPECTED_PAGE = {
    AD: ("cashout_ad", {"block"}),
    PW: ("misleading", {"block", "review"}),
    OK: ("accurate", {"pass"}),
    NE: ("unrelated", {"pass"}),
}


def test_golden_table_accuracy(auditor):
    results = auditor.classify_passages([text for text, _ in GOLDEN])
    wrong = [(text, gold, r.label) for (text, gold), r in zip(GOLDEN, results, strict=True) if r.label != gold]
    accuracy = 1 - len(wrong) / len(GOLDEN)
    assert accuracy >= 0.75, f"golden accuracy {accuracy:.2f}; wrong: {wrong}"


def test_golden_table_verdicts_and_suggestions(auditor):
    # The suggestion is what a moderator acts on; checking labels alone once hid an unreachable block.
    pages = [auditor.audit(text, evidence=False) for text, _ in GOLDEN]
    wrong = []
    for (text, gold), page in zip(GOLDEN, pages, strict=True):
        verdict, suggestions = EXPECTED_PAGE[gold]
        if page.verdict != verdict or page.suggestion not in suggestions:
            wrong.append((text, gold, page.verdict, page.suggestion))
    accuracy = 1 - len(wrong) / len(GOLDEN)
    assert accuracy >= 0.75, f"golden page accuracy {accuracy:.2f}; wrong: {wrong}"
    # No ad is ever passed, whatever its confidence.
    assert all(page.suggestion != "pass" for (_, gold), page in zip(GOLDEN, pages, strict=True) if gold == AD)


def test_flags_carry_kinds_citations_and_evidence(auditor):
    results = auditor.classify_passages([text for text, gold in GOLDEN if gold in (AD, PW)])
    flagged = [r for r in results if r.flagged]
    assert len(flagged) >= len(results) - 2
    for r in flagged:
        assert r.claim_kinds and "unspecified" not in r.claim_kinds and r.citations
        assert r.citations[0].provision_id.startswith("SIL-")  # Social Insurance Law first
        for ev in r.evidence:
            assert r.text[ev.start : ev.end] == ev.text


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_misleading_sample_article(auditor):
    result = auditor.audit((EXAMPLES / "misleading_article.txt").read_text(encoding="utf-8"))
    assert result.verdict == "misleading"
    flagged = [p for p in result.passages if p.flagged]
    # The false route is flagged; the true paragraphs about its lawful uses are not. (The model also
    # flags the chatty opening paragraph, a known error listed in the closing note of issue 10.)
    assert any("退休" in p.text and p.label == PW for p in flagged)
    assert not any("家庭共济" in p.text or "妥善保管" in p.text for p in flagged)


def test_accurate_sample_article(auditor):
    result = auditor.audit((EXAMPLES / "accurate_article.html").read_text(encoding="utf-8"), content_type="html")
    assert (result.verdict, result.suggestion) == ("accurate", "pass")


def test_misleading_sample_article_is_not_passed(auditor):
    result = auditor.audit((EXAMPLES / "misleading_article.txt").read_text(encoding="utf-8"))
    assert result.suggestion in ("block", "review")


def test_block_is_reachable_for_clear_ads(auditor):
    ads = [text for text, gold in GOLDEN if gold == AD]
    results = [auditor.audit(text, evidence=False) for text in ads]
    assert all(r.verdict == "cashout_ad" for r in results), [(r.verdict, r.confidence) for r in results]
    blocked = sum(r.suggestion == "block" for r in results)
    assert blocked >= len(ads) / 2, [(r.suggestion, r.confidence) for r in results]


def test_scores_do_not_depend_on_the_batch(auditor):
    text = "收医保卡，余额八五折，当天结算，V：ab1234"
    others = [g for g, _ in GOLDEN] * 4  # 72 texts of other lengths around it
    alone = auditor.classify_passages([text], evidence=False)[0].scores
    in_64 = auditor.classify_passages([*others[:31], text, *others[31:63]], evidence=False)[31].scores
    for label in alone:
        assert in_64[label] == pytest.approx(alone[label], abs=1e-6)


def test_an_ad_at_the_end_of_a_long_passage_is_read(auditor):
    filler = "医保个人账户的钱主要用于支付门诊和药店买药的个人负担费用，也可以用于家庭共济。" * 12
    (result,) = auditor.classify_passages([filler + "高价回收医保卡，余额九折现结，微信ab7788"], evidence=False)
    assert result.label == AD, result.scores
