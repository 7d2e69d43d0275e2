"""Domain masked-language-model pretraining with jieba whole-word masking."""

from __future__ import annotations

import logging
import math
import random

import torch
from torch import nn

from classifier.words import word_spans
from training.config import TrainConfig
from training.tokenizer import SPECIAL

log = logging.getLogger("training")


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
