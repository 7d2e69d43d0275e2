"""The output files: results, errors and skipped JSONL, and the CSV. Written whole at the end of a
run, in input order, each through a temporary file and a rename."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from classifier.batch.rows import ResultRow

CSV_FIELDS = ("id", "source", "url", "duplicate_of", "title", "verdict", "suggestion", "confidence", "claim_kinds",
              "top_label", "top_score", "top_passage", "model_version")  # fmt: skip
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def atomic_write(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


def render_jsonl(rows: Iterable[BaseModel]) -> str:
    return "".join(row.model_dump_json() + "\n" for row in rows)


def safe_cell(value) -> str:
    """The cell's text; one that a spreadsheet would run as a formula is prefixed with `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(rows: Iterable[ResultRow]) -> bytes:
    """UTF-8 with a BOM, so Excel on a Chinese Windows reads it as UTF-8 rather than GBK."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_FIELDS)
    for r in rows:
        top = r.top_flagged[0].text if r.top_flagged else ""
        values = (r.id, r.source, r.url, r.duplicate_of, r.title, r.verdict, r.suggestion, f"{r.confidence:.4f}",
                  ";".join(r.claim_kinds), r.top_label, "" if r.top_score is None else f"{r.top_score:.4f}", top,
                  r.model_version)  # fmt: skip
        writer.writerow([safe_cell(v) for v in values])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
