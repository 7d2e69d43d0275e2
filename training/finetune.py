"""Fine-tuning on the four labels, with early stopping on challenge-dev macro-F1."""

from __future__ import annotations

import logging
import math
import random

import numpy as np
import torch
from torch import nn

from classifier.labels import LABELS
from classifier.words import word_spans
from training.calibrate import macro_f1
from training.config import TrainConfig
from training.pretrain import _schedule, _step

log = logging.getLogger("training")


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
