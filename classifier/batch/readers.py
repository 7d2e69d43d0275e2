"""Inputs -> documents: directories, single files, JSONL and WARC, each document with a unique id.

Planning (`plan_inputs`) lists what there is to read without reading it: a directory becomes one
unit per file, a JSONL or WARC file one unit. Reading (`read_unit`) turns a unit into documents;
the local engine reads in the driver, the Ray engine in its read tasks, and both get the same
documents in the same order.

Ids are built from where a document came from, so they are unique by construction:

- a file: its path as given on the command line joined with its path under the directory
  (`crawlA/news/index.html`), so two crawls holding the same relative path differ;
- a JSONL row: `FILE#ROW_ID` (`FILE:LINE` for a row without an id);
- a WARC response: `FILE#URL@WARC-Date`.

Where the source repeats itself (a JSONL id twice, a URL captured twice in the same second, an
input listed twice) the later document gets a `~N` suffix and `duplicate_of` names the first: it
is audited and reported, never dropped. Every entry becomes exactly one document: audited,
skipped (with a reason: not a page, HTTP 404, ...) or an error (with a reason).
"""

from __future__ import annotations

import gzip
import io
import json
import mmap
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from classifier.batch.encoding import charset_from_content_type, decode_page
from classifier.textio import DecodeError

MAX_DOCUMENT_BYTES = 10_000_000  # raw bytes; the auditor's character limit applies to extracted text
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".xht", ".shtml"}
_SUFFIX_TYPES: dict[str, ContentType] = {**dict.fromkeys(_HTML_SUFFIXES, "html"), ".txt": "text", ".text": "text", ".md": "markdown",
                 ".markdown": "markdown"}  # fmt: skip
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
_GZIP_MAGIC = b"\x1f\x8b\x08"
ContentType = Literal["text", "markdown", "html"]


@dataclass(frozen=True)
class Document:
    id: str
    url: str | None
    content: str | None
    content_type: ContentType
    error: str | None = None  # could not be read: the reason
    skipped: str | None = None  # deliberately not audited: the reason
    duplicate_of: str | None = None  # the first document with the same source identity
    position: tuple[int, int] = (0, 0)  # (unit, entry within the unit): input order
    source: str = ""  # the input (as given) it came from


@dataclass(frozen=True)
class Unit:
    """One thing to read: a file, a JSONL file, a WARC file, or an input that is not there."""

    index: int
    kind: Literal["file", "jsonl", "warc", "missing", "skip"]
    path: str
    label: str  # the document id (file) or the id prefix (JSONL, WARC)
    root_label: str  # the label of the first listing of the same file
    content_type: ContentType | None = None  # files: from the suffix; None: sniffed from the content
    reason: str | None = None  # kind "skip"
    source: str = ""  # the input as given


def _suffixes(path: Path) -> tuple[str, bool]:
    """(lower-case suffix without .gz or a wget ?query, gzipped)."""
    name = path.name.lower().split("?", 1)[0]
    gzipped = name.endswith(".gz")
    if gzipped:
        name = name[:-3]
    return (Path(name).suffix, gzipped)


def _classify_file(path: Path, in_directory: bool) -> tuple[str, ContentType | None, str | None]:
    """(kind, content type, skip reason) of a file."""
    lower = path.name.lower()
    if lower.endswith(_JSONL_SUFFIXES):
        return (
            ("jsonl", None, None)
            if not in_directory
            else ("skip", None, "JSONL inside a directory: pass it as an input")
        )
    if lower.endswith(_WARC_SUFFIXES):
        return (
            ("warc", None, None) if not in_directory else ("skip", None, "WARC inside a directory: pass it as an input")
        )
    suffix, _ = _suffixes(path)
    if suffix in _SUFFIX_TYPES:
        return "file", _SUFFIX_TYPES[suffix], None
    if not suffix or not in_directory:
        return "file", None, None  # extension-less (wget) or named explicitly: sniffed
    return "skip", None, f"not a page ({suffix} file)"


def plan_inputs(inputs: Iterable[str]) -> list[Unit]:
    """Units in input order; a directory is listed (sorted) but nothing is read."""
    units: list[Unit] = []
    first_label: dict[str, str] = {}
    listings: dict[str, int] = {}

    def add(kind, path: Path, label: str, content_type=None, reason=None, source: str = "") -> None:
        real = os.path.realpath(path)
        listings[real] = listings.get(real, 0) + 1
        if listings[real] > 1:
            label = f"{label}~{listings[real]}"  # the same file listed again (overlapping inputs)
        root = first_label.setdefault(real, label)
        units.append(Unit(len(units), kind, str(path), label, root, content_type, reason, source))

    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                kind, content_type, reason = _classify_file(file, in_directory=True)
                add(kind, file, str(file), content_type, reason, raw)
        elif not path.exists():
            units.append(Unit(len(units), "missing", raw, raw, raw, reason="no such file or directory", source=raw))
        else:
            kind, content_type, reason = _classify_file(path, in_directory=False)
            add(kind, path, raw, content_type, reason, raw)
    return units


