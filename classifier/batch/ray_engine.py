"""The Ray Data engine (`--engine ray`; `pip install '.[ray]'`).

Reading happens in Ray read tasks (`CrawlDatasource`: a task per JSONL or WARC file, one per
group of files), so documents stream from storage to the actors and the driver holds only the
list of inputs, the journal keys and the rows coming back. An actor pool (`map_batches` with
`ActorPoolStrategy`), each actor holding one loaded Auditor, extracts and audits; the driver
journals rows as they stream back, so resume works as with the local engine, and both engines
build their outcomes with the same functions (classifier.batch.audit).

Locally Ray starts in-process; set RAY_ADDRESS to use an existing cluster and MEDCASH_RAY_ACTORS
for the number of model actors. When this process starts Ray, a watchdog process kills every
process Ray started here once this one exits, however it exits (SIGKILL included): Ray's own
clean-up runs only on a normal exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from functools import partial

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
from classifier.batch.journal import Journal, document_key
from classifier.batch.readers import Document, Unit, read_unit
from classifier.batch.rows import ResultRow

FILES_PER_READ_TASK = 32
_MARKER_VARIABLE = "MEDCASH_BATCH_RAY_RUN"
_COLUMNS = ("unit", "seq", "id", "source", "url", "duplicate_of", "content", "content_type", "status", "key", "row",
            "reason")  # fmt: skip


class RaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDCASH_RAY_", extra="ignore")

    actors: int = Field(1, ge=1, le=1024, description="model actors (each holds one loaded Auditor)")


def _schema():
    import pyarrow as pa

    ints = {"unit", "seq"}
    return pa.schema([(name, pa.int64() if name in ints else pa.string()) for name in _COLUMNS])


def _table(rows: list[dict]):
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=_schema())


def _record(doc: Document, status: str, key=None, row=None, reason=None, content=None) -> dict:
    return {"unit": doc.position[0], "seq": doc.position[1], "id": doc.id, "source": doc.source, "url": doc.url,
            "duplicate_of": doc.duplicate_of, "content": content, "content_type": doc.content_type, "status": status,
            "key": key, "row": row, "reason": reason}  # fmt: skip


def _document(record: dict) -> Document:
    return Document(record["id"], record["url"], record["content"], record["content_type"],
                    duplicate_of=record["duplicate_of"], position=(record["unit"], record["seq"]),
                    source=record["source"])  # fmt: skip


def _read_group(units: list[Unit], job: str, done_ref, block_rows: int = 64):
    """A read task: the documents of its units, triaged: skipped, unreadable, already journaled
    (no content shipped) or to audit."""
    import ray

    done = ray.get(done_ref)
    rows: list[dict] = []
    for unit in units:
        for doc in read_unit(unit):
            if doc.skipped is not None:
                rows.append(_record(doc, "skipped", reason=doc.skipped))
            elif doc.error is not None:
                rows.append(_record(doc, "error", reason=doc.error))
            else:
                key = document_key(job, doc)
                rows.append(
                    _record(doc, "journal", key) if key in done else _record(doc, "todo", key, content=doc.content)
                )
            if len(rows) >= block_rows:
                yield _table(rows)
                rows = []
    if rows:
        yield _table(rows)


def _datasource_class():
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    class CrawlDatasource(Datasource):
        def __init__(self, units: list[Unit], job: str, done_ref) -> None:
            super().__init__()
            self.units, self.job, self.done_ref = units, job, done_ref

        def estimate_inmemory_data_size(self):
            return None

        def get_read_tasks(self, parallelism: int, per_task_row_limit=None, data_context=None):
            groups, files = [], []
            for unit in self.units:
                if unit.kind in ("jsonl", "warc"):
                    groups.append([unit])
                else:
                    files.append(unit)
                    if len(files) == FILES_PER_READ_TASK:
                        groups.append(files)
                        files = []
            if files:
                groups.append(files)
            return [
                ReadTask(
                    partial(_read_group, group, self.job, self.done_ref),
                    BlockMetadata(
                        num_rows=None, size_bytes=None, exec_stats=None, input_files=tuple(u.path for u in group)
                    ),
                    schema=_schema(),
                    per_task_row_limit=per_task_row_limit,
                )
                for group in groups
            ]

    return CrawlDatasource


class AuditActor:
    """Holds one Auditor; turns a block of triaged documents into a block of outcomes."""

    def __init__(self, model_path: str | None, settings_json: str) -> None:
        from classifier.auditor import Auditor
        from classifier.settings import AuditorSettings

        self.auditor = Auditor.load(model_path, AuditorSettings.model_validate_json(settings_json))

    def __call__(self, batch):
        records = batch.to_pylist()
        todo = []
        for record in records:
            if record["status"] == "todo":
                prepared, error = try_prepare(_document(record), self.auditor.settings)
                if prepared is None:  # try_prepare gives a reason exactly when it gives no article
                    record.update(status="error", reason=error)
                else:
                    todo.append((record, prepared))
        for (record, _), result in zip(todo, audit_safely(self.auditor, [p for _, p in todo]), strict=True):
            if isinstance(result, str):
                record.update(status="error", reason=result)
            else:
                record.update(status="audited", row=result_row(_document(record), result).model_dump_json())
        for record in records:
            record["content"] = None  # not shipped back to the driver
        return _table(records)


def run_ray(units: list[Unit], auditor, job: str, journal: Journal, batch_articles: int) -> Iterator[Outcome]:
    import ray

    actors = RaySettings().actors
    watchdog = None
    started_here = not ray.is_initialized()
    if started_here:
        watchdog = _start_watchdog()
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        with warnings.catch_warnings():
            # Ray Data's DataContext() assigns its own deprecated fields' defaults (use_push_based_shuffle,
            # use_polars, ...) and warns about them (ray 2.60); we set none of them. Created once per process.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray\.data\.context")
            context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        done_ref = ray.put(frozenset(journal.entries))
        dataset = ray.data.read_datasource(_datasource_class()(units, job, done_ref)).map_batches(
            AuditActor,
            fn_constructor_kwargs={"model_path": auditor.model.info.path,
                                   "settings_json": auditor.settings.model_dump_json()},
            batch_size=batch_articles,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=actors),
        )  # fmt: skip
        for block in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
            for record in block.to_pylist():
                yield _outcome(record, journal)
    finally:
        if started_here:
            ray.shutdown()
            _stop_watchdog(watchdog)


def _outcome(record: dict, journal: Journal) -> Outcome:
    doc = _document(record)
    status, key = record["status"], record["key"]
    if status == "skipped":
        return skip_outcome(Document(doc.id, doc.url, None, doc.content_type, skipped=record["reason"],
                                     duplicate_of=doc.duplicate_of, position=doc.position, source=doc.source))  # fmt: skip
    if status == "journal":
        entry = journal.get(key)
        if entry is None:
            raise RuntimeError(f"journal entry {key} was triaged as present but is gone")
        return journal_outcome(doc, key, entry)
    if status == "error":
        if key is not None:  # an audit error: journaled like a row
            journal.append_error(key, doc.id, record["reason"])
        return error_outcome(doc, record["reason"], key)
    if status != "audited":
        raise RuntimeError(f"the Ray engine returned {record['id']!r} with status {status!r}")
    row = ResultRow.model_validate_json(record["row"])
    journal.append_row(key, row)
    return row_outcome(doc, row, key, reused=False)


# ---------------------------------------------------------------- no orphans

_WATCHDOG = """
import os, signal, sys, time
marker = sys.argv[1].encode()
sys.stdin.buffer.read()  # returns at EOF: the driver closed the pipe or died
# Sweep until no marked process has been seen for 3 s (a dying raylet can still start workers for a
# while), at most 60 s.
quiet_since, stop_at = time.time(), time.time() + 60
while time.time() < stop_at and time.time() - quiet_since < 3:
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open(f"/proc/{pid}/environ", "rb") as fh:
                    env = fh.read().split(b"\\0")
            except OSError:
                continue
            if marker in env:
                quiet_since = time.time()
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
    time.sleep(0.2)
"""


def _start_watchdog():
    """Mark this run's Ray processes (they inherit the environment) and start a process that
    kills the marked ones when this process's end of a pipe closes. Linux only (/proc)."""
    if not os.path.isdir("/proc"):
        return None
    marker = f"{_MARKER_VARIABLE}={uuid.uuid4().hex}"
    clean_env = {k: v for k, v in os.environ.items() if k != _MARKER_VARIABLE}
    watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, marker], stdin=subprocess.PIPE, env=clean_env,
                                start_new_session=True)  # fmt: skip
    os.environ[_MARKER_VARIABLE] = marker.split("=", 1)[1]
    return watchdog


def _stop_watchdog(watchdog) -> None:
    os.environ.pop(_MARKER_VARIABLE, None)
    if watchdog is not None:
        watchdog.stdin.close()
        try:
            watchdog.wait(timeout=10)
        except subprocess.TimeoutExpired:
            watchdog.kill()
