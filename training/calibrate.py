"""Everything fitted after the weights: ensemble weight, temperature and thresholds.

All of it is fitted on challenge-dev (passages and pages written by people who never saw the
training corpus), never on the training corpus' own splits: choices made on text shaped like the
training data are what made the first model look good at home and fail on the web.
"""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path

import numpy as np
import torch
from torch import nn

from classifier.labels import FLAG_LABELS, LABEL2ID, LABELS
from classifier.linear import HashedLinear
from classifier.model import ModelInfo, PassageModel
from classifier.verdict import Thresholds, article_verdict, decide_labels
from training.config import TrainConfig
from training.units import Units

log = logging.getLogger("training")
FLAG_IDS = [LABEL2ID[f] for f in FLAG_LABELS]
FLAG_VERDICTS = ("cashout_ad", "misleading")


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, average="macro", labels=list(range(len(LABELS))), zero_division=0))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature scaling (Guo et al. 2017): the one scalar that minimises NLL on ``y``.

    Raises ValueError when the optimum lies outside [0.05, 20] rather than clamping it silently.
    """
    lt = torch.tensor(logits, dtype=torch.float32)
    yt = torch.tensor(y)
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(lt / log_t.exp(), yt)
        loss.backward()
        return loss

    opt.step(closure)
    t = float(log_t.exp().item())
    if not 0.05 <= t <= 20:
        raise ValueError(f"fitted temperature {t:.3g} is outside [0.05, 20]: the logits are degenerate")
    return t


def choose_member_weights(
    transformer: np.ndarray, linear: dict[str, np.ndarray], y: np.ndarray, step: float = 0.1
) -> tuple[dict[str, float], dict[str, float]]:
    """Blend weights for the linear members (the transformer gets the rest) with the best macro-F1
    on ``y``, searched on a grid over the simplex; ties go to more transformer weight.
    Returns (weights, macro-F1 of every grid point, keyed by its weights)."""
    kinds = sorted(linear)
    grid = [round(x, 2) for x in np.arange(0, 1 + 1e-9, step)]
    points = [
        dict(zip(kinds, p, strict=True)) for p in itertools.product(grid, repeat=len(kinds)) if sum(p) <= 1 + 1e-9
    ]
    scores = {}
    for point in points:
        z = (1 - sum(point.values())) * transformer + sum(w * linear[k] for k, w in point.items())
        scores[json.dumps(point, sort_keys=True)] = macro_f1(y, z.argmax(-1))
    best = max(points, key=lambda p: (round(scores[json.dumps(p, sort_keys=True)], 4), -sum(p.values())))
    return best, scores


def choose_review(probs: np.ndarray, y: np.ndarray) -> float:
    """Flag probability below which a flag is dropped, maximising macro-F1."""
    candidates = [round(t, 2) for t in np.arange(0.25, 0.8, 0.05)]
    return max(candidates, key=lambda t: (macro_f1(y, decide_labels(probs, t)), -t))


def page_predictions(page_probs: list[np.ndarray], thresholds: Thresholds) -> list[tuple[str, str, float]]:
    out = []
    for probs in page_probs:
        labels = [LABELS[i] for i in decide_labels(probs, thresholds.review)]
        scores = [float(p[LABEL2ID[label]]) for p, label in zip(probs, labels, strict=True)]
        out.append(article_verdict(labels, scores, thresholds))
    return out


def choose_page_thresholds(page_probs: list[np.ndarray], verdicts: list[str], review: float) -> dict[str, float]:
    """Per flag label, the score a page's strongest flagged passage needs, maximising page accuracy."""
    grid = sorted({round(t, 2) for t in np.arange(review, 1.0, 0.05)})
    best, best_acc = {}, -1.0
    for ad in grid:
        for mis in grid:
            th = Thresholds(review=review, block=1.0, page={FLAG_LABELS[0]: ad, FLAG_LABELS[1]: mis})
            acc = np.mean([v == p[0] for v, p in zip(verdicts, page_predictions(page_probs, th), strict=True)])
            if acc > best_acc + 1e-9:
                best, best_acc = th.page, acc
    return best


def choose_block(
    page_probs: list[np.ndarray], verdicts: list[str], thresholds: Thresholds, precision: float, min_support: int = 20
) -> tuple[float, dict]:
    """The lowest confidence at which blocked documents reach ``precision`` (a blocked document is
    right when its true verdict is a flag). Returns (threshold, report); the threshold is 1.0, and
    the report says block is unreachable, when no threshold reaches the precision."""
    preds = page_predictions(page_probs, Thresholds(thresholds.review, 1.0, thresholds.page))
    flagged = [
        (conf, truth in FLAG_VERDICTS)
        for (verdict, _, conf), truth in zip(preds, verdicts, strict=True)
        if verdict in FLAG_VERDICTS
    ]
    for t in sorted({round(c, 3) for c, _ in flagged}):
        sel = [ok for c, ok in flagged if c >= t]
        if len(sel) >= min_support and np.mean(sel) >= precision:
            true_flags = sum(v in FLAG_VERDICTS for v in verdicts)
            blocked_true = sum(ok for c, ok in flagged if c >= t)
            return float(t), {
                "reachable": True,
                "precision": float(np.mean(sel)),
                "blocked": len(sel),
                "share_of_true_flags_blocked": blocked_true / max(1, true_flags),
            }
    log.warning("block is unreachable: no threshold gives precision %.2f on challenge-dev", precision)
    return 1.0, {"reachable": False, "precision": None, "blocked": 0, "share_of_true_flags_blocked": 0.0}