def read_unit(unit: Unit) -> Iterator[Document]:
    """The documents of one unit, in order, each with its position."""
    if unit.kind == "missing":
        docs: Iterator[Document] = iter([Document(unit.label, None, None, "text", error=unit.reason)])
    elif unit.kind == "skip":
        docs = iter([Document(unit.label, None, None, "text", skipped=unit.reason)])
    elif unit.kind == "file":
        docs = iter([_file_document(unit)])
    elif unit.kind == "jsonl":
        docs = _with_unique_ids(unit, _jsonl_documents(unit))
    else:
        docs = _with_unique_ids(unit, _warc_documents(unit))
    for seq, doc in enumerate(docs):
        yield replace(doc, position=(unit.index, seq), source=unit.source)


def read_inputs(inputs: Iterable[str]) -> Iterator[Document]:
    """Every document of every input, in input order."""
    for unit in plan_inputs(inputs):
        yield from read_unit(unit)


def _with_unique_ids(unit: Unit, docs: Iterator[tuple[str, Document]]) -> Iterator[Document]:
    """Documents come in with the id their source gives them (after the unit's label); a repeat
    gets `~N` and `duplicate_of` pointing at the first."""
    emitted: set[str] = set()
    repeats: dict[str, int] = {}
    for local_id, doc in docs:
        base = f"{unit.label}{local_id}"
        root = f"{unit.root_label}{local_id}"
        repeats[base] = repeats.get(base, 0) + 1
        n = repeats[base]
        doc_id = base if n == 1 else f"{base}~{n}"
        while doc_id in emitted:  # a source id that already looks like "x~2"
            n += 1
            doc_id = f"{base}~{n}"
        emitted.add(doc_id)
        duplicate_of = root if (doc_id != base or root != base) else None
        yield replace(doc, id=doc_id, duplicate_of=duplicate_of)


def _read_file(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise ValueError(f"too large: {size} bytes (limit {MAX_DOCUMENT_BYTES})")
    data = path.read_bytes()
    if _suffixes(path)[1] or data.startswith(_GZIP_MAGIC):
        # Read one byte past the limit rather than all of it: a small file can inflate to gigabytes.
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"too large: more than {MAX_DOCUMENT_BYTES} bytes uncompressed")
    return data


def _sniff(text: str) -> ContentType:
    head = text.lstrip()[:2048].lower()
    return (
        "html"
        if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head
        else "text"
    )


def _file_document(unit: Unit) -> Document:
    path = Path(unit.path)
    content_type = unit.content_type or "text"
    try:
        data = _read_file(path)
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        return Document(unit.label, None, None, content_type, error=f"cannot read: {exc}",
                        duplicate_of=_dup(unit))  # fmt: skip
    except ValueError as exc:
        return Document(unit.label, None, None, content_type, error=str(exc), duplicate_of=_dup(unit))
    try:
        text, _ = decode_page(data, unit.label, html=content_type == "html" or unit.content_type is None)
    except DecodeError as exc:
        if unit.content_type is None:  # an extension-less binary file in a crawl: not a page
            return Document(unit.label, None, None, "text", skipped="not a page (binary file)", duplicate_of=_dup(unit))
        return Document(unit.label, None, None, content_type, error=str(exc), duplicate_of=_dup(unit))
    return Document(unit.label, None, text, unit.content_type or _sniff(text), duplicate_of=_dup(unit))


def _dup(unit: Unit) -> str | None:
    return unit.root_label if unit.root_label != unit.label else None


def _jsonl_documents(unit: Unit) -> Iterator[tuple[str, Document]]:
    path = Path(unit.path)
    n = 0
    try:
        with gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                yield _jsonl_row(raw, n)
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        yield (
            f":read-error-after-line-{n}",
            Document("", None, None, "text", error=f"cannot read after line {n}: {exc}"),
        )


