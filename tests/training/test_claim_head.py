"""Threshold fitting of the claim head on challenge-dev (training/claim_head.py)."""

import numpy as np
import pytest

from classifier.claim_head import ClaimHead
from classifier.labels import CLAIM_KINDS
from training.claim_head import choose_scheme, fit_global_threshold, fit_thresholds, kind_matrix, micro_f1, per_kind_f1


def test_micro_f1_counts():
    gold = np.array([[1, 0], [1, 1]])
    pred = np.array([[1, 1], [0, 1]])
    assert micro_f1(gold, pred) == pytest.approx(2 * 2 / (3 + 3))
    assert micro_f1(np.zeros((2, 2), int), np.zeros((2, 2), int)) == 0.0


def test_fit_thresholds_separates_each_kind_and_sets_the_floor():
    rng = np.random.default_rng(0)
    gold = kind_matrix([[CLAIM_KINDS[i % len(CLAIM_KINDS)]] for i in range(70)])
    # positives score 0.55-0.7, negatives 0.0-0.3: any threshold in (0.3, 0.55] is perfect
    probs = np.where(gold == 1, rng.uniform(0.55, 0.7, gold.shape), rng.uniform(0.0, 0.3, gold.shape))
    thresholds, floor = fit_thresholds(probs, gold)
    assert all(0.3 < t <= 0.55 for t in thresholds)
    assert thresholds.max() == pytest.approx(0.55)  # ties go to the higher threshold
    assert floor == 1.0  # nothing to fill in when every passage already has its kind


def test_fit_thresholds_uses_the_floor_when_a_kind_is_missed():
    gold = kind_matrix([["drug_resale"], ["drug_resale"], ["card_lending"]])
    probs = np.zeros((3, len(CLAIM_KINDS)))
    probs[:2, CLAIM_KINDS.index("drug_resale")] = [0.9, 0.15]  # the second is under every threshold
    probs[2, CLAIM_KINDS.index("card_lending")] = 0.9
    thresholds, floor = fit_thresholds(probs, gold)
    assert floor <= 0.15
    head = ClaimHead(np.zeros(1), np.zeros((len(CLAIM_KINDS), 1)), np.zeros(len(CLAIM_KINDS)), thresholds, floor)
    pred = kind_matrix(head.decide(probs))
    assert per_kind_f1(gold, pred)["drug_resale"] == 1.0


def test_fit_thresholds_refuses_mismatched_input():
    with pytest.raises(ValueError, match="matching"):
        fit_thresholds(np.zeros((2, len(CLAIM_KINDS))), np.zeros((3, len(CLAIM_KINDS)), int))


def test_global_threshold_is_one_number_for_every_kind():
    gold = kind_matrix([["drug_resale"], ["card_lending"], ["drug_resale", "card_lending"]])
    probs = np.zeros((3, len(CLAIM_KINDS)))
    probs[:, CLAIM_KINDS.index("drug_resale")] = [0.9, 0.2, 0.6]
    probs[:, CLAIM_KINDS.index("card_lending")] = [0.1, 0.7, 0.65]
    thresholds, floor = fit_global_threshold(probs, gold)
    assert len(set(thresholds.tolist())) == 1 and 0.2 < thresholds[0] <= 0.6 and floor == 1.0


def test_choose_scheme_takes_per_kind_thresholds_when_kinds_separate_at_different_points():
    rng = np.random.default_rng(1)
    gold = kind_matrix([[CLAIM_KINDS[i % 2]] for i in range(80)])
    probs = np.zeros(gold.shape)
    a, b = 0, 1
    # kind a separates near 0.8, kind b near 0.25: no single threshold serves both
    probs[:, a] = np.where(gold[:, a] == 1, rng.uniform(0.85, 0.95, len(gold)), rng.uniform(0.55, 0.75, len(gold)))
    probs[:, b] = np.where(gold[:, b] == 1, rng.uniform(0.26, 0.35, len(gold)), rng.uniform(0.0, 0.2, len(gold)))
    choice = choose_scheme(probs, gold, folds=4, repeats=2)
    assert choice["scheme"] == "per_kind"
    assert choice["cv_micro_f1"]["per_kind"] > choice["cv_micro_f1"]["global"] + 0.1
