"""A batch run: plan the inputs, audit what the journal does not already hold, write the outputs.

The local engine reads documents in this process, extracts and segments them in a process pool
(`workers`) working ahead of the model, and classifies the passages of several articles in one
model call. Outputs are written when every input is accounted for, in input order, so a run that
was killed and resumed ends with the same files as one that was not.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from classifier.batch.audit import (
    Outcome,
    audit_safely,
    error_outcome,
    journal_outcome,
    result_row,
    row_outcome,
    skip_outcome,
    try_prepare,
)
from classifier.batch.journal import Journal, document_key, fingerprint
from classifier.batch.outputs import atomic_write, render_csv, render_jsonl
from classifier.batch.readers import Document, Unit, plan_inputs, read_unit
from classifier.batch.rows import ErrorRow, ResultRow, SkipRow

if TYPE_CHECKING:
    from classifier.settings import AuditorSettings

LOG_EVERY_SECONDS = 10.0


@dataclass
class BatchStats:
    """Every input is exactly one of audited, skipped or error; `reused` and `duplicates` are
    counted within those."""

    inputs: int = 0
    audited: int = 0
    reused: int = 0  # of the audited, taken from the journal
    skipped: int = 0
    errors: int = 0
    duplicates: int = 0
    skip_reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.inputs += 1
        self.duplicates += outcome.duplicate
        if outcome.status in ("audited", "reused"):
            self.audited += 1
            self.reused += outcome.status == "reused"
        elif outcome.status == "skipped":
            assert isinstance(outcome.row, SkipRow)  # a skipped outcome carries a skip row
            self.skipped += 1
            self.skip_reasons[outcome.row.reason] += 1
        else:
            self.errors += 1

    def summary(self) -> str:
        fresh = self.audited - self.reused
        rate = fresh / self.seconds * 60 if self.seconds else 0.0
        reasons = "; ".join(f"{n} {reason}" for reason, n in self.skip_reasons.most_common(5))
        more = len(self.skip_reasons) - 5
        return (
            f"{self.inputs} inputs: {self.audited} audited ({fresh} now, {self.reused} from the journal), "
            f"{self.skipped} skipped{f' ({reasons}' + (f'; {more} more reasons' if more > 0 else '') + ')' if reasons else ''}, "
            f"{self.errors} error{'s' if self.errors != 1 else ''}, {self.duplicates} duplicate id{'s' if self.duplicates != 1 else ''} "
            f"({self.seconds:.1f} s, {rate:.0f} articles/min)"
        )


def run_batch(
    inputs: list[str],
    output: Path,
    model_path: str | None = None,
    settings=None,
    errors_path: Path | None = None,
    skipped_path: Path | None = None,
    csv_path: Path | None = None,
    report_path: Path | None = None,
    workers: int = 1,
    batch_articles: int = 16,
    engine: str = "local",
    fresh: bool = False,
    auditor=None,
) -> BatchStats:
    """Audit every input; returns the counts. `auditor` (tests) replaces loading one."""
    if engine not in ("local", "ray"):
        raise ValueError(f"engine must be 'local' or 'ray', not {engine!r}")
    if workers < 1 or batch_articles < 1:
        raise ValueError("workers and batch_articles must be at least 1")
    started = time.time()
    output = Path(output)
    errors_path = Path(errors_path or output.with_name(output.stem + ".errors.jsonl"))
    skipped_path = Path(skipped_path or output.with_name(output.stem + ".skipped.jsonl"))
    outputs = [p for p in (output, errors_path, skipped_path, csv_path, report_path) if p]
    for path in outputs:  # before any work: a folder that cannot be made fails now, not at the end
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if auditor is None:
        from classifier.auditor import Auditor

        auditor = Auditor.load(model_path, settings)
    job = fingerprint(auditor)
    journal = Journal(output.with_name(output.name + ".journal"), fresh=fresh)
    units = plan_inputs(inputs)
    stats = BatchStats()
    outcomes: list[Outcome] = []
    progress = Progress(count_documents(units, read_warc=engine == "local"))
    try:
        if engine == "ray":
            from classifier.batch.ray_engine import run_ray

            stream = run_ray(units, auditor, job, journal, batch_articles)
        else:
            stream = _run_local(units, auditor, job, journal, workers, batch_articles)
        for outcome in stream:
            outcomes.append(outcome)
            stats.add(outcome)
            progress.update(stats)
        journal.compact(o.key for o in outcomes if o.key)
    finally:
        journal.close()
        progress.close()
    stats.seconds = time.time() - started
    outcomes.sort(key=lambda o: o.position)
    rows = [o.row for o in outcomes if o.status in ("audited", "reused") and isinstance(o.row, ResultRow)]
    errors = [o.row for o in outcomes if o.status == "error" and isinstance(o.row, ErrorRow)]
    skipped = [o.row for o in outcomes if o.status == "skipped" and isinstance(o.row, SkipRow)]
    if len(rows) + len(errors) + len(skipped) != len(outcomes):
        raise RuntimeError("an outcome's status does not match its row type")
    atomic_write(output, render_jsonl(rows))
    atomic_write(errors_path, render_jsonl(errors))
    atomic_write(skipped_path, render_jsonl(skipped))
    if csv_path:
        atomic_write(Path(csv_path), render_csv(rows))
    if report_path:
        from classifier.batch.report import render_report

        atomic_write(Path(report_path), render_report(rows, errors, skipped, stats.summary()))
    return stats


def count_documents(units: list[Unit], read_warc: bool) -> int | None:
    """How many documents the units hold (the progress total): JSONL files are scanned for
    lines, WARC files read once more (None when `read_warc` is off: Ray reads them remotely)."""
    import gzip

    total = 0
    for unit in units:
        if unit.kind == "jsonl":
            opener = gzip.open if unit.path.lower().endswith(".gz") else open
            try:
                with opener(unit.path, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except (OSError, EOFError):
                total += 1
        elif unit.kind == "warc":
            if not read_warc:
                return None
            total += sum(1 for _ in read_unit(unit))
        else:
            total += 1
    return total


def triage(doc: Document, job: str, journal: Journal) -> tuple[Outcome | None, str | None]:
    """(outcome, None) when the document needs no model (skipped, unreadable, in the journal),
    else (None, its journal key)."""
    if doc.skipped is not None:
        return skip_outcome(doc), None
    if doc.error is not None:
        return error_outcome(doc, doc.error), None
    key = document_key(job, doc)
    entry = journal.get(key)
    return (None, key) if entry is None else (journal_outcome(doc, key, entry), key)


# ---------------------------------------------------------------- the local engine

_WORKER_SETTINGS: AuditorSettings | None = None


def _worker_init(settings_json: str) -> None:
    # Extraction processes only extract, segment and normalize; they never load the model.
    global _WORKER_SETTINGS
    from classifier.settings import AuditorSettings

    _WORKER_SETTINGS = AuditorSettings.model_validate_json(settings_json)


def _prepare_job(item: tuple[Document, str]):
    doc, key = item
    if _WORKER_SETTINGS is None:
        raise RuntimeError("_worker_init has not run in this process")
    return doc, key, *try_prepare(doc, _WORKER_SETTINGS)


def _run_local(units, auditor, job: str, journal: Journal, workers: int, batch_articles: int) -> Iterator[Outcome]:
    # Outcomes that need no model, found while feeding the pool (in the pool's feeder thread when
    # workers > 1: a deque, whose append and popleft are thread-safe), handed out in between.
    ready: deque[Outcome] = deque()

    def drain() -> Iterator[Outcome]:
        while ready:
            yield ready.popleft()

    def needing_work() -> Iterator[tuple[Document, str]]:
        for unit in units:
            for doc in read_unit(unit):
                outcome, key = triage(doc, job, journal)
                if outcome is not None:
                    ready.append(outcome)
                else:
                    assert key is not None  # triage keys every document it leaves to the model
                    yield doc, key

    settings_json = auditor.settings.model_dump_json()
    prepared_stream: Iterator[tuple]
    if workers > 1:
        import multiprocessing as mp

        pool = mp.get_context("spawn").Pool(workers, initializer=_worker_init, initargs=(settings_json,))
        prepared_stream = pool.imap(_prepare_job, needing_work(), chunksize=4)
    else:
        _worker_init(settings_json)
        pool = None
        prepared_stream = map(_prepare_job, needing_work())
    try:
        batch: list = []
        for doc, key, prepared, error in prepared_stream:
            if error is not None:
                journal.append_error(key, doc.id, error)
                ready.append(error_outcome(doc, error, key))
            else:
                batch.append((doc, key, prepared))
                if len(batch) >= batch_articles:
                    ready.extend(audit_batch(auditor, batch, journal))
                    batch.clear()
            yield from drain()
        ready.extend(audit_batch(auditor, batch, journal))
        yield from drain()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def audit_batch(auditor, batch: list, journal: Journal) -> list[Outcome]:
    out = []
    for (doc, key, _), result in zip(batch, audit_safely(auditor, [p for _, _, p in batch]), strict=True):
        if isinstance(result, str):
            journal.append_error(key, doc.id, result)
            out.append(error_outcome(doc, result, key))
        else:
            row = result_row(doc, result)
            journal.append_row(key, row)
            out.append(row_outcome(doc, row, key, reused=False))
    return out


class Progress:
    """A tqdm bar with a total (and so an ETA) on a terminal; a log line every 10 s otherwise."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.started = self.last_log = time.time()
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", dynamic_ncols=True, file=sys.stderr)

    def update(self, stats: BatchStats) -> None:
        if self.bar is not None:
            self.bar.update(1)
            return
        now = time.time()
        if now - self.last_log >= LOG_EVERY_SECONDS:
            self.last_log = now
            done = stats.inputs
            eta = ""
            if self.total and done:
                eta = f", ETA {(now - self.started) / done * (self.total - done):.0f} s"
            of = f"/{self.total}" if self.total else ""
            print(f"progress: {done}{of} inputs ({stats.audited} audited, {stats.skipped} skipped, "
                  f"{stats.errors} errors){eta}", file=sys.stderr, flush=True)  # fmt: skip

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
