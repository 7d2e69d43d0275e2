"""Decoding crawled bytes: BOM, then the HTTP header, then `<meta charset>`, then a detector.

Browsers decide a page's encoding in that order (the WHATWG encoding sniffing algorithm); we add
two guards seen on Chinese crawls. A declared Western single-byte charset (ISO-8859-1 and its
kin, many servers' default) is ignored when the bytes are valid UTF-8, since latin-1 decodes any
bytes and would turn a UTF-8 page into mojibake without an error. A declared charset the bytes do
not decode under is passed over rather than forced. Undeclared pages go to charset-normalizer;
GB18030 is the last resort.
"""

from __future__ import annotations

import codecs
import re

from classifier.textio import DecodeError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels as pages spell them -> the codec browsers actually use for them (supersets).
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "cp950": "big5hkscs",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "windows-1252": "cp1252",
}  # fmt: skip
_WEAK = {"cp1252"}
_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_META_SCAN_BYTES = 4096


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def meta_charset(data: bytes) -> str | None:
    match = _META.search(data[:_META_SCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    name = _ALIASES.get(label, label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_page(data: bytes, name: str, declared: str | None = None, html: bool = False) -> tuple[str, str]:
    """(text, codec used). `declared` is the HTTP header's charset; `html` enables `<meta charset>`.

    Raises DecodeError (a message naming `name`) when nothing decodes the bytes.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"{name}: starts with a {codec} byte order mark but is not {codec} (byte {exc.start})"
                ) from None
    if b"\x00" in data:
        raise DecodeError(f"{name}: looks like a binary file (NUL bytes), not text")
    candidates = [_codec(declared), _codec(meta_charset(data)) if html else None]
    for codec in (c for c in candidates if c):
        if codec in _WEAK and _is_utf8(data):
            return data.decode("utf-8"), "utf-8"
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue  # a wrong label: fall through to detection
    if _is_utf8(data):
        return data.decode("utf-8"), "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    detected = _codec(best.encoding) if best is not None else None
    if detected:
        try:
            return data.decode(detected), detected
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"{name}: not valid UTF-8, no declared or detected encoding fits, nor GB18030 (byte {exc.start})"
        ) from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
