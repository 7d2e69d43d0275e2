"""Train the claim-kind head (classifier/claim_head.py) and fit its thresholds on challenge-dev.

    python -m training.claim_head --model classifier/models/default

Fits on the corpus's flagged passages of the train and dev splits (their gold claim kinds),
then chooses the thresholds on challenge-dev's flagged passages (never challenge-test): one per
kind plus a floor, or one shared threshold, whichever scheme has the better cross-validated
micro-F1 on challenge-dev, saves ``claim_head.npz`` into the model folder and records the choice and
the dev figures under ``auditor.claim_head`` in its config.json. ``make train`` runs it as its
last step; it can be rerun on a shipped folder without retraining the transformer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifier.claim_head import FILE_NAME, ClaimHead
from classifier.labels import CLAIM_KINDS, FLAG_LABELS
from classifier.normalize import normalize_text
from training.data import CHALLENGE_PASSAGES, PASSAGES, data_hash, read_jsonl

log = logging.getLogger(__name__)

THRESHOLD_GRID = np.round(np.arange(0.2, 0.81, 0.05), 2)
FLOOR_GRID = (0.05, 0.1, 0.15, 0.2, 0.3, 1.0)  # 1.0: never fill in a kind under its threshold


def flagged(rows: list[dict], splits: set[str]) -> list[dict]:
    return [r for r in rows if r["split"] in splits and r["label"] in FLAG_LABELS]


def kind_matrix(kinds: list[list[str]]) -> np.ndarray:
    return np.array([[k in row for k in CLAIM_KINDS] for row in kinds], dtype=int)


def micro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = int((gold & pred).sum())
    denominator = int(gold.sum() + pred.sum())
    return 2 * tp / denominator if denominator else 0.0


def per_kind_f1(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {k: micro_f1(gold[:, j], pred[:, j]) for j, k in enumerate(CLAIM_KINDS)}


def fit_thresholds(probs: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, float]:
    """Per kind, the threshold with the best F1 for that kind (ties: the higher threshold); then
    the floor with the best micro-F1 given those thresholds (ties: the higher floor, filling in less)."""
    if probs.shape != gold.shape or not len(probs):
        raise ValueError(f"need matching, non-empty probabilities and gold kinds, got {probs.shape} / {gold.shape}")
    thresholds = np.empty(len(CLAIM_KINDS))
    for j in range(len(CLAIM_KINDS)):
        scores = [micro_f1(gold[:, j], (probs[:, j] >= t).astype(int)) for t in THRESHOLD_GRID]
        best = max(scores)
        thresholds[j] = max(t for t, s in zip(THRESHOLD_GRID, scores, strict=True) if s == best)
    head = ClaimHead(np.zeros(1), np.zeros((len(CLAIM_KINDS), 1)), np.zeros(len(CLAIM_KINDS)), thresholds, 1.0)
    best_floor, best_score = 1.0, -1.0
    for floor in sorted(FLOOR_GRID, reverse=True):
        head.floor = floor
        score = micro_f1(gold, kind_matrix(head.decide(probs)))
        if score > best_score + 1e-12:
            best_floor, best_score = floor, score
    return thresholds, best_floor


def fit_global_threshold(probs: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, float]:
    """One threshold for every kind (ties: the higher), no floor: fewer numbers fitted on a small set."""
    if probs.shape != gold.shape or not len(probs):
        raise ValueError(f"need matching, non-empty probabilities and gold kinds, got {probs.shape} / {gold.shape}")
    scores = [micro_f1(gold, (probs >= t).astype(int)) for t in THRESHOLD_GRID]
    best = max(t for t, s in zip(THRESHOLD_GRID, scores, strict=True) if s == max(scores))
    return np.full(len(CLAIM_KINDS), best), 1.0


SCHEMES = {"per_kind": fit_thresholds, "global": fit_global_threshold}


def choose_scheme(probs: np.ndarray, gold: np.ndarray, folds: int = 5, repeats: int = 5, seed: int = 0) -> dict:
    """Cross-validated micro-F1 on challenge-dev of each threshold scheme: fitted on the other
    folds, scored on the held-out one. Per-kind thresholds fit seven numbers on a few dozen
    passages each; the comparison says whether that beats one shared threshold out of sample."""
    rng = np.random.default_rng(seed)
    scores: dict[str, list[float]] = {name: [] for name in SCHEMES}
    for _ in range(repeats):
        parts = np.array_split(rng.permutation(len(gold)), folds)
        for k in range(folds):
            held = parts[k]
            rest = np.concatenate([parts[i] for i in range(folds) if i != k])
            for name, fit in SCHEMES.items():
                thresholds, floor = fit(probs[rest], gold[rest])
                head = ClaimHead(
                    np.zeros(1), np.zeros((len(CLAIM_KINDS), 1)), np.zeros(len(CLAIM_KINDS)), thresholds, floor
                )
                scores[name].append(micro_f1(gold[held], kind_matrix(head.decide(probs[held]))))
    means = {name: round(float(np.mean(v)), 4) for name, v in scores.items()}
    return {"cv_micro_f1": means, "scheme": max(means, key=lambda name: (means[name], name == "global"))}


def train_and_fit(passages: list[dict], challenge: list[dict], c: float = 16.0) -> tuple[ClaimHead, dict]:
    train = flagged(passages, {"train", "dev"})
    dev = flagged(challenge, {"challenge-dev"})
    head = ClaimHead.fit(
        [normalize_text(r["text"]) for r in train], [r["label"] for r in train], [r["claim_kinds"] for r in train], c=c
    ).rounded()
    probs = head.probabilities([normalize_text(r["text"]) for r in dev], [r["label"] for r in dev])
    gold = kind_matrix([r["claim_kinds"] for r in dev])
    choice = choose_scheme(probs, gold)
    head.thresholds, head.floor = SCHEMES[choice["scheme"]](probs, gold)
    pred = kind_matrix(head.decide(probs))
    report = {
        "file": FILE_NAME,
        "c": c,
        "train_passages": len(train),
        "challenge_dev_passages": len(dev),
        "threshold_scheme": choice["scheme"],
        "threshold_scheme_cv_micro_f1": choice["cv_micro_f1"],
        "thresholds": {k: float(t) for k, t in zip(CLAIM_KINDS, head.thresholds, strict=True)},
        "floor": head.floor,
        "challenge_dev_micro_f1": round(micro_f1(gold, pred), 4),
        "challenge_dev_per_kind_f1": {k: round(v, 4) for k, v in per_kind_f1(gold, pred).items()},
    }
    return head, report


@dataclass
class ClaimHeadArguments:
    model: str = field(metadata={"help": "model folder to add claim_head.npz to"})
    c: float = field(default=16.0, metadata={"help": "inverse L2 strength of the logistic regressions"})


def add_to_model(folder: Path, c: float = 16.0) -> dict:
    head, report = train_and_fit(read_jsonl(PASSAGES), read_jsonl(CHALLENGE_PASSAGES), c=c)
    head.save(folder)
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["auditor"]["claim_head"] = {**report, "data_hash": data_hash(PASSAGES)}
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    from transformers import HfArgumentParser

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    (args,) = HfArgumentParser(ClaimHeadArguments).parse_args_into_dataclasses(args=argv)
    report = add_to_model(Path(args.model), c=args.c)
    log.info("claim head saved: challenge-dev micro-F1 %.4f, per kind %s", report["challenge_dev_micro_f1"],
             report["challenge_dev_per_kind_f1"])  # fmt: skip


if __name__ == "__main__":
    main()
