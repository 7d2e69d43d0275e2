"""Train the passage classifier end to end.

    python -m training.train --preset default --output classifier/models/default
    python -m training.train --preset smoke --output /tmp/smoke-model
    python -m training.train --base-model path/to/chinese-roberta --output runs/roberta

Steps: character tokenizer (jieba dictionary + corpus characters) -> domain MLM pretraining with
jieba whole-word masking -> fine-tuning on the four labels with class weights and early stopping
on dev macro-F1 -> temperature scaling on dev -> block/review thresholds chosen on dev -> save the
folder with the config, data hash and library versions. The test split is never read here.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from classifier.labels import FLAG_LABELS, ID2LABEL, LABEL2ID, LABELS
from classifier.model import softmax
from classifier.normalize import normalize_text
from classifier.verdict import decide_labels
from classifier.words import word_spans
from training.config import PRESETS, TrainConfig
from training.data import ARTICLES, PASSAGES, data_hash, load_splits, read_jsonl

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
    enc = tokenizer(texts, truncation=True, max_length=cfg.max_length, padding=True,
                    return_offsets_mapping=True, return_tensors="pt", return_token_type_ids=False)  # fmt: skip
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
    warmup = max(1, int(total_steps * warmup_ratio))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total_steps - warmup))))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


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
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        max_position_embeddings=max(cfg.max_length, 64), type_vocab_size=1, pad_token_id=tokenizer.pad_token_id,
    )  # fmt: skip
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
            enc = tokenizer([texts[j] for j in idx], truncation=True, max_length=max_length, padding=True,
                            return_tensors="pt", return_token_type_ids=False)  # fmt: skip
            out[idx] = model(**enc).logits.float().numpy()
    return out


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, average="macro", labels=list(range(len(LABELS))), zero_division=0))


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
        order = list(range(len(x_train)))
        rng.shuffle(order)
        total = 0.0
        for i in range(0, len(order), cfg.finetune_batch_size):
            idx = order[i : i + cfg.finetune_batch_size]
            batch_texts = word_dropout([x_train[j] for j in idx], cfg.word_dropout, rng, tokenizer.mask_token)
            enc = tokenizer(batch_texts, truncation=True, max_length=cfg.max_length, padding=True,
                            return_tensors="pt", return_token_type_ids=False)  # fmt: skip
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


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature scaling (Guo et al. 2017): one scalar minimising dev NLL."""
    lt = torch.tensor(logits)
    yt = torch.tensor(y)
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(lt / log_t.exp(), yt)
        loss.backward()
        return loss

    opt.step(closure)
    return float(np.clip(log_t.exp().item(), 0.05, 20.0))


def choose_thresholds(probs: np.ndarray, y: np.ndarray, precision: float) -> tuple[float, float]:
    """Review and block thresholds, both chosen on dev.

    Review: the flag probability under which a flag is dropped (classifier.verdict.decide_labels),
    picked to maximise dev macro-F1. Block: the lowest flag probability at which the raised flags
    reach ``precision`` on dev.
    """
    candidates = [round(t, 2) for t in np.arange(0.25, 0.8, 0.05)]
    review = max(candidates, key=lambda t: (macro_f1(y, decide_labels(probs, t)), -t))
    flag_ids = [LABEL2ID[f] for f in FLAG_LABELS]
    pred = decide_labels(probs, review)
    is_flag = np.isin(pred, flag_ids)
    scores = probs[np.arange(len(pred)), pred][is_flag]
    correct = (pred == y)[is_flag]
    block = 0.99
    for t in sorted(set(np.round(scores, 3))):
        sel = scores >= t
        if sel.sum() >= 5 and correct[sel].mean() >= precision:
            block = float(t)
            break
    return max(block, review), review


def calibrate(model, tokenizer, dev, cfg: TrainConfig) -> tuple[float, float, float]:
    """Temperature, block threshold and review threshold, all fitted on dev."""
    dev_logits = predict_logits(model, tokenizer, dev[0], cfg.max_length)
    temperature = fit_temperature(dev_logits, dev[1])
    block, review = choose_thresholds(softmax(dev_logits / temperature), dev[1], cfg.block_precision)
    return temperature, block, review


