"""Rule layer: claim kinds with clause-scoped negation, exit routes, and actors."""

import pytest

from classifier.claims import actor, routes, rule_kinds
from classifier.normalize import normalize_text

AD, PW = "advertises_cashout", "presents_withdrawal_legitimate"


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("高价回收医保卡，余额85%给现金，微信ab123", AD, {"card_lending", "personal_account_cash"}),
        ("本店医保卡可以刷米面油，另有现金返还", AD, {"fake_transaction_cashout", "non_medical_use"}),
        ("长期收医保药、回流药，阿托伐他汀价格最高", AD, {"drug_resale"}),
        ("出租医保卡一个月2000元，不影响看病", AD, {"card_lending"}),
        ("醫保卡套現，當天到賬", AD, {"personal_account_cash"}),
        ("退休以后医保卡余额可以一次性全部取出来", PW, {"false_exit_route", "personal_account_cash"}),
        ("统筹基金的钱其实也能申请提取", PW, {"pooled_fund_cash"}),
        ("医保个账可以用来办健身卡，国家鼓励全民健身", PW, {"non_medical_use"}),
    ],
)
def test_rule_layer_golden_table(text, label, expected):
    assert expected <= set(rule_kinds(normalize_text(text), label))


def test_a_negated_clause_is_not_a_claim():
    text = normalize_text("统筹基金不能提取，但个人账户的余额可以取出来")
    kinds = rule_kinds(text, PW)
    assert "pooled_fund_cash" not in kinds and "personal_account_cash" in kinds
    assert "pooled_fund_cash" in rule_kinds(normalize_text("统筹基金也可以提取"), PW)


def test_unflagged_passages_carry_no_claim_kinds():
    assert rule_kinds("医保卡余额不能取现", "accurate") == []
    assert rule_kinds("公积金可以提取", "neutral") == []


def test_a_flag_matching_no_rule_is_unspecified_not_a_default_kind():
    assert rule_kinds("私信我", AD) == ["unspecified"]
    assert rule_kinds("这是国家允许的创新用法", PW) == ["unspecified"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退休后可以一次性领取个人账户结余", ["retirement"]),
        ("辞职以后去社保局就能把余额退还给你", ["job_change"]),
        ("得了大病可以申请把医保里的钱一次性提出来", ["illness"]),
        ("年底余额清零，赶紧取现", ["non_use"]),
        ("把电子凭证绑定支付宝，余额就能提到零钱", ["bank_card"]),
        ("出国留学可以把医保余额全部取走", ["death_abroad"]),
        # a route word without money coming out is not a route
        ("退休后继续享受医保待遇，不用再缴费", []),
        # the destination of a payment is not the bank-card route
        ("退休后一次性结算，钱打到银行卡", ["retirement"]),
    ],
)
def test_routes(text, expected):
    assert routes(normalize_text(text)) == expected


@pytest.mark.parametrize(
    ("text", "label", "kinds", "expected"),
    [
        ("高价回收医保药，上门收", AD, ["drug_resale"], "drug_buyer"),
        ("本药房医保卡可刷洗衣液纸巾", AD, ["non_medical_use"], "institution"),
        ("我妈的卡闲着，借你用一个月500", AD, ["card_lending"], "individual"),
        ("收医保卡，余额八折", AD, ["card_lending"], "organizer"),
        ("离职后余额可以提取，找代办一天到账", PW, ["false_exit_route"], "organizer"),
        ("离职后余额可以自己去提取", PW, ["false_exit_route"], "individual"),
        ("医保卡余额不能取现", "accurate", [], None),
    ],
)
def test_actor(text, label, kinds, expected):
    assert actor(normalize_text(text), label, kinds) == expected
