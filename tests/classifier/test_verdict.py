import numpy as np
import pytest

from classifier.labels import LABEL2ID
from classifier.verdict import Thresholds, article_verdict, decide_labels

AD = "advertises_cashout"
PW = "presents_withdrawal_legitimate"


def _p(**kw):
    row = np.zeros(4)
    for k, v in kw.items():
        row[LABEL2ID[k]] = v
    return row


def test_weak_flags_fall_back_to_best_other_label():
    probs = np.stack([_p(advertises_cashout=0.4, neutral=0.35, accurate=0.25), _p(advertises_cashout=0.9, neutral=0.1)])
    assert decide_labels(probs, 0.5).tolist() == [LABEL2ID["neutral"], LABEL2ID[AD]]
    assert decide_labels(probs, 0.3).tolist() == [LABEL2ID[AD], LABEL2ID[AD]]


@pytest.mark.parametrize(
    ("labels", "scores", "expected"),
    [
        (["neutral", AD, PW], [0.9, 0.95, 0.99], ("cashout_ad", "block")),  # an ad wins over a claim
        (["neutral", AD], [0.9, 0.6], ("cashout_ad", "review")),  # below block threshold
        (["accurate", PW], [0.9, 0.85], ("misleading", "block")),
        (["accurate", PW], [0.9, 0.5], ("misleading", "review")),
        (["accurate", "neutral"], [0.7, 0.9], ("accurate", "pass")),
        (["neutral", "neutral"], [0.7, 0.9], ("unrelated", "pass")),
    ],
)
def test_article_verdict_rules(labels, scores, expected):
    verdict, suggestion, confidence = article_verdict(labels, scores, Thresholds(review=0.3, block=0.8))
    assert (verdict, suggestion) == expected
    assert 0 <= confidence <= 1


def test_flags_below_the_page_threshold_do_not_decide_the_page_but_send_it_to_review():
    th = Thresholds(review=0.3, block=0.9, page={AD: 0.7, PW: 0.6})
    # One weak ad among accurate passages: the page stays accurate, and a moderator looks.
    assert article_verdict(["accurate", AD, "accurate"], [0.9, 0.65, 0.8], th) == ("accurate", "review", 0.9)
    assert article_verdict(["neutral", PW], [0.9, 0.5], th)[:2] == ("unrelated", "review")
    # At the page threshold the flag decides; the block threshold decides block.
    assert article_verdict(["accurate", AD], [0.9, 0.7], th)[:2] == ("cashout_ad", "review")
    assert article_verdict(["accurate", PW], [0.9, 0.95], th)[:2] == ("misleading", "block")


@pytest.mark.parametrize(
    "bad",
    [dict(review=0.9, block=0.5), dict(review=0.3, block=1.2), dict(review=0.3, block=0.9, page={"neutral": 0.5})],
)
def test_inconsistent_thresholds_are_refused_not_clamped(bad):
    with pytest.raises(ValueError):
        Thresholds(**bad)


# Boundaries and the unrelated page's confidence: mutants that survived the tests above (reports/mutation.md).


def test_thresholds_are_inclusive():
    th = Thresholds(review=0.5, block=0.9)
    # A flag exactly at the review threshold is raised; a page exactly at the block threshold is blocked.
    probs = np.stack([_p(advertises_cashout=0.5, neutral=0.3, accurate=0.2)])
    assert decide_labels(probs, 0.5).tolist() == [LABEL2ID[AD]]
    assert article_verdict([AD], [0.9], th)[:2] == ("cashout_ad", "block")


def test_each_weak_flag_falls_back_to_its_own_best_other_label():
    probs = np.stack(
        [
            _p(advertises_cashout=0.4, neutral=0.35, accurate=0.25),
            _p(presents_withdrawal_legitimate=0.4, accurate=0.35, neutral=0.25),
        ]
    )
    assert decide_labels(probs, 0.5).tolist() == [LABEL2ID["neutral"], LABEL2ID["accurate"]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(review=-0.1, block=0.9), r"threshold review = -0.1 is outside \[0, 1\]"),
        (dict(review=0.5, block=1.1), r"threshold block = 1.1 is outside \[0, 1\]"),
        (dict(review=0.6, block=0.5), "review threshold 0.6 exceeds block threshold 0.5"),
        (dict(review=0.5, block=0.9, page={"accurate": 0.7}), r"not flags: \['accurate'\]"),
    ],
)
def test_bad_thresholds_are_refused_with_their_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Thresholds(**kwargs)


def test_the_ends_of_the_range_and_equal_thresholds_are_allowed():
    assert Thresholds(review=0.0, block=1.0).block == 1.0
    assert Thresholds(review=0.7, block=0.7).review == 0.7


def test_an_unrelated_page_is_as_confident_as_its_least_sure_neutral_passage():
    th = Thresholds(review=0.5, block=0.9)
    assert article_verdict(["neutral", "neutral"], [0.7, 0.9], th) == ("unrelated", "pass", 0.7)
    assert article_verdict([], [], th) == ("unrelated", "pass", 1.0)
