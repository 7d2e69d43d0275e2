"""Train the passage classifier end to end.

    python -m training.train --preset default --output classifier/models/default
    python -m training.train --preset smoke --output /tmp/smoke-model --finetune_epochs 2
    python -m training.train --base_model path/to/chinese-roberta --output runs/roberta

Steps: character tokenizer (jieba dictionary + corpus characters) -> domain MLM pretraining with
jieba whole-word masking -> fine-tuning on the four labels with class weights and early stopping
on challenge-dev macro-F1 -> char n-gram linear model on the same training units -> blend weight,
temperature and thresholds fitted on challenge-dev (training/calibrate.py) -> save the folder with
the config, data and challenge hashes and library versions. Neither the corpus' test split nor
challenge-test is read here.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from classifier.labels import ID2LABEL, LABEL2ID, LABELS
from classifier.linear import KINDS, HashedLinear, file_name
from classifier.model import ModelInfo, PassageModel
from classifier.normalize import normalize_text
from classifier.verdict import Thresholds, decide_labels
from classifier.words import word_spans
from training.calibrate import (
    choose_block,
    choose_member_weights,
    choose_page_thresholds,
    choose_review,
    fit_temperature,
    macro_f1,
)
from training.config import PRESETS, TrainConfig, parse_overrides
from training.data import (
    ARTICLES,
    CHALLENGE_PAGES,
    CHALLENGE_PASSAGES,
    PASSAGES,
    challenge_hash,
    data_hash,
    derive_verdict,
    read_jsonl,
)
from training.units import Units, build_units, gold_passages, page_segments

log = logging.getLogger("training")
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_tokenizer(texts: list[str], out_dir: Path):
    """A character-level BertTokenizerFast covering jieba's dictionary and the corpus."""
    import jieba
    from transformers import BertTokenizerFast

    chars: set[str] = set()
    dict_file = Path(jieba.__file__).parent / "dict.txt"
    with open(dict_file, encoding="utf-8") as fh:
        for line in fh:
            chars.update(line.split(" ", 1)[0])
    for text in texts:
        chars.update(text)
    ascii_chars = [chr(c) for c in range(33, 127)]
    chars -= set(" \n\t\r")
    vocab = SPECIAL + sorted(chars | set(ascii_chars))
    # Continuation pieces let Latin runs (pinyin, handles) split into single characters.
    vocab += [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_ids = {token: i for i, token in enumerate(vocab)}
    tokenizer = BertTokenizerFast(vocab=vocab_ids, do_lower_case=True, tokenize_chinese_chars=True)
    tokenizer.save_pretrained(out_dir)
    return tokenizer


def whole_word_mask(texts: list[str], tokenizer, cfg: TrainConfig, rng: random.Random):
    """MLM inputs and labels, masking whole jieba words until about mask_rate of tokens."""
    enc = tokenizer(
        texts,
        truncation=True,
        max_length=cfg.max_length,
        padding=True,
        return_offsets_mapping=True,
        return_tensors="pt",
        return_token_type_ids=False,
    )
    input_ids = enc["input_ids"].clone()
    labels = torch.full_like(input_ids, -100)
    vocab_size = len(tokenizer)
    for row, text in enumerate(texts):
        offsets = enc["offset_mapping"][row].tolist()
        char_to_tok = {}
        for t, (s, e) in enumerate(offsets):
            for c in range(s, e):
                char_to_tok.setdefault(c, t)
        words = [
            sorted({char_to_tok[c] for c in range(s, e) if c in char_to_tok})
            for w, s, e in word_spans(text)
            if w.strip()
        ]
        words = [w for w in words if w]
        rng.shuffle(words)
        n_tokens = sum(1 for s, e in offsets if e > s)
        budget = max(1, round(n_tokens * cfg.mask_rate))
        for positions in words:
            if budget <= 0:
                break
            budget -= len(positions)
            for t in positions:
                labels[row, t] = input_ids[row, t]
                r = rng.random()
                if r < 0.8:
                    input_ids[row, t] = tokenizer.mask_token_id
                elif r < 0.9:
                    input_ids[row, t] = rng.randrange(len(SPECIAL), vocab_size)
    return input_ids, enc["attention_mask"], labels


def _schedule(optimizer, total_steps: int, warmup_ratio: float):
    from transformers import get_cosine_schedule_with_warmup

    return get_cosine_schedule_with_warmup(optimizer, max(1, int(total_steps * warmup_ratio)), total_steps)


def _step(loss, model, optimizer, scheduler) -> float:
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    return loss.item()


def pretrain(texts: list[str], tokenizer, cfg: TrainConfig):
    from transformers import BertConfig, BertForMaskedLM

    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=cfg.hidden_size,
        num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads,
        intermediate_size=cfg.intermediate_size,
        max_position_embeddings=max(cfg.max_length, 64),
        type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = BertForMaskedLM(config)
    if cfg.pretrain_epochs == 0:
        return model
    rng = random.Random(cfg.seed)
    steps_per_epoch = math.ceil(len(texts) / cfg.pretrain_batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.pretrain_lr, weight_decay=cfg.weight_decay)
    scheduler = _schedule(optimizer, steps_per_epoch * cfg.pretrain_epochs, cfg.warmup_ratio)
    model.train()
    for epoch in range(cfg.pretrain_epochs):
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]) // 16, rng.random()))
        batches = [order[i : i + cfg.pretrain_batch_size] for i in range(0, len(order), cfg.pretrain_batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for batch in batches:
            ids, mask, labels = whole_word_mask([texts[i] for i in batch], tokenizer, cfg, rng)
            # The prediction head runs on masked positions only: over a 12k-character vocabulary
            # it would otherwise cost more than the encoder itself.
            hidden = model.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            selected = labels != -100
            loss = nn.functional.cross_entropy(model.cls(hidden[selected]), labels[selected])
            total += _step(loss, model, optimizer, scheduler)
        log.info("pretrain epoch %d/%d mlm loss %.3f", epoch + 1, cfg.pretrain_epochs, total / len(batches))
    return model


def predict_logits(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64) -> np.ndarray:
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), model.config.num_labels), dtype=np.float32)
    with torch.inference_mode():
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            enc = tokenizer(
                [texts[j] for j in idx],
                truncation=True,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
                return_token_type_ids=False,
            )
            out[idx] = model(**enc).logits.float().numpy()
    return out