def recalibrate(folder: Path, cfg: TrainConfig) -> dict:
    """Refit temperature and thresholds of an existing model folder on dev; rewrites config.json."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    dev = load_xy(load_splits(PASSAGES)["dev"])
    temperature, block, review = calibrate(model, tokenizer, dev, cfg)
    config_file = folder / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config.setdefault("auditor", {}).update(temperature=temperature, block_threshold=block, review_threshold=review)
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary_file = folder / "training_summary.json"
    if summary_file.exists():
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        summary.update(temperature=temperature, block_threshold=block, review_threshold=review)
        summary_file.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("recalibrated %s: T=%.3f block=%.3f review=%.2f", folder, temperature, block, review)
    return {"temperature": temperature, "block_threshold": block, "review_threshold": review}


def load_xy(split_ds, max_rows: int | None = None, rng: random.Random | None = None):
    rows = list(split_ds)
    if max_rows is not None and len(rows) > max_rows:
        rows = (rng or random.Random(0)).sample(rows, max_rows)
    x = [normalize_text(r["text"]) for r in rows]
    y = np.array([LABEL2ID[r["label"]] for r in rows], dtype=np.int64)
    return x, y


def library_versions() -> dict[str, str]:
    import datasets
    import jieba
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "datasets": datasets.__version__, "jieba": jieba.__version__}  # fmt: skip


def run(
    cfg: TrainConfig,
    output: Path,
    base_model: str | None = None,
    name: str = "medcash-zh-tiny",
    version: str | None = None,
) -> dict:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertForSequenceClassification

    started = time.time()
    set_seed(cfg.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    splits = load_splits(PASSAGES, include_augmented=True)
    rng = random.Random(cfg.seed)
    train = load_xy(splits["train"], cfg.max_train_rows, rng)
    dev = load_xy(splits["dev"], cfg.max_train_rows and max(60, cfg.max_train_rows // 4), rng)
    output.mkdir(parents=True, exist_ok=True)

    if base_model:
        tokenizer = AutoTokenizer.from_pretrained(base_model)
        model = AutoModelForSequenceClassification.from_pretrained(
            base_model, num_labels=len(LABELS), id2label=ID2LABEL, label2id=LABEL2ID, ignore_mismatched_sizes=True
        )
        pretrain_seconds = 0.0
    else:
        # Pretraining sees train-split text only (passages and whole articles); never dev/test.
        articles = read_jsonl(ARTICLES)
        unlabeled = train[0] + [normalize_text(a["text"]) for a in articles if a["split"] == "train"]
        unlabeled = [t for t in unlabeled if t.strip()]
        tokenizer = build_tokenizer(unlabeled, output)
        t0 = time.time()
        mlm = pretrain(unlabeled, tokenizer, cfg)
        pretrain_seconds = time.time() - t0
        mlm.config.update({"num_labels": len(LABELS), "id2label": ID2LABEL, "label2id": LABEL2ID,
                           "classifier_dropout": cfg.classifier_dropout})  # fmt: skip
        model = BertForSequenceClassification(mlm.config)
        model.bert.load_state_dict(mlm.bert.state_dict(), strict=False)

    t0 = time.time()
    model, fit = finetune(model, tokenizer, train, dev, cfg)
    finetune_seconds = time.time() - t0
    temperature, block, review = calibrate(model, tokenizer, dev, cfg)

    version = version or time.strftime("%Y.%m.%d")
    model.config.auditor = {
        "name": name,
        "version": version,
        "data_hash": data_hash(PASSAGES, ARTICLES),
        "temperature": temperature,
        "block_threshold": block,
        "review_threshold": review,
        "max_length": cfg.max_length,
        "base_model": base_model or "scratch+domain-mlm" if cfg.pretrain_epochs else base_model or "scratch",
    }
    model.config.id2label = ID2LABEL
    model.config.label2id = LABEL2ID
    model.save_pretrained(output, safe_serialization=True)
    tokenizer.save_pretrained(output)
    summary = {
        "config": cfg.to_dict(),
        "base_model": base_model,
        "data_hash": model.config.auditor["data_hash"],
        "library_versions": library_versions(),
        "train_rows": len(train[0]),
        "dev_rows": len(dev[0]),
        "temperature": temperature,
        "block_threshold": block,
        "review_threshold": review,
        "pretrain_seconds": round(pretrain_seconds, 1),
        "finetune_seconds": round(finetune_seconds, 1),
        "total_seconds": round(time.time() - started, 1),
        **fit,
    }
    (output / "training_summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info(
        "saved model to %s in %.0fs (dev macro-F1 %.4f)", output, summary["total_seconds"], fit["best_dev_macro_f1"]
    )
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument(
        "--recalibrate", action="store_true", help="only refit temperature and thresholds of --output on dev"
    )
    parser.add_argument("--base-model", help="fine-tune this Hugging Face checkpoint (name or path) instead")
    parser.add_argument("--no-pretrain", action="store_true", help="skip domain MLM pretraining")
    parser.add_argument("--version")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    cfg = PRESETS[args.preset]
    if args.no_pretrain:
        cfg = cfg.replace(pretrain_epochs=0)
    if args.recalibrate:
        recalibrate(args.output, cfg)
        return
    run(cfg, args.output, base_model=args.base_model, version=args.version)


if __name__ == "__main__":
    main()
