"""Train the passage classifier end to end.

    python -m training.train --preset default --output classifier/models/default
    python -m training.train --preset smoke --output /tmp/smoke-model --finetune_epochs 2
    python -m training.train --base_model path/to/chinese-roberta --output runs/roberta

Steps, one module each: character tokenizer (training/tokenizer.py) -> domain MLM pretraining
with jieba whole-word masking (pretrain.py) -> fine-tuning on the four labels with class weights
and early stopping on challenge-dev macro-F1 (finetune.py) -> hashed char and word TF-IDF + LR
members on the same training units -> blend weights, temperature and thresholds fitted on
challenge-dev (calibrate.py) -> save the folder with the config, data and challenge hashes and
library versions -> the claim-kind head (claim_head.py), thresholds on challenge-dev. Neither the
corpus' test split nor challenge-test is read here.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from classifier.labels import ID2LABEL, LABEL2ID, LABELS
from classifier.linear import KINDS, HashedLinear, file_name
from classifier.normalize import normalize_text
from training.calibrate import fit_on_challenge_dev, macro_f1
from training.claim_head import add_to_model as add_claim_head
from training.config import PRESETS, TrainConfig, parse_overrides
from training.data import (
    ARTICLES,
    CHALLENGE_PAGES,
    CHALLENGE_PASSAGES,
    PASSAGES,
    challenge_hash,
    data_hash,
    read_jsonl,
)
from training.finetune import finetune
from training.pretrain import pretrain
from training.tokenizer import build_tokenizer
from training.units import Units, build_units, challenge_documents, gold_passages

log = logging.getLogger("training")


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def library_versions() -> dict[str, str]:
    import datasets
    import jieba
    import transformers

    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "datasets": datasets.__version__,
        "jieba": jieba.__version__,
    }


def fit_linear_members(train: Units, dev: Units, cfg: TrainConfig) -> dict[str, HashedLinear]:
    """Each linear member at the regularisation that scores best on challenge-dev."""
    members = {}
    for kind in cfg.linear_members:
        fits = [HashedLinear.fit(kind, train.texts, train.labels, c=c).rounded() for c in cfg.linear_c_grid]
        scores = [macro_f1(dev.labels, m.logits(dev.texts).argmax(-1)) for m in fits]
        best = int(np.argmax(scores))
        log.info(
            "linear %s: C %s -> challenge-dev macro-F1 %s; keeping C=%s",
            kind,
            cfg.linear_c_grid,
            [round(x, 4) for x in scores],
            cfg.linear_c_grid[best],
        )
        members[kind] = fits[best]
    return members


def run(
    cfg: TrainConfig,
    output: Path,
    base_model: str | None = None,
    name: str = "medcash-zh-small",
    version: str | None = None,
) -> dict:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertForSequenceClassification

    started = time.time()
    set_seed(cfg.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    passages, articles = read_jsonl(PASSAGES), read_jsonl(ARTICLES)
    ch_passages, ch_pages = read_jsonl(CHALLENGE_PASSAGES), read_jsonl(CHALLENGE_PAGES)
    # Model selection and every fitted threshold use challenge-dev; the corpus' own test split
    # and challenge-test are never read here.
    train = build_units(passages, articles, set(cfg.train_splits), cfg.augment_rate, cfg.seed)
    dev = gold_passages(ch_passages, {"challenge-dev"})
    if cfg.max_train_rows is not None and len(train) > cfg.max_train_rows:
        keep = sorted(random.Random(cfg.seed).sample(range(len(train)), cfg.max_train_rows))
        train = Units([train.texts[i] for i in keep], train.labels[keep])
    log.info("training units: %d; challenge-dev passages: %d", len(train), len(dev))
    output.mkdir(parents=True, exist_ok=True)

    if base_model:
        tokenizer = AutoTokenizer.from_pretrained(base_model)
        model = AutoModelForSequenceClassification.from_pretrained(
            base_model, num_labels=len(LABELS), id2label=ID2LABEL, label2id=LABEL2ID, ignore_mismatched_sizes=True
        )
        pretrain_seconds = 0.0
    else:
        # Pretraining reads training-split text only (passages and whole pages), never a challenge text.
        unlabeled = train.texts + [normalize_text(a["text"]) for a in articles if a["split"] in cfg.train_splits]
        unlabeled = [t for t in unlabeled if t.strip()]
        tokenizer = build_tokenizer(unlabeled, output)
        t0 = time.time()
        mlm = pretrain(unlabeled, tokenizer, cfg)
        pretrain_seconds = time.time() - t0
        mlm.config.update(
            {
                "num_labels": len(LABELS),
                "id2label": ID2LABEL,
                "label2id": LABEL2ID,
                "classifier_dropout": cfg.classifier_dropout,
            }
        )
        model = BertForSequenceClassification(mlm.config)
        model.bert.load_state_dict(mlm.bert.state_dict(), strict=False)

    t0 = time.time()
    model, fit = finetune(model, tokenizer, (train.texts, train.labels), (dev.texts, dev.labels), cfg)
    finetune_seconds = time.time() - t0
    linear = fit_linear_members(train, dev, cfg)
    docs, verdicts = challenge_documents(ch_passages, ch_pages, "challenge-dev")
    fitted = fit_on_challenge_dev(model, tokenizer, linear, cfg, dev, docs, verdicts)

    version = version or time.strftime("%Y.%m.%d")
    model.config.auditor = {
        "name": name,
        "version": version,
        "data_hash": data_hash(PASSAGES, ARTICLES),
        "challenge_hash": challenge_hash(),
        "temperature": fitted["temperature"],
        "member_weights": fitted["member_weights"],
        "block_threshold": fitted["block_threshold"],
        "review_threshold": fitted["review_threshold"],
        "page_thresholds": fitted["page_thresholds"],
        "max_length": cfg.max_length,
        "base_model": base_model or ("scratch+domain-mlm" if cfg.pretrain_epochs else "scratch"),
    }
    model.config.id2label = ID2LABEL
    model.config.label2id = LABEL2ID
    model.save_pretrained(output, safe_serialization=True)
    tokenizer.save_pretrained(output)
    for kind in KINDS:
        (output / file_name(kind)).unlink(missing_ok=True)
    for kind, member in linear.items():
        if fitted["member_weights"].get(kind, 0) > 0:
            member.save(output)
    summary = {
        "config": cfg.to_dict(),
        "base_model": base_model,
        "data_hash": model.config.auditor["data_hash"],
        "challenge_hash": model.config.auditor["challenge_hash"],
        "library_versions": library_versions(),
        "train_rows": len(train),
        "challenge_dev_rows": len(dev),
        **fitted,
        "pretrain_seconds": round(pretrain_seconds, 1),
        "finetune_seconds": round(finetune_seconds, 1),
        "total_seconds": round(time.time() - started, 1),
        **fit,
    }
    # The claim-kind head is fitted last: it reads the same corpus and records itself in config.json.
    summary["claim_head"] = add_claim_head(output)
    (output / "training_summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info(
        "saved model to %s in %.0fs (challenge-dev macro-F1 %.4f)",
        output,
        summary["total_seconds"],
        fitted["challenge_dev_macro_f1"],
    )
    return summary


@dataclass
class RunArguments:
    output: str = field(metadata={"help": "folder to write the model to"})
    preset: str = field(default="default", metadata={"help": f"starting configuration: {', '.join(PRESETS)}"})
    base_model: str | None = field(default=None, metadata={"help": "fine-tune this Hugging Face checkpoint instead"})
    version: str | None = field(default=None, metadata={"help": "model version (default: today's date)"})


def main(argv: list[str] | None = None) -> None:
    """Every TrainConfig field is a flag (``--finetune_epochs 8``) that overrides the preset."""
    from transformers import HfArgumentParser

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    args, overrides = HfArgumentParser(RunArguments).parse_args_into_dataclasses(
        args=argv, return_remaining_strings=True
    )
    if args.preset not in PRESETS:
        raise SystemExit(f"unknown preset {args.preset!r}; choose one of {sorted(PRESETS)}")
    cfg = parse_overrides(PRESETS[args.preset], overrides)
    run(cfg, Path(args.output), base_model=args.base_model, version=args.version)


if __name__ == "__main__":
    main()
