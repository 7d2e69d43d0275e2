"""The journal: what a run has audited, so a killed run resumes and an unchanged re-run is free.

`OUTPUT.journal` is JSONL, one entry per audited document, appended with one `os.write` on an
O_APPEND descriptor (a SIGKILL leaves at most a torn last line, which is dropped on reading):

    {"key": "...", "id": "...", "row": {...ResultRow...}}      or      {"key": ..., "id": ..., "error": "..."}

An entry is reused only when its key matches, and the key hashes everything the result depends
on: the document's id, content type and content, the model (name, version, data hash,
temperature, thresholds, statutes version), the settings that change results (limits, evidence,
quantization) and the row format. So an edited page, another threshold, another model or a new
row format is audited again, and an entry of another shape is ignored. At the end of a complete
run the journal is rewritten with the entries of this run's documents only. `--fresh` deletes it
first. Errors found while reading (unreadable files, bad JSON lines) are not journaled: they are
cheap to find again and a fixed file must not stay an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from classifier.batch.readers import Document
from classifier.batch.rows import ROW_FORMAT, ResultRow

# Settings that cannot change a result: how many texts share a model call, threads, where the model came from
# (the model itself is in the fingerprint through Auditor.info()).
_NEUTRAL_SETTINGS = {"batch_size", "threads", "model_path"}


def fingerprint(auditor) -> str:
    """What the results of `auditor` depend on, besides the document."""
    payload = {
        "model": auditor.info(),
        "settings": auditor.settings.model_dump(exclude=_NEUTRAL_SETTINGS),
        "row_format": ROW_FORMAT,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def document_key(job: str, doc: Document) -> str:
    digest = hashlib.sha256()
    for part in (job, doc.id, doc.content_type, doc.content or ""):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


class Journal:
    def __init__(self, path: Path, fresh: bool = False) -> None:
        self.path = path
        self.entries: dict[str, dict] = {}
        self.ignored = 0  # lines of another shape or format
        if fresh:
            path.unlink(missing_ok=True)
        if path.exists():
            data = path.read_bytes()
            complete = data[: data.rfind(b"\n") + 1]
            if len(complete) != len(data):  # a kill mid-write: drop the partial line
                with open(path, "r+b") as fh:
                    fh.truncate(len(complete))
            for line in complete.splitlines():
                entry = self._parse(line)
                if entry is None:
                    self.ignored += 1
                else:
                    self.entries[entry["key"]] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    @staticmethod
    def _parse(line: bytes) -> dict | None:
        try:
            entry = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not isinstance(entry.get("id"), str):
            return None
        if "row" in entry:
            try:
                entry["row"] = ResultRow.model_validate(entry["row"])
            except ValidationError:
                return None
            return entry
        return entry if isinstance(entry.get("error"), str) else None

    def get(self, key: str) -> dict | None:
        return self.entries.get(key)

    def append_row(self, key: str, row: ResultRow) -> None:
        self._append({"key": key, "id": row.id, "row": row})

    def append_error(self, key: str, doc_id: str, reason: str) -> None:
        self._append({"key": key, "id": doc_id, "error": reason})

    def _append(self, entry: dict) -> None:
        data = {**entry, "row": entry["row"].model_dump(mode="json")} if "row" in entry else entry
        os.write(self.fd, (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8"))
        self.entries[entry["key"]] = entry

    def compact(self, keep: Iterable[str]) -> None:
        """Rewrite the journal with only the given keys' entries (atomically)."""
        keep = set(keep)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for key, entry in self.entries.items():
                if key in keep:
                    data = {**entry, "row": entry["row"].model_dump(mode="json")} if "row" in entry else entry
                    fh.write(json.dumps(data, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.close(self.fd)
        os.replace(tmp, self.path)
        self.entries = {k: v for k, v in self.entries.items() if k in keep}
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)
