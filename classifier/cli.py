"""Command line: `python -m classifier classify|audit` (also installed as `medcash`).

    python -m classifier classify --input IN.jsonl --output OUT.jsonl
    python -m classifier audit article.txt page.html - --output results.jsonl
    python -m classifier audit article.md --format table
    python -m classifier audit-batch crawl/ pages.jsonl crawl.warc.gz --output results.jsonl --report report.html

Exit codes: 0 all inputs processed; 1 some rows or files were bad (each named on stderr, the
rest still processed); 2 usage errors or a model that cannot be loaded.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from classifier.auditor import Auditor, InputError
from classifier.legal import provision
from classifier.model import ModelLoadError
from classifier.schemas import ArticleResult, PassageResult
from classifier.settings import AuditorSettings
from classifier.textio import DecodeError, decode_bytes

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2
CHUNK = 256


def _err(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _read_rows(stream: IO[bytes], source: str) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, row, error) for each non-blank line; a bad line yields an error, not an exception."""
    for n, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield n, None, f"{source} line {n}: not valid UTF-8 (byte {exc.start})"
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, None, f"{source} line {n}: not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(row, dict):
            yield n, None, f"{source} line {n}: expected a JSON object, got {type(row).__name__}"
            continue
        if "text" not in row:
            yield n, row, f"{source} line {n}: missing field 'text'"
            continue
        if not isinstance(row["text"], str):
            yield n, row, f"{source} line {n}: field 'text' must be a string"
            continue
        if not row["text"].strip():
            yield n, row, f"{source} line {n}: field 'text' is empty"
            continue
        if "id" not in row:
            yield n, row, f"{source} line {n}: missing field 'id'"
            continue
        yield n, row, None


def cmd_classify(args, auditor_factory) -> int:
    try:
        stream = sys.stdin.buffer if str(args.input) == "-" else open(args.input, "rb")
    except OSError as exc:
        _err(f"cannot read {args.input}: {exc.strerror}")
        return EXIT_USAGE
    auditor = auditor_factory()
    out = sys.stdout if str(args.output) == "-" else open(args.output, "w", encoding="utf-8")
    bad = 0
    # (line, row, error) in input order; output keeps that order.
    pending: list[tuple[int, dict | None, str | None]] = []

    def flush() -> None:
        nonlocal bad
        valid = [(n, row) for n, row, error in pending if error is None and row is not None]
        results: dict[int, PassageResult | str] = {}
        try:
            for (n, _), result in zip(valid, auditor.classify_passages([row["text"] for _, row in valid]), strict=True):
                results[n] = result
        except InputError:
            # One oversize text must not sink its neighbours: fall back to one at a time.
            for n, valid_row in valid:
                try:
                    results[n] = auditor.classify_passages([valid_row["text"]])[0]
                except InputError as exc:
                    results[n] = f"{args.input} line {n}: {exc}"
        for n, row, error in pending:
            outcome = results.get(n, error)
            if isinstance(outcome, str):
                if error is None:
                    _err(outcome)
                bad += 1
                rid = row.get("id") if isinstance(row, dict) else None
                out.write(json.dumps({"id": rid, "line": n, "error": outcome}, ensure_ascii=False) + "\n")
            else:
                assert row is not None and outcome is not None  # only a valid row has a result
                payload = {"id": row["id"], **outcome.model_dump(exclude={"start", "end", "text"})}
                out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        pending.clear()

    with stream:
        for n, row, error in _read_rows(stream, str(args.input)):
            if error:
                _err(error)
            pending.append((n, row, error))
            if len(pending) >= CHUNK:
                flush()
        flush()
    if out is not sys.stdout:
        out.close()
    return EXIT_BAD_INPUT if bad else EXIT_OK


def _content_type(path: str, text: str, requested: str) -> str:
    if requested != "auto":
        return requested
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    head = text.lstrip()[:200].lower()
    return "html" if head.startswith(("<!doctype html", "<html", "<body", "<div", "<p>", "<article")) else "text"


def format_table(name: str, result: ArticleResult) -> str:
    lines = [
        f"== {name}",
        f"verdict: {result.verdict}   suggestion: {result.suggestion}   confidence: {result.confidence:.2f}",
    ]
    if result.title:
        lines.append(f"title: {result.title}")
    for i, p in enumerate(result.passages, 1):
        mark = "!!" if p.flagged else "  "
        snippet = p.text.replace("\n", " ")
        snippet = snippet if len(snippet) <= 60 else snippet[:59] + "…"
        lines.append(f"{mark} [{i}] {p.start}-{p.end} {p.label} ({p.score:.2f})  {snippet}")
        if p.flagged:
            if p.claim_kinds:
                lines.append(f"       claim kinds: {', '.join(p.claim_kinds)}")
            if p.evidence:
                lines.append("       evidence: " + "、".join(f"{e.text}({e.weight:+.2f})" for e in p.evidence))
            for c in p.citations:
                law = provision(c.provision_id)
                lines.append(f"       《{law.law}》{law.article} [{law.confidence}]: {c.reason}")
    return "\n".join(lines)