def _jsonl_row(raw: bytes, n: int) -> tuple[str, Document]:
    def error(reason: str) -> tuple[str, Document]:
        return f":{n}", Document("", None, None, "text", error=f"line {n}: {reason}")

    try:
        row = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
    except UnicodeDecodeError as exc:
        return error(f"not valid UTF-8 (byte {exc.start})")
    except json.JSONDecodeError as exc:
        return error(f"not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(row, dict):
        return error(f"expected a JSON object, got {type(row).__name__}")
    row_id = row.get("id")
    if row_id is not None and (isinstance(row_id, bool) or not isinstance(row_id, str | int)):
        return error(f"'id' must be a string or an integer, not {type(row_id).__name__}")
    local_id = f"#{row_id}" if row_id is not None and str(row_id) != "" else f":{n}"
    url = row.get("url")
    if url is not None and not isinstance(url, str):
        return local_id, Document(
            "", None, None, "text", error=f"line {n}: 'url' must be a string, not {type(url).__name__}"
        )
    url = url or None
    fields: tuple[tuple[str, ContentType], ...] = (("html", "html"), ("text", "text"), ("markdown", "markdown"))
    for key, content_type in fields:
        if key in row and row[key] is not None:
            if not isinstance(row[key], str):
                return local_id, Document("", url, None, "text", error=f"line {n}: '{key}' must be a string")
            return local_id, Document("", url, row[key], content_type)
    return local_id, Document("", url, None, "text", error=f"line {n}: needs a string 'text', 'html' or 'markdown'")


# ---------------------------------------------------------------- WARC


def _warc_documents(unit: Unit) -> Iterator[tuple[str, Document]]:
    """One entry per response (or resource, or revisit) record; a corrupt record is one error and
    reading goes on with the next record."""
    from warcio.archiveiterator import ArchiveIterator

    path = Path(unit.path)
    try:
        size = path.stat().st_size
        fh = open(path, "rb")
    except OSError as exc:
        yield ":unreadable", Document("", None, None, "html", error=f"cannot read WARC: {exc.strerror or exc}")
        return
    with fh:
        if size == 0:
            return
        if fh.read(3) != _GZIP_MAGIC:
            fh.seek(0)
            yield from _plain_warc(fh)
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for offset, member, error in _gzip_members(data):
                if error is not None:
                    yield (
                        f"@byte{offset}",
                        Document("", None, None, "html", error=f"WARC record at byte {offset}: {error}"),
                    )
                    continue
                assert member is not None  # _gzip_members gives a member's bytes or an error
                try:
                    records = list(_records(ArchiveIterator(io.BytesIO(member), check_digests=False)))
                except Exception as exc:  # warcio raises many kinds on malformed records
                    yield f"@byte{offset}", Document("", None, None, "html",
                                                     error=f"WARC record at byte {offset}: not a valid WARC record ({type(exc).__name__})")  # fmt: skip
                    continue
                yield from records


def _plain_warc(fh) -> Iterator[tuple[str, Document]]:
    """An uncompressed WARC has no member boundaries to resume at: a malformed record ends the
    file with one error naming where."""
    from warcio.archiveiterator import ArchiveIterator

    iterator = ArchiveIterator(fh, check_digests=False)
    records = _records(iterator)
    while True:
        try:
            yield next(records)
        except StopIteration:
            return
        except Exception as exc:  # warcio raises many kinds on malformed records
            offset = iterator.offset
            yield f"@byte{offset}", Document("", None, None, "html",
                                             error=f"WARC record near byte {offset}: not a valid WARC record ({type(exc).__name__}); the rest of this uncompressed file is not read")  # fmt: skip
            return


def _gzip_members(data) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(offset, member bytes, error) for each gzip member (one WARC record each, by convention).
    After a corrupt member, the next gzip header is searched for; the candidates tried on the way
    are not reported again."""
    pos, size, recovering = 0, len(data), False
    while pos < size:
        inflater = zlib.decompressobj(wbits=31)
        out, cursor = [], pos
        try:
            while not inflater.eof:
                if cursor >= size:
                    raise zlib.error("truncated (the archive ends inside this record)")
                chunk = data[cursor : cursor + (1 << 20)]
                cursor += len(chunk)
                out.append(inflater.decompress(chunk))
                if sum(map(len, out)) > 4 * MAX_DOCUMENT_BYTES:
                    raise zlib.error(f"record larger than {4 * MAX_DOCUMENT_BYTES} bytes")
        except zlib.error as exc:
            if not recovering:
                yield pos, None, f"corrupt gzip data ({exc})"
            recovering = True
            found = data.find(_GZIP_MAGIC, pos + 1)
            pos = size if found < 0 else found
            continue
        recovering = False
        yield pos, b"".join(out), None
        pos = cursor - len(inflater.unused_data)


def _records(iterator) -> Iterator[tuple[str, Document]]:
    for record in iterator:
        if record.rec_type not in ("response", "resource", "revisit"):
            continue  # requests, metadata, warcinfo: not documents
        url = record.rec_headers.get_header("WARC-Target-URI") or None
        date = record.rec_headers.get_header("WARC-Date") or ""
        local_id = f"#{url or record.rec_headers.get_header('WARC-Record-ID')}@{date}"
        body = record.content_stream().read()
        if record.rec_type == "revisit":
            yield local_id, Document("", url, None, "html", skipped="revisit record (no payload)")
            continue
        if record.rec_type == "response":
            if record.http_headers is None:
                yield local_id, Document("", url, None, "html", skipped="response without HTTP headers")
                continue
            status = record.http_headers.get_statuscode() or "?"
            content_type = record.http_headers.get_header("Content-Type") or ""
            if not status.startswith("2"):
                yield local_id, Document("", url, None, "html", skipped=f"HTTP {status} response")
                continue
        else:
            content_type = record.rec_headers.get_header("Content-Type") or ""
        if "html" not in content_type.lower():
            yield local_id, Document("", url, None, "html", skipped=f"not HTML ({content_type or 'no Content-Type'})")
            continue
        if len(body) > MAX_DOCUMENT_BYTES:
            yield local_id, Document("", url, None, "html",
                                     error=f"too large: {len(body)} bytes (limit {MAX_DOCUMENT_BYTES})")  # fmt: skip
            continue
        try:
            text, _ = decode_page(body, url or local_id, declared=charset_from_content_type(content_type), html=True)
        except DecodeError as exc:
            yield local_id, Document("", url, None, "html", error=str(exc))
            continue
        yield local_id, Document("", url, text, "html")