def fit_on_challenge_dev(
    model, tokenizer, linear: dict[str, HashedLinear], cfg: TrainConfig, dev: Units, docs, verdicts
) -> dict:
    """Blend weights and temperature on challenge-dev passages, then every threshold through the
    exact inference path (PassageModel, windows included) on challenge-dev passages and pages."""

    def passage_model(weights: dict[str, float], temperature: float) -> PassageModel:
        info = ModelInfo(
            name="fitting",
            version="",
            data_hash="",
            labels=LABELS,
            temperature=temperature,
            block_threshold=1.0,
            review_threshold=0.5,
            path="",
            member_weights=weights,
        )
        return PassageModel(model, tokenizer, info, max_length=cfg.max_length, batch_size=64, linear=linear)

    transformer = passage_model({}, 1.0).logits(dev.texts)
    if linear:
        weights, weight_scores = choose_member_weights(
            transformer, {k: m.logits(dev.texts) for k, m in linear.items()}, dev.labels
        )
    else:
        weights, weight_scores = {}, {}
    blended = passage_model(weights, 1.0).blended_logits(dev.texts)
    temperature = fit_temperature(blended, dev.labels)
    final = passage_model(weights, temperature)
    probs = final.predict_proba(dev.texts)
    review = choose_review(probs, dev.labels)
    flat = [t for doc in docs for t in doc]
    flat_probs = final.predict_proba(flat)
    doc_probs, cursor = [], 0
    for doc in docs:
        doc_probs.append(flat_probs[cursor : cursor + len(doc)])
        cursor += len(doc)
    page = choose_page_thresholds(doc_probs, verdicts, review)
    block, block_report = choose_block(doc_probs, verdicts, Thresholds(review, 1.0, page), cfg.block_precision)
    result = {
        "member_weights": {k: float(w) for k, w in weights.items()},
        "member_weight_scores": weight_scores,
        "transformer_alone_challenge_dev_macro_f1": macro_f1(dev.labels, transformer.argmax(-1)),
        "temperature": float(temperature),
        "review_threshold": float(review),
        "page_thresholds": {k: float(v) for k, v in page.items()},
        "block_threshold": float(max(block, review)),
        "block": block_report,
        "challenge_dev_macro_f1": macro_f1(dev.labels, decide_labels(probs, review)),
    }
    log.info("calibrated on challenge-dev: %s", {k: v for k, v in result.items() if k != "member_weight_scores"})
    return result


def recalibrate(folder: Path) -> dict:
    """Refit blend weights, temperature and thresholds of a trained folder on challenge-dev, as
    training does, without retraining (after a change to the inference path, such as windows)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from training.data import CHALLENGE_PAGES, CHALLENGE_PASSAGES, read_jsonl
    from training.units import challenge_documents, gold_passages

    summary_file, config_file = folder / "training_summary.json", folder / "config.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    cfg = TrainConfig.from_dict(summary["config"])
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    linear = {k: HashedLinear.load(folder, k) for k in cfg.linear_members if (folder / f"linear_{k}.npz").exists()}
    ch_passages, ch_pages = read_jsonl(CHALLENGE_PASSAGES), read_jsonl(CHALLENGE_PAGES)
    dev = gold_passages(ch_passages, {"challenge-dev"})
    docs, verdicts = challenge_documents(ch_passages, ch_pages, "challenge-dev")
    fitted = fit_on_challenge_dev(model, tokenizer, linear, cfg, dev, docs, verdicts)
    config = json.loads(config_file.read_text(encoding="utf-8"))
    keys = ("member_weights", "temperature", "review_threshold", "page_thresholds", "block_threshold")
    config["auditor"].update({k: fitted[k] for k in keys})
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary_file.write_text(json.dumps({**summary, **fitted}, ensure_ascii=False, indent=2), encoding="utf-8")
    return fitted


if __name__ == "__main__":
    import argparse

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    parser = argparse.ArgumentParser(prog="python -m training.calibrate", description=recalibrate.__doc__)
    parser.add_argument("--model", type=Path, default=Path("classifier/models/default"))
    recalibrate(parser.parse_args().model)