def cmd_audit(args, auditor_factory) -> int:
    inputs: list[tuple[str, str]] = []
    bad = 0
    for path in args.files:
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            inputs.append((path, decode_bytes(data, path)))
        except OSError as exc:
            _err(f"cannot read {path}: {exc.strerror or exc}")
            bad += 1
        except DecodeError as exc:
            _err(str(exc))
            bad += 1
    if not inputs:
        return EXIT_BAD_INPUT if bad else EXIT_USAGE
    auditor = auditor_factory()
    out = open(args.output, "w", encoding="utf-8") if args.output else None
    try:
        for path, text in inputs:
            try:
                result = auditor.audit(text, content_type=_content_type(path, text, args.content_type))
            except InputError as exc:
                _err(f"{path}: {exc}")
                bad += 1
                continue
            row = {"id": path, **result.model_dump()}
            if out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            if args.format == "table":
                print(format_table(path, result))
            elif not out:
                print(json.dumps(row, ensure_ascii=False, indent=None))
    finally:
        if out:
            out.close()
    return EXIT_BAD_INPUT if bad else EXIT_OK


def cmd_audit_batch(args) -> int:
    from classifier.batch import run_batch

    if args.workers < 1 or args.batch_articles < 1:
        _err("--workers and --batch-articles must be at least 1")
        return EXIT_USAGE
    try:
        stats = run_batch(
            args.inputs, args.output, model_path=args.model, settings=AuditorSettings(), errors_path=args.errors,
            skipped_path=args.skipped, csv_path=args.csv, report_path=args.report, workers=args.workers,
            batch_articles=args.batch_articles, engine=args.engine, fresh=args.fresh,
        )  # fmt: skip
    except OSError as exc:  # an output folder that cannot be made, a journal that cannot be written
        _err(f"{exc.filename or ''}: {exc.strerror or exc}")
        return EXIT_USAGE
    print(stats.summary(), file=sys.stderr)
    return EXIT_BAD_INPUT if stats.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m classifier", description="Medical-insurance cash-out content auditor"
    )
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO on stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("classify", help="classify one passage per JSONL row")
    c.add_argument("--input", required=True, help="JSONL with id and text per row ('-' for stdin)")
    c.add_argument("--output", required=True, help="JSONL output ('-' for stdout)")
    a = sub.add_parser("audit", help="audit whole articles (text, Markdown or HTML)")
    a.add_argument("files", nargs="+", help="files to audit; '-' reads stdin")
    a.add_argument("--output", help="write one JSON result per article to this JSONL file")
    a.add_argument("--format", choices=["json", "table"], default="json")
    a.add_argument("--content-type", choices=["auto", "text", "markdown", "html"], default="auto")
    b = sub.add_parser("audit-batch", help="audit a crawl: directories, JSONL, WARC; resumable")
    b.add_argument("inputs", nargs="+", help="directories, .jsonl(.gz), .warc(.gz), or files")
    b.add_argument("--output", required=True, type=Path, help="results JSONL (one row per article)")
    b.add_argument("--errors", type=Path, help="errors JSONL (default: OUTPUT stem + .errors.jsonl)")
    b.add_argument("--skipped", type=Path, help="skipped inputs JSONL (default: OUTPUT stem + .skipped.jsonl)")
    b.add_argument("--csv", type=Path, help="also write a CSV for spreadsheets")
    b.add_argument("--report", type=Path, help="also write a self-contained HTML report")
    b.add_argument("--workers", type=int, default=1, help="processes for HTML extraction and segmentation")
    b.add_argument("--batch-articles", type=int, default=16, help="articles per model call")
    b.add_argument("--engine", choices=["local", "ray"], default="local")
    b.add_argument(
        "--fresh", action="store_true", help="ignore and delete the journal (OUTPUT.journal): audit everything"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)

    def auditor_factory() -> Auditor:
        return Auditor.load(args.model, AuditorSettings())

    try:
        if args.command == "classify":
            return cmd_classify(args, auditor_factory)
        if args.command == "audit-batch":
            return cmd_audit_batch(args)
        return cmd_audit(args, auditor_factory)
    except ModelLoadError as exc:
        _err(str(exc))
        return EXIT_USAGE
