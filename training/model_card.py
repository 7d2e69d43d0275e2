"""Write the model card (README.md in the model folder) from the recorded runs.

    python -m training.model_card --model classifier/models/default

Every figure comes from training_summary.json (the training run), reports/evaluation.json (the
test-split evaluation) and benchmarks/results.json (the speed run); none is typed by hand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def render(model_dir: Path, evaluation: dict | None, bench: dict | None) -> str:
    summary = json.loads((model_dir / "training_summary.json").read_text(encoding="utf-8"))
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    aud = config["auditor"]
    cfg = summary["config"]
    lines = [
        f"# Model card: {aud['name']} {aud['version']}",
        "",
        "A compact Chinese BERT (character vocabulary) that labels passages as `advertises_cashout`,",
        "`presents_withdrawal_legitimate`, `accurate` or `neutral` (labels in `config.json` `id2label`).",
        "Trained from scratch on this repository's corpus only: no downloaded weights.",
        "",
        "## Training",
        "",
        f"- Command: `make train` (`python -m training.train --preset default --output {model_dir}`)",
        f"- Data hash: `{aud['data_hash']}` ({summary['train_rows']} train / {summary['dev_rows']} dev passages)",
        f"- Encoder: {cfg['num_layers']} layers, hidden {cfg['hidden_size']}, {cfg['num_heads']} heads, "
        f"intermediate {cfg['intermediate_size']}, max length {cfg['max_length']}",
        f"- Domain MLM pretraining: {cfg['pretrain_epochs']} epochs, jieba whole-word masking at {cfg['mask_rate']:.0%} "
        f"({summary['pretrain_seconds']:.0f} s); fine-tuning: best epoch {summary['best_epoch']} of {cfg['finetune_epochs']}, "
        f"class-weighted loss, early stopping on dev macro-F1 ({summary['finetune_seconds']:.0f} s)",
        f"- Total training time: {summary['total_seconds'] / 60:.1f} min on the machine below; seed {cfg['seed']}",
        f"- Best dev macro-F1: {summary['best_dev_macro_f1']:.4f}",
        f"- Calibration: temperature {aud['temperature']:.3f} (fitted on dev); thresholds chosen on dev: "
        f"block {aud['block_threshold']:.3f}, review {aud['review_threshold']:.2f}",
        "- Libraries: " + ", ".join(f"{k} {v}" for k, v in summary["library_versions"].items()),
        "- Full configuration: `training_summary.json` in this folder.",
        "",
    ]
    if evaluation:
        systems = evaluation["systems"]
        lines += [
            "## Results on the family-held-out test split",
            "",
            "From `reports/evaluation.json` (`make evaluate`); see `reports/evaluation.md` for slices and errors.",
            "",
            "| system | macro-F1 | ad recall | withdrawal recall |",
            "|---|---:|---:|---:|",
        ]
        for name, m in systems.items():
            pl = m["per_label"]
            lines.append(
                f"| {name} | {m['macro_f1']:.3f} | {pl['advertises_cashout']['recall']:.3f} | {pl['presents_withdrawal_legitimate']['recall']:.3f} |"
            )
        if "calibration" in evaluation:
            c = evaluation["calibration"]
            lines += [
                "",
                f"Expected calibration error on test: {c['ece_before']:.4f} before, {c['ece_after']:.4f} after temperature scaling.",
            ]
        if "articles" in evaluation:
            a = evaluation["articles"]
            lines.append(
                f"Article verdict accuracy ({a['n_articles']} test articles, full audit path): {a['accuracy_full_audit']:.3f}."
            )
        ck = evaluation["claim_kinds"]
        lines += [
            "",
            f"Claim kinds come from the rule layer (`classifier/claims.py`): micro-F1 {ck['micro_f1']:.3f} on gold-flagged test passages.",
            "",
        ]
    if bench:
        t = bench["throughput"]
        a = bench["audit_2000_chars"]
        lines += [
            "## Speed (`make benchmark`)",
            "",
            f"{bench['machine']['cpu']}, {bench['machine']['cores']} cores. Passages/s at batch 64 (100 characters): "
            f"fp32 {t['fp32']['64']}, int8 {t['int8']['64']}. `audit` of 2,000 characters: p50 {a['fp32']['p50_ms']} ms fp32. "
            f"Peak RSS {bench['peak_rss_mb']} MB.",
            "",
        ]
    lines += [
        "## Limits",
        "",
        "- The corpus is composed from sentences we wrote (see `labeled_data/DATASHEET.md`); test scores measure",
        "  generalisation to unseen sentences in familiar shapes, not to the open web. Expect lower accuracy on real pages.",
        "- Claim kinds are rules, not learned; citations follow claim kinds, so a wrong kind gives a wrong citation.",
        "- Medium-confidence statute quotations are marked as such in every citation (`confidence`).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.model_card")
    parser.add_argument("--model", type=Path, default=Path("classifier/models/default"))
    parser.add_argument("--evaluation", type=Path, default=Path("reports/evaluation.json"))
    parser.add_argument("--benchmark", type=Path, default=Path("benchmarks/results.json"))
    args = parser.parse_args(argv)
    text = render(args.model, _load(args.evaluation), _load(args.benchmark))
    (args.model / "README.md").write_text(text, encoding="utf-8")
    print(f"wrote {args.model / 'README.md'}")


if __name__ == "__main__":
    main()
