"""Text normalization that undoes the tricks spam uses, with a map back to the original text.

Every character of the normalized text remembers the span of the original it came from, so
evidence found in the normalized text can be reported as offsets into what the user sent.
The same function prepares text for training and for serving, so the two cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# One normalized character and the [start, end) span of the original text it stands for.
_Item = tuple[str, int, int]

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Characters spam puts between Chinese characters to defeat keyword filters. Chinese
# punctuation (，。、) is not here: between clauses it is real punctuation.
_SEPARATORS = r"\s\.·・•\*\-_/\\|~^`'\"#=+<>°\u2600-\u27bf\U0001f000-\U0001faff\u2b50\u2b55"
_SEPARATOR_RUN = re.compile(rf"(?<=[{_CJK}])[{_SEPARATORS}]{{1,4}}(?=[{_CJK}])")
_EMOJI = re.compile(r"[\u2600-\u27bf\U0001f000-\U0001faff\u2b50\u2b55\u2b06\u2934\u2935]")

# Contact-handle aliases. Order matters: longer patterns first.
_ALIASES: tuple[tuple[str, str], ...] = (
    (r"(?:➕|\+|加)\s?(?:v|vx|wx|微|薇|威)(?![a-z])", "加微信"),
    (r"[薇威徽嶶維维卫]信", "微信"),
    (r"(?<![a-z])(?:vx|wx|v信|weixin|wechat|威x|薇x)(?![a-z])", "微信"),
    (r"扣扣号?|抠抠|企鹅号", "qq"),
    (r"(?<![a-z])(?:yibaoka|yb卡)(?![a-z])", "医保卡"),
    (r"(?<![a-z])yibao(?![a-z])", "医保"),
    (r"(?<![a-z])taoxian(?![a-z])", "套现"),
    (r"(?<![a-z])tixian(?![a-z])", "提现"),
    (r"(?<![a-z])quxian(?![a-z])", "取现"),
    (r"(?<![a-z])huishou(?![a-z])", "回收"),
    (r"(?<![a-z])shuaka(?![a-z])", "刷卡"),
    # Homophones and look-alikes of 医保 used by spam.
    (r"[医衣依]宝|医[堡葆饱]|衣保|依保", "医保"),
    (r"一保(?=卡|套|取|提|余额|账户)", "医保"),
    (r"[淘掏讨]现", "套现"),
    (r"回[手首]收?(?=医保|卡|药)", "回收"),
)
_ALIAS_PATTERNS = tuple((re.compile(p), r) for p, r in _ALIASES)

_CN_DIGITS = {
    "零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}  # fmt: skip
# A run of digits written in Chinese (or mixed with Arabic digits) long enough to be a
# phone number or a QQ/WeChat handle, not a quantity like 三五天.
_HANDLE_DIGITS = re.compile(r"[0-9零〇一幺二两三四五六七八九]{5,}")
_SPACES = re.compile(r"[ \t\u3000]{2,}")


def _constant(replacement: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: replacement


@dataclass(frozen=True)
class NormalizedText:
    """Normalized text plus, for each of its characters, the original span it came from."""

    original: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if len(self.text) != len(self.spans):
            raise ValueError("every normalized character needs exactly one source span")

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalized text to a span of the original text."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside normalized text of {len(self.text)}")
        return self.spans[start][0], self.spans[end - 1][1]


def _is_dropped(ch: str) -> bool:
    if ch in "\n":
        return False
    cat = unicodedata.category(ch)
    # Cc: control, Cf: zero-width and bidi marks, Me: the keycap combining mark of 1️⃣,
    # Mn variation selectors that follow emoji.
    return cat in ("Cc", "Cf", "Me") or (cat == "Mn" and 0xFE00 <= ord(ch) <= 0xFE0F)


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


@lru_cache(maxsize=65536)
def _char_output(ch: str) -> str:
    """What one input character becomes (possibly several characters, possibly none). Cached:
    this per-character work was a quarter of the time of classifying a passage."""
    if ch == "\t" or ch == "\r":
        ch = " "
    if _is_dropped(ch):
        return ""
    return "".join(out for out in unicodedata.normalize("NFKC", ch).lower() if not _is_dropped(out))


def _char_items(text: str) -> list[_Item]:
    items: list[_Item] = []
    for i, ch in enumerate(text):
        for out in _char_output(ch):
            items.append((out, i, i + 1))
    return items


def _to_simplified(items: list[_Item]) -> list[_Item]:
    convert = _t2s()
    joined = "".join(ch for ch, _, _ in items)
    converted = convert(joined)
    if len(converted) == len(items):
        return [(c, s, e) for c, (_, s, e) in zip(converted, items, strict=True)]
    # Phrase conversion changed the length; fall back to one character at a time so the
    # offset map stays exact.
    out: list[_Item] = []
    for ch, s, e in items:
        for c in convert(ch):
            out.append((c, s, e))
    return out


def _regex_pass(
    items: list[_Item], joined: str, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]
) -> tuple[list[_Item], str]:
    """Apply ``pattern`` to the items' text (``joined``), keeping each replacement's source span."""
    if pattern.search(joined) is None:
        return items, joined  # most passes match nothing in most passages
    out: list[_Item] = []
    last = 0
    for m in pattern.finditer(joined):
        out.extend(items[last : m.start()])
        replacement = repl(m)
        if replacement and m.end() > m.start():
            start = items[m.start()][1]
            end = items[m.end() - 1][2]
            out.extend((c, start, end) for c in replacement)
        last = m.end()
    out.extend(items[last:])
    return out, "".join(ch for ch, _, _ in out)


def normalize(text: str) -> NormalizedText:
    """Normalize ``text`` for the model and keep the map back to the original.

    Steps: NFKC (full-width to half-width, circled digits to digits), lowercase ASCII, drop
    zero-width and control characters, Traditional to Simplified, remove separators spam puts
    between Chinese characters, map contact-handle aliases and homophones, and turn digit runs
    written in Chinese into Arabic digits.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize expects str, got {type(text).__name__}")
    items = _char_items(text)
    if not items:
        return NormalizedText(text, "", ())
    items = _to_simplified(items)
    joined = "".join(ch for ch, _, _ in items)
    items, joined = _regex_pass(items, joined, _SEPARATOR_RUN, lambda m: "")
    for pattern, replacement in _ALIAS_PATTERNS:
        items, joined = _regex_pass(items, joined, pattern, _constant(replacement))
    items, joined = _regex_pass(
        items, joined, _HANDLE_DIGITS, lambda m: "".join(_CN_DIGITS.get(c, c) for c in m.group())
    )
    items, joined = _regex_pass(items, joined, _EMOJI, lambda m: " ")
    items, joined = _regex_pass(items, joined, _SPACES, lambda m: " ")
    return NormalizedText(original=text, text=joined, spans=tuple((s, e) for _, s, e in items))


def normalize_text(text: str) -> str:
    """The normalized string alone (what the model reads)."""
    return normalize(text).text
