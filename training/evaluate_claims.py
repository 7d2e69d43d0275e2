"""Claim kinds and citations, measured on the gold-flagged passages of each evaluation set.

    python -m training.evaluate_claims --model classifier/models/default --report reports

The gold label is given (this isolates the claim layer from the label model): the shipped claim
head and the rule layer each name the kinds, compared with the gold kinds per kind (F1, support)
and overall (micro- and macro-F1). Citations are then chosen for the head's kinds, the passage's
routes and actor, as the auditor does, and counted per flag. ``training.evaluate`` calls
``claim_report``; run alone, this module refreshes the claim section of an existing
``evaluation.json`` and re-renders ``evaluation.md`` without rerunning the label models.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from classifier.claim_head import ClaimHead
from classifier.claims import actor, routes, rule_kinds
from classifier.labels import CLAIM_KINDS, FLAG_LABELS
from classifier.legal import citations_for, rules_version
from classifier.normalize import normalize_text
from training.claim_head import kind_matrix, micro_f1, per_kind_f1
from training.data import CHALLENGE_PASSAGES, PASSAGES, read_jsonl

SETS = {
    "in-split test": (PASSAGES, {"test"}),
    "challenge-dev": (CHALLENGE_PASSAGES, {"challenge-dev"}),
    "challenge-test": (CHALLENGE_PASSAGES, {"challenge-test"}),
}
TARGET_MICRO, TARGET_PER_KIND = 0.85, 0.75


def _scores(gold: np.ndarray, predicted: list[list[str]]) -> dict:
    pred = kind_matrix(predicted)
    per = per_kind_f1(gold, pred)
    return {
        "micro_f1": round(micro_f1(gold, pred), 4),
        "macro_f1": round(float(np.mean(list(per.values()))), 4),
        "per_kind_f1": {k: round(v, 4) for k, v in per.items()},
        "unspecified": sum(1 for kinds in predicted if kinds == ["unspecified"]),
    }


def claim_report(head: ClaimHead) -> dict:
    out: dict = {"rules_version": rules_version(), "sets": {}}
    for name, (path, splits) in SETS.items():
        rows = [r for r in read_jsonl(path) if r["split"] in splits and r["label"] in FLAG_LABELS]
        texts = [normalize_text(r["text"]) for r in rows]
        labels = [r["label"] for r in rows]
        gold = kind_matrix([r["claim_kinds"] for r in rows])
        by_head = head.predict(texts, labels)
        by_rules = [rule_kinds(t, label) for t, label in zip(texts, labels, strict=True)]
        counts = []
        for t, label, kinds in zip(texts, labels, by_head, strict=True):
            passage_routes = routes(t) if "false_exit_route" in kinds else []
            counts.append(len(citations_for(label, kinds, passage_routes, actor(t, label, kinds))))
        out["sets"][name] = {
            "n_passages": len(rows),
            "support": {k: int(v) for k, v in zip(CLAIM_KINDS, gold.sum(0), strict=True)},
            "claim head": _scores(gold, by_head),
            "rule layer": _scores(gold, by_rules),
            "citations_per_flag": {
                "mean": round(float(np.mean(counts)), 2) if counts else 0.0,
                "max": max(counts, default=0),
                "none": sum(1 for c in counts if c == 0),
            },
        }
    return out


def render(ck: dict) -> list[str]:
    test = ck["sets"]["challenge-test"]
    head, rules = test["claim head"], test["rule layer"]
    met = head["micro_f1"] >= TARGET_MICRO and min(head["per_kind_f1"].values()) >= TARGET_PER_KIND
    lines = [
        "",
        "## Claim kinds and citations (gold-flagged passages; the gold label is given)",
        "",
        "The shipped claim head (classifier/claim_head.py, thresholds fitted on challenge-dev) against the "
        "rule layer (classifier/claims.py, clause-scoped negation). Targets on challenge-test: micro-F1 "
        f"≥ {TARGET_MICRO}, every kind ≥ {TARGET_PER_KIND}: **{'met' if met else 'missed'}** "
        f"(micro-F1 {head['micro_f1']:.3f}, lowest kind {min(head['per_kind_f1'].values()):.3f}).",
        "",
        "| set | n | head micro-F1 | head macro-F1 | rules micro-F1 | rules macro-F1 | head `unspecified` |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in ck["sets"].items():
        h, r = s["claim head"], s["rule layer"]
        lines.append(
            f"| {name} | {s['n_passages']} | {h['micro_f1']:.3f} | {h['macro_f1']:.3f} | {r['micro_f1']:.3f} "
            f"| {r['macro_f1']:.3f} | {h['unspecified']} |"
        )
    lines += [
        "",
        "Per kind on challenge-test:",
        "",
        "| claim kind | support | head F1 | rules F1 |",
        "|---|---:|---:|---:|",
        *[
            f"| {k} | {test['support'][k]} | {head['per_kind_f1'][k]:.3f} | {rules['per_kind_f1'][k]:.3f} |"
            for k in CLAIM_KINDS
        ],
        "",
        f"Citations per flag (rules version {ck['rules_version']}, head kinds):",
        "",
        "| set | mean | max | flags with none |",
        "|---|---:|---:|---:|",
        *[
            f"| {name} | {s['citations_per_flag']['mean']:.2f} | {s['citations_per_flag']['max']} "
            f"| {s['citations_per_flag']['none']} |"
            for name, s in ck["sets"].items()
        ],
    ]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate_claims", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("classifier/models/default"))
    parser.add_argument("--report", type=Path, default=Path("reports"), help="folder holding evaluation.json")
    args = parser.parse_args(argv)
    from training.evaluate import render_markdown

    ck = claim_report(ClaimHead.load(args.model))
    path = args.report / "evaluation.json"
    results = json.loads(path.read_text(encoding="utf-8"))
    results["claim_kinds"] = ck
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (args.report / "evaluation.md").write_text(render_markdown(results), encoding="utf-8")
    print("\n".join(render(ck)))


if __name__ == "__main__":
    main()
