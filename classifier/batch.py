"""Batch auditing of crawled pages: `python -m classifier audit-batch INPUT... --output results.jsonl`.

Inputs: directories (recursively .html .htm .txt .md, optionally .gz), JSONL rows (`id`, `url`,
and `text` or `html`), WARC/WARC.gz files (HTML responses only), and single files.

Pipeline: a reader streams documents; a process pool (`--workers`) extracts main text from HTML
and segments it, working ahead of the model; the model classifies the passages of several
articles in one length-bucketed call. Results are appended to a journal one line per article
(a single `write` on an O_APPEND descriptor), so a run killed at any point, SIGKILL included,
resumes by skipping the ids already in the journal or the errors file. When every document is
done, the final outputs are written in input order (temporary file + rename), so an
interrupted-and-resumed run ends with the same files as an uninterrupted one.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html as html_lib
import io
import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from classifier.textio import DecodeError, decode_bytes

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".html": "html", ".htm": "html", ".txt": "text", ".md": "markdown"}
MAX_DOCUMENT_BYTES = 5_000_000


@dataclass(frozen=True)
class Document:
    id: str
    url: str | None
    content: str | None
    content_type: str
    error: str | None = None  # set when the document could not even be read


def _open_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data


def _inner_suffix(path: Path) -> str:
    return Path(path.stem).suffix.lower() if path.suffix == ".gz" else path.suffix.lower()


def _decode(data: bytes, name: str) -> tuple[str | None, str | None]:
    if len(data) > MAX_DOCUMENT_BYTES:
        return None, f"too large: {len(data)} bytes (limit {MAX_DOCUMENT_BYTES})"
    try:
        return decode_bytes(data, name), None
    except DecodeError as exc:
        return None, str(exc)


def read_inputs(inputs: Iterable[str]) -> Iterator[Document]:
    """Documents from every input, in a stable order; unreadable ones carry an error."""
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _inner_suffix(p) in TEXT_SUFFIXES)
            for file in files:
                yield _file_document(file, str(file.relative_to(path)))
        elif not path.exists():
            yield Document(str(path), None, None, "text", error="no such file or directory")
        elif _inner_suffix(path) == ".jsonl":
            yield from _jsonl_documents(path)
        elif _inner_suffix(path) in (".warc",) or path.name.endswith((".warc.gz", ".arc.gz")):
            yield from _warc_documents(path)
        else:
            yield _file_document(path, str(path))


def _file_document(path: Path, doc_id: str) -> Document:
    content_type = TEXT_SUFFIXES.get(_inner_suffix(path), "text")
    try:
        data = _open_bytes(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return Document(doc_id, None, None, content_type, error=f"cannot read: {exc}")
    text, error = _decode(data, doc_id)
    return Document(doc_id, None, text, content_type, error=error)


def _jsonl_documents(path: Path) -> Iterator[Document]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                fallback_id = f"{path.name}:{n}"
                try:
                    row = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    yield Document(fallback_id, None, None, "text", error=f"line {n}: not valid JSON ({exc})")
                    continue
                if not isinstance(row, dict):
                    yield Document(fallback_id, None, None, "text", error=f"line {n}: not a JSON object")
                    continue
                doc_id = str(row.get("id") or fallback_id)
                url = row.get("url")
                if isinstance(row.get("html"), str):
                    yield Document(doc_id, url, row["html"], "html")
                elif isinstance(row.get("text"), str):
                    yield Document(doc_id, url, row["text"], "text")
                else:
                    yield Document(doc_id, url, None, "text", error=f"line {n}: needs a string 'text' or 'html'")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield Document(str(path), None, None, "text", error=f"cannot read: {exc}")


def _warc_documents(path: Path) -> Iterator[Document]:
    from warcio.archiveiterator import ArchiveIterator

    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                if "html" not in ctype:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                doc_id = url or record.rec_headers.get_header("WARC-Record-ID")
                data = record.content_stream().read()
                charset = ctype.split("charset=")[-1].strip() if "charset=" in ctype else None
                try:
                    text = data.decode(charset) if charset else None
                    error = None
                except (LookupError, UnicodeDecodeError):
                    text = None
                if text is None:
                    text, error = _decode(data, doc_id)
                yield Document(doc_id, url, text, "html", error=error)
    except Exception as exc:  # a truncated or corrupt archive must not stop the run
        yield Document(str(path), None, None, "html", error=f"cannot read WARC: {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------- extraction (worker processes)

_WORKER_SETTINGS = None


def _worker_init(settings_json: str) -> None:
    # Workers only extract, segment and normalize; they never load the model.
    global _WORKER_SETTINGS
    from classifier.settings import AuditorSettings

    _WORKER_SETTINGS = AuditorSettings.model_validate_json(settings_json)


def _prepare(doc: Document):
    from classifier.auditor import InputError, prepare_article

    if doc.error:
        return doc, None, doc.error
    try:
        return doc, prepare_article(doc.content, doc.content_type, _WORKER_SETTINGS), None
    except InputError as exc:
        return doc, None, str(exc)
    except Exception as exc:  # broken HTML and the like: recorded, never fatal
        return doc, None, f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- results and resume


def result_row(doc: Document, result, top: int = 3) -> dict:
    flagged = sorted((p for p in result.passages if p.flagged), key=lambda p: -p.score)[:top]
    return {
        "id": doc.id,
        "url": doc.url,
        "title": result.title,
        "verdict": result.verdict,
        "suggestion": result.suggestion,
        "confidence": result.confidence,
        "claim_kinds": result.claim_kinds,
        "passages": len(result.passages),
        "top_flagged": [
            {
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "label": p.label,
                "score": p.score,
                "claim_kinds": p.claim_kinds,
                "evidence": [e.model_dump() for e in p.evidence],
                "citations": [
                    {
                        "law": c.law,
                        "article": c.article,
                        "confidence": c.confidence,
                        "text": c.text,
                        "explanation": c.explanation,
                    }
                    for c in p.citations
                ],
            }
            for p in flagged
        ],
        "model_version": result.model_version,
    }


class Journal:
    """Append-only JSONL with one os.write per row; reading tolerates a torn last line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, dict] = {}
        if path.exists():
            data = path.read_bytes()
            complete = data[: data.rfind(b"\n") + 1]
            if len(complete) != len(data):  # a kill mid-write: drop the partial line
                with open(path, "r+b") as fh:
                    fh.truncate(len(complete))
            for line in complete.splitlines():
                if line.strip():
                    row = json.loads(line)
                    self.rows[row["id"]] = row
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, row: dict) -> None:
        os.write(self.fd, (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        self.rows[row["id"]] = row

    def close(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------- the run


@dataclass
class BatchStats:
    documents: int = 0
    audited: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0


def _progress(total: int | None):
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, unit="article", dynamic_ncols=True)
    return None


def run_batch(
    inputs: list[str],
    output: Path,
    model_path: str | None = None,
    settings=None,
    errors_path: Path | None = None,
    csv_path: Path | None = None,
    report_path: Path | None = None,
    workers: int = 1,
    batch_articles: int = 16,
    engine: str = "local",
) -> BatchStats:
    started = time.time()
    output = Path(output)
    journal = Journal(output.with_name(output.name + ".journal"))
    errors_path = errors_path or output.with_name(output.stem + ".errors.jsonl")
    error_journal = Journal(errors_path.with_name(errors_path.name + ".journal"))
    done = set(journal.rows) | set(error_journal.rows)
    order: list[str] = []
    stats = BatchStats()

    def pending_docs() -> Iterator[Document]:
        seen: set[str] = set()
        for doc in read_inputs(inputs):
            if doc.id in seen:  # the same id twice in the inputs: keep the first
                continue
            seen.add(doc.id)
            order.append(doc.id)
            stats.documents += 1
            if doc.id in done:
                stats.skipped += 1
                continue
            yield doc

    if engine == "ray":
        from classifier.batch_ray import run_ray

        for doc, row, error in run_ray(pending_docs(), model_path, settings, batch_articles):
            _record(doc, row, error, journal, error_journal, stats)
    else:
        from classifier.auditor import Auditor

        auditor = Auditor.load(model_path, settings)
        _run_local(pending_docs(), auditor, workers, batch_articles, journal, error_journal, stats)
    journal.close()
    error_journal.close()
    stats.seconds = time.time() - started

    rows = [journal.rows[i] for i in order if i in journal.rows]
    errors = [error_journal.rows[i] for i in order if i in error_journal.rows]
    _atomic_write(output, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    _atomic_write(errors_path, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors))
    if csv_path:
        _atomic_write(Path(csv_path), render_csv(rows))
    if report_path:
        _atomic_write(Path(report_path), render_report(rows, errors, stats))
    return stats


def _record(
    doc: Document, row: dict | None, error: str | None, journal: Journal, error_journal: Journal, stats: BatchStats
) -> None:
    if error is not None:
        error_journal.append({"id": doc.id, "url": doc.url, "reason": error})
        stats.errors += 1
    else:
        journal.append(row)
        stats.audited += 1


def _run_local(
    docs: Iterator[Document], auditor, workers: int, batch_articles: int, journal, error_journal, stats
) -> None:
    progress = _progress(None)
    last_log = time.time()
    if workers > 1:
        import multiprocessing as mp

        pool = mp.get_context("spawn").Pool(
            workers, initializer=_worker_init, initargs=(auditor.settings.model_dump_json(),)
        )
        prepared_stream = pool.imap(_prepare, docs, chunksize=4)
    else:
        _worker_init(auditor.settings.model_dump_json())
        pool = None
        prepared_stream = (_prepare(d) for d in docs)
    try:
        batch: list[tuple[Document, object]] = []

        def flush() -> None:
            if not batch:
                return
            results = auditor.audit_prepared([p for _, p in batch])
            for (doc, _), result in zip(batch, results, strict=True):
                _record(doc, result_row(doc, result), None, journal, error_journal, stats)
            if progress:
                progress.update(len(batch))
            batch.clear()

        for doc, prepared, error in prepared_stream:
            if error is not None:
                _record(doc, None, error, journal, error_journal, stats)
                if progress:
                    progress.update(1)
                continue
            batch.append((doc, prepared))
            if len(batch) >= batch_articles:
                flush()
            if progress is None and time.time() - last_log > 10:
                last_log = time.time()
                print(
                    f"progress: {stats.audited} audited, {stats.errors} errors, {stats.skipped} skipped",
                    file=sys.stderr,
                    flush=True,
                )
        flush()
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        if progress:
            progress.close()


# ---------------------------------------------------------------- outputs

CSV_FIELDS = ("id", "url", "title", "verdict", "suggestion", "confidence", "claim_kinds", "top_passage")


def render_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_FIELDS)
    for r in rows:
        top = r["top_flagged"][0]["text"] if r["top_flagged"] else ""
        writer.writerow([r["id"], r["url"] or "", r["title"] or "", r["verdict"], r["suggestion"], r["confidence"],
                         ";".join(r["claim_kinds"]), top])  # fmt: skip
    return buf.getvalue()


_VERDICT_COLORS = {"cashout_ad": "#b00020", "misleading": "#e65100", "accurate": "#2e7d32", "unrelated": "#607d8b"}


def _bars(counts: dict[str, int], colors: dict[str, str] | None = None) -> str:
    total = max(counts.values(), default=0) or 1
    rows = []
    for i, (name, n) in enumerate(counts.items()):
        width = 300 * n / total
        color = (colors or {}).get(name, "#5c6bc0")
        rows.append(
            f'<text x="0" y="{i * 26 + 16}" font-size="13">{html_lib.escape(name)}</text>'
            f'<rect x="190" y="{i * 26 + 4}" width="{width:.1f}" height="16" fill="{color}"/>'
            f'<text x="{196 + width:.1f}" y="{i * 26 + 16}" font-size="13">{n}</text>'
        )
    return f'<svg width="560" height="{len(counts) * 26 + 6}" role="img">{"".join(rows)}</svg>'


def render_report(rows: list[dict], errors: list[dict], stats: BatchStats) -> str:
    from classifier.labels import CLAIM_KINDS, VERDICTS

    verdicts = {v: sum(1 for r in rows if r["verdict"] == v) for v in VERDICTS}
    kinds = {k: sum(1 for r in rows if k in r["claim_kinds"]) for k in CLAIM_KINDS}
    flagged = sorted((r for r in rows if r["verdict"] in ("cashout_ad", "misleading")), key=lambda r: -r["confidence"])
    esc = html_lib.escape
    items = []
    for r in flagged:
        passages = []
        for p in r["top_flagged"]:
            text = p["text"]
            marked, cursor = "", p["start"]
            for ev in sorted(p["evidence"], key=lambda e: e["start"]):
                a, b = ev["start"] - p["start"], ev["end"] - p["start"]
                marked += esc(text[cursor - p["start"] : a]) + f"<u>{esc(text[a:b])}</u>"
                cursor = ev["end"]
            marked += esc(text[cursor - p["start"] :])
            cites = "".join(
                f"<li>《{esc(c['law'])}》{esc(c['article'])} <small>[{esc(c['confidence'])}]</small>: {esc(c['explanation'])}"
                f"<details><summary>条文</summary><pre>{esc(c['text'])}</pre></details></li>"
                for c in p["citations"]
            )
            passages.append(f'<div class="p {p["label"]}"><b>{p["label"]}</b> {p["score"]:.2f} · {", ".join(p["claim_kinds"])}'
                            f"<blockquote>{marked}</blockquote><ul>{cites}</ul></div>")  # fmt: skip
        link = f'<a href="{esc(r["url"])}">{esc(r["url"])}</a>' if r.get("url") else esc(r["id"])
        items.append(f'<section class="article"><h3><span class="v" style="background:{_VERDICT_COLORS[r["verdict"]]}">'
                     f'{r["verdict"]}</span> {r["confidence"]:.2f} · {esc(r.get("title") or r["id"])}</h3><div>{link} · '
                     f'{r["suggestion"]}</div>{"".join(passages)}</section>')  # fmt: skip
    error_rows = "".join(f"<tr><td>{esc(e['id'])}</td><td>{esc(e['reason'])}</td></tr>" for e in errors)
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:12]
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>医保套现内容批量审核报告</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#1d2330}}
.v{{color:#fff;border-radius:1rem;padding:0 .5rem}} .article{{border:1px solid #ddd;padding:.5rem 1rem;margin:.8rem 0}}
blockquote{{background:#fff8e1;margin:.3rem 0;padding:.4rem;white-space:pre-wrap}} u{{text-decoration:underline 2px #b00020}}
pre{{white-space:pre-wrap;background:#fafafa}} table{{border-collapse:collapse}} td{{border:1px solid #ddd;padding:.2rem .5rem}}</style></head>
<body><h1>医保套现内容批量审核报告</h1>
<p>{stats.documents} documents: {len(rows)} audited, {len(errors)} errors. Results digest {digest}.</p>
<h2>Verdicts</h2>{_bars(verdicts, _VERDICT_COLORS)}
<h2>Claim kinds</h2>{_bars(kinds)}
<h2>Flagged articles, by confidence ({len(flagged)})</h2>{"".join(items) or "<p>none</p>"}
<h2>Errors ({len(errors)})</h2><table><tr><th>id</th><th>reason</th></tr>{error_rows}</table>
</body></html>
"""