def word_dropout(texts: list[str], rate: float, rng: random.Random, mask_token: str) -> list[str]:
    """Mask whole jieba words at ``rate`` (one mask token per character, so lengths stay)."""
    if rate <= 0:
        return texts
    out = []
    for text in texts:
        pieces, cursor = [], 0
        for word, s, e in word_spans(text):
            if word.strip() and rng.random() < rate:
                pieces.append(text[cursor:s] + mask_token * (e - s))
                cursor = e
        out.append("".join(pieces) + text[cursor:])
    return out


def finetune(model, tokenizer, train, dev, cfg: TrainConfig):
    rng = random.Random(cfg.seed)
    x_train, y_train = train
    x_dev, y_dev = dev
    counts = np.bincount(y_train, minlength=len(LABELS)).astype(np.float64)
    # Square-root inverse-frequency weights: full inverse weights pushed unfamiliar neutral text
    # into the flag classes on dev.
    weights = (
        np.sqrt(counts.sum() / (len(LABELS) * np.maximum(counts, 1))) if cfg.class_weighting else np.ones(len(LABELS))
    )
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    steps_per_epoch = math.ceil(len(x_train) / cfg.finetune_batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.finetune_lr, weight_decay=cfg.weight_decay)
    scheduler = _schedule(optimizer, steps_per_epoch * cfg.finetune_epochs, cfg.warmup_ratio)
    best = (-1.0, None, 0)
    history = []
    stale = 0
    for epoch in range(cfg.finetune_epochs):
        model.train()
        # Batches of similar length (shuffled within and across buckets) cut padding several-fold.
        order = sorted(range(len(x_train)), key=lambda i: (len(x_train[i]) // 16, rng.random()))
        batches = [order[i : i + cfg.finetune_batch_size] for i in range(0, len(order), cfg.finetune_batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for idx in batches:
            batch_texts = word_dropout([x_train[j] for j in idx], cfg.word_dropout, rng, tokenizer.mask_token)
            enc = tokenizer(
                batch_texts,
                truncation=True,
                max_length=cfg.max_length,
                padding=True,
                return_tensors="pt",
                return_token_type_ids=False,
            )
            logits = model(**enc).logits
            loss = loss_fn(logits, torch.tensor(y_train[idx]))
            total += _step(loss, model, optimizer, scheduler)
        dev_logits = predict_logits(model, tokenizer, x_dev, cfg.max_length)
        f1 = macro_f1(y_dev, dev_logits.argmax(-1))
        history.append({"epoch": epoch + 1, "train_loss": total / steps_per_epoch, "dev_macro_f1": f1})
        log.info(
            "finetune epoch %d/%d loss %.4f dev macro-F1 %.4f",
            epoch + 1,
            cfg.finetune_epochs,
            total / steps_per_epoch,
            f1,
        )
        if f1 > best[0]:
            best = (f1, {k: v.detach().clone() for k, v in model.state_dict().items()}, epoch + 1)
            stale = 0
        else:
            stale += 1
            if stale >= cfg.patience:
                log.info("early stop: no dev improvement for %d epochs", cfg.patience)
                break
    model.load_state_dict(best[1])
    return model, {"best_epoch": best[2], "best_dev_macro_f1": best[0], "history": history}


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


def challenge_documents(ch_passages: list[dict], ch_pages: list[dict], split: str):
    """Challenge documents of one split for page-level fitting: each page as the auditor cuts it,
    and each standalone passage as a one-passage document. Returns (texts per document, verdicts)."""
    by_id = {r["id"]: r for r in ch_passages}
    docs, verdicts = [], []
    for page in ch_pages:
        if page["split"] == split:
            docs.append([normalize_text(t) for t, _ in page_segments(page, by_id)])
            verdicts.append(page["verdict"])
    for r in ch_passages:
        if r["split"] == split and r["article_id"] is None:
            docs.append([normalize_text(r["text"])])
            verdicts.append(derive_verdict({r["label"]}))
    return docs, verdicts


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


def calibrate(model, tokenizer, linear: dict[str, HashedLinear], cfg: TrainConfig, dev: Units, docs, verdicts) -> dict:
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
    fitted = calibrate(model, tokenizer, linear, cfg, dev, docs, verdicts)

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
