"""The learned claim-kind head: fit, decide, save/load."""

import numpy as np
import pytest

from classifier.claim_head import FILE_NAME, ClaimHead
from classifier.labels import CLAIM_KINDS

AD, PW = "advertises_cashout", "presents_withdrawal_legitimate"
CUES = {
    "personal_account_cash": "个人账户余额取现",
    "pooled_fund_cash": "统筹基金提取",
    "fake_transaction_cashout": "刷卡换购物卡",
    "drug_resale": "回收医保药",
    "card_lending": "出租医保卡",
    "false_exit_route": "退休一次性领取",
    "non_medical_use": "买保健品健身",
}


# The tests below fit a head (7 logistic regressions over the full hashed feature space, about 4 s
# of CPU): training a model puts them in the slow suite.
@pytest.fixture(scope="module")
def head():
    texts, labels, kinds = [], [], []
    for i, (kind, cue) in enumerate(CUES.items()):
        for j in range(6):
            texts.append(f"{cue}，第{j}条消息{'联系我' if i % 2 else '大家注意'}")
            labels.append(AD if j % 2 else PW)
            kinds.append([kind])
    return ClaimHead.fit(texts, labels, kinds, c=10.0)


@pytest.mark.slow
def test_head_recovers_the_kind_from_the_sentence(head):
    probs = head.probabilities(["出租医保卡，联系我", "统筹基金提取的办法"], [AD, PW])
    assert probs.shape == (2, len(CLAIM_KINDS))
    assert CLAIM_KINDS[int(np.argmax(probs[0]))] == "card_lending"
    assert CLAIM_KINDS[int(np.argmax(probs[1]))] == "pooled_fund_cash"


def test_decide_uses_thresholds_then_floor_then_unspecified():
    head = ClaimHead(np.zeros(1), np.zeros((len(CLAIM_KINDS), 1)), np.zeros(len(CLAIM_KINDS)),
                     thresholds=np.full(len(CLAIM_KINDS), 0.5), floor=0.2)  # fmt: skip
    probs = np.array([[0.9, 0.6, 0, 0, 0, 0, 0], [0.3, 0.1, 0, 0, 0, 0, 0], [0.1, 0.05, 0, 0, 0, 0, 0]])
    assert head.decide(probs) == [
        ["personal_account_cash", "pooled_fund_cash"],
        ["personal_account_cash"],
        ["unspecified"],
    ]


@pytest.mark.slow
def test_head_refuses_unflagged_passages(head):
    with pytest.raises(ValueError, match="flagged passages only"):
        head.probabilities(["今天天气很好"], ["neutral"])


@pytest.mark.slow
def test_save_and_load_round_trip(head, tmp_path):
    head.thresholds = np.linspace(0.3, 0.6, len(CLAIM_KINDS))
    head.floor = 0.15
    head.save(tmp_path)
    loaded = ClaimHead.load(tmp_path)
    texts, labels = ["回收医保药，联系我", "退休一次性领取"], [AD, PW]
    np.testing.assert_allclose(
        loaded.probabilities(texts, labels), head.rounded().probabilities(texts, labels), atol=1e-6
    )
    np.testing.assert_allclose(loaded.thresholds, head.thresholds, atol=1e-6)
    assert loaded.floor == pytest.approx(0.15)


@pytest.mark.slow
def test_load_refuses_a_head_for_other_kinds(head, tmp_path):
    head.save(tmp_path)
    with np.load(tmp_path / FILE_NAME) as z:
        data = dict(z)
    data["kinds"] = np.array([*CLAIM_KINDS[:-1], "something_else"])
    np.savez(tmp_path / FILE_NAME, **data)
    with pytest.raises(ValueError, match="trained for claim kinds"):
        ClaimHead.load(tmp_path)
