"""The character tokenizer: jieba's dictionary characters plus every character of the corpus."""

from __future__ import annotations

from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


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
