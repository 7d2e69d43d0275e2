"""Article -> passages, each with [start, end) offsets into the text it was cut from.

Paragraphs first (one per line), then, for long paragraphs, groups of whole sentences of at most
`max_chars` characters. Lines without Chinese (a contact handle broken across lines, a signature)
and very short lines that continue an unfinished sentence join the passage before them, since spam
splits handles over lines to dodge filters. Headings, TOC entries, list markers, captions and other
lines under `MIN_PASSAGE_CHARS` join the passage they introduce (the next one), so the model reads
a heading with its section and never judges "三、注意事项" or "网友评论：" alone; a fragment at the end
of the text joins the passage before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』）)\"']*")
_MARKDOWN_PREFIX = re.compile(r"^(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)、]\s*|\*\*)+")
_RULE_OR_FENCE = re.compile(r"^(?:[-*_=]{3,}|```.*|~~~.*)$")
SHORT_LINE = 8
MIN_PASSAGE_CHARS = 15
# A heading: numbered (一、 1. 1.1 (2) ① 第三部分), or ending in a colon, and not ending a sentence.
_HEADING = re.compile(
    r"^(?:[-*•·]\s*)?(?:[一二三四五六七八九十]+[、.．]|\d+(?:\.\d+)*[.、．)）]?\s|\d+(?:\.\d+)+|[（(][一二三四五六七八九十\d]+[)）]|"
    r"[①②③④⑤⑥⑦⑧⑨⑩]|第[一二三四五六七八九十\d]+[部章节步条])"
)
_HEADING_MAX = 40
_CLOSERS = "。！？!?；;…”’」』"
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def _lines(text: str, markdown: bool) -> list[Span]:
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        start, end = m.start(), m.end()
        line = m.group()
        if markdown:
            if _RULE_OR_FENCE.match(line.strip()):
                continue
            prefix = _MARKDOWN_PREFIX.match(line.lstrip())
            if prefix:
                start += len(line) - len(line.lstrip()) + prefix.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append(Span(start, end))
    return spans


def _sentences(text: str, span: Span) -> list[Span]:
    out, cursor = [], span.start
    for m in _SENTENCE_END.finditer(text, span.start, span.end):
        out.append(Span(cursor, m.end()))
        cursor = m.end()
    if cursor < span.end:
        out.append(Span(cursor, span.end))
    return [s for s in out if text[s.start : s.end].strip()]


def _pack(text: str, span: Span, max_chars: int) -> list[Span]:
    """Whole sentences grouped up to max_chars; a single longer sentence is cut hard."""
    groups: list[Span] = []
    for sent in _sentences(text, span):
        pieces = [Span(s, min(s + max_chars, sent.end)) for s in range(sent.start, sent.end, max_chars)]
        for piece in pieces:
            if groups and piece.end - groups[-1].start <= max_chars:
                groups[-1] = Span(groups[-1].start, piece.end)
            else:
                groups.append(piece)
    return [_strip(text, g) for g in groups]


def pack_sentences(text: str, max_chars: int) -> list[Span]:
    """Runs of whole sentences of ``text`` of at most ``max_chars`` (a longer sentence is cut)."""
    return [s for s in _pack(text, Span(0, len(text)), max_chars) if s.end > s.start]


def _strip(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def is_heading(line: str) -> bool:
    """A line that introduces what follows rather than saying something of its own."""
    line = line.strip()
    if len(line) < MIN_PASSAGE_CHARS:
        return True
    if len(line) > _HEADING_MAX or line[-1] in _CLOSERS:
        return False
    return bool(_HEADING.match(line)) or line[-1] in ":：" or not re.search(r"[，,。；;！!？?]", line)


def segment(text: str, max_chars: int = 300, markdown: bool = False) -> list[Span]:
    """Passages of ``text``; every span satisfies 0 <= start < end <= len(text)."""
    if max_chars < 20:
        raise ValueError("max_chars must be at least 20")
    passages: list[Span] = []
    pending: Span | None = None  # headings waiting for the passage they introduce
    for line in _lines(text, markdown):
        length = line.end - line.start
        no_cjk = not _CJK.search(text[line.start : line.end])
        after_open_sentence = bool(passages) and pending is None and text[passages[-1].end - 1] not in _CLOSERS
        fragment = no_cjk or (length < SHORT_LINE and after_open_sentence)
        if fragment and pending is not None and line.end - pending.start <= max_chars:
            pending = Span(pending.start, line.end)
            continue
        if fragment and pending is None and passages and line.end - passages[-1].start <= max_chars:
            passages[-1] = Span(passages[-1].start, line.end)
            continue
        if is_heading(text[line.start : line.end]):
            if pending is None:
                pending = line
            elif line.end - pending.start <= max_chars:
                pending = Span(pending.start, line.end)
            else:
                passages.append(pending)
                pending = line
            continue
        if pending is not None:
            if line.end - pending.start <= max_chars:
                line, pending = Span(pending.start, line.end), None
                length = line.end - line.start
            else:
                passages.append(pending)
                pending = None
        if length <= max_chars:
            passages.append(line)
        else:
            passages.extend(_pack(text, line, max_chars))
    if pending is not None:
        # Trailing headings or fragments belong to the passage before them, when there is one.
        if passages and pending.end - passages[-1].start <= max_chars:
            passages[-1] = Span(passages[-1].start, pending.end)
        else:
            passages.append(pending)
    return [p for p in passages if p.end > p.start]


@dataclass(frozen=True)
class ExtractedDocument:
    text: str
    title: str | None


def extract_html(html: str) -> ExtractedDocument:
    """Main text and title of an HTML page (trafilatura), falling back to all visible text."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, config=_trafilatura_config(), include_comments=True,
                                      include_tables=True, favor_recall=True, with_metadata=True)  # fmt: skip
    text, title = None, None
    if doc is not None:
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        text, title = data.get("text"), data.get("title")
    if not text or not text.strip():
        text = _visible_text(html)
    return ExtractedDocument(text=text.strip(), title=title or None)


@lru_cache(maxsize=1)
def _trafilatura_config():
    from trafilatura.settings import use_config

    config = use_config()
    # Posts and ads are short; the defaults drop anything under a few hundred characters.
    for key in ("MIN_EXTRACTED_SIZE", "MIN_OUTPUT_SIZE", "MIN_EXTRACTED_COMM_SIZE", "MIN_OUTPUT_COMM_SIZE"):
        config.set("DEFAULT", key, "5")
    return config


def _visible_text(html: str) -> str:
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return re.sub(r"<[^>]+>", " ", html)
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    lines = [ln.strip() for ln in root.text_content().splitlines()]
    return "\n".join(ln for ln in lines if ln)
