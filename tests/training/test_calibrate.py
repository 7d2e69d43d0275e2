"""What training fits after the weights: temperature, blend weights and thresholds."""

import numpy as np
import pytest

from classifier.labels import LABEL2ID
from classifier.model import softmax
from classifier.verdict import Thresholds
from training.calibrate import (
    choose_block,
    choose_member_weights,
    choose_page_thresholds,
    choose_review,
    fit_temperature,
    macro_f1,
)

AD, PW, OK, NE = (LABEL2ID[k] for k in ("advertises_cashout", "presents_withdrawal_legitimate", "accurate", "neutral"))


def test_fit_temperature_recovers_the_temperature_that_generated_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(20000, 4))
    true_t = 2.5
    probs = softmax(logits / true_t)
    y = (probs.cumsum(axis=1) > rng.random((len(probs), 1))).argmax(axis=1)  # one draw per row
    assert fit_temperature(logits, y) == pytest.approx(true_t, rel=0.05)


def test_fit_temperature_refuses_degenerate_logits_instead_of_clamping():
    # Logits that always point at a wrong label: the best temperature is infinite.
    y = np.arange(200) % 4
    logits = np.eye(4)[(y + 1) % 4] * 5
    with pytest.raises(ValueError, match="outside"):
        fit_temperature(logits, y)


def test_member_weights_pick_the_member_that_is_right():
    y = np.array([AD, PW, OK, NE] * 25)
    good = np.eye(4)[y] * 5
    bad = np.roll(good, 1, axis=1)
    weights, scores = choose_member_weights(bad, {"char": good, "word": bad}, y)
    assert weights["char"] >= 0.6 and weights["word"] <= 0.2
    assert max(scores.values()) == pytest.approx(1.0)
    # When the transformer alone is perfect, ties go to it.
    weights, _ = choose_member_weights(good, {"char": bad, "word": bad}, y)
    assert weights == {"char": 0.0, "word": 0.0}


def test_review_threshold_drops_weak_flags_when_they_are_wrong():
    # Weak ad scores (0.45) are all wrong (gold neutral); strong ones (0.9) are right.
    probs = np.array([[0.45, 0.0, 0.0, 0.55 - 1e-3]] * 10 + [[0.9, 0.0, 0.0, 0.1]] * 10)
    probs[:10, AD] = 0.5
    probs[:10, NE] = 0.5 - 1e-3
    y = np.array([NE] * 10 + [AD] * 10)
    review = choose_review(probs, y)
    assert 0.5 < review <= 0.9
    assert macro_f1(y, probs.argmax(-1)) < 1.0


def _page(*ad_scores):
    return np.array([[s, 0.0, 1 - s, 0.0] for s in ad_scores])


def test_page_thresholds_fit_the_pages():
    # Pages whose strongest ad passage is 0.6 are really accurate; 0.95 ones are real ads.
    pages = [_page(0.1, 0.6)] * 6 + [_page(0.2, 0.95)] * 6
    verdicts = ["accurate"] * 6 + ["cashout_ad"] * 6
    page = choose_page_thresholds(pages, verdicts, review=0.5)
    assert 0.6 < page["advertises_cashout"] <= 0.95


def test_block_threshold_reaches_the_precision_or_says_it_cannot():
    pages = [_page(0.97)] * 30 + [_page(0.8)] * 10
    verdicts = ["cashout_ad"] * 30 + ["accurate"] * 10
    th = Thresholds(review=0.5, block=1.0, page={})
    block, report = choose_block(pages, verdicts, th, precision=0.98)
    assert 0.8 < block <= 0.97 and report["reachable"] and report["share_of_true_flags_blocked"] == 1.0
    block, report = choose_block(pages[:10] + pages[30:], verdicts[:10] + verdicts[30:], th, precision=0.98)
    assert block == 1.0 and not report["reachable"]
