"""Decoding files the way Chinese pages come: UTF-8 (with or without BOM), else GB18030."""

from __future__ import annotations


class DecodeError(ValueError):
    pass


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else GB18030, the encodings Chinese pages come in."""
    if b"\x00" in data:
        raise DecodeError(f"{name}: looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DecodeError(
            f"{name}: not valid UTF-8 (byte {utf8_error.start}) nor GB18030; re-save it as UTF-8"
        ) from None
