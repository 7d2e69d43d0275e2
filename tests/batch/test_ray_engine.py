"""The Ray engine: same rows as the local engine, reading in the workers, no orphan processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from classifier.batch import run_batch
from tests.batch.helpers import AD, TRUE, read_jsonl, write_jsonl, write_warc

pytestmark = pytest.mark.slow
pytest.importorskip("ray")  # the [ray] extra


@pytest.fixture
def inputs(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text(AD, encoding="utf-8")
    (site / "b.txt").write_text(TRUE, encoding="utf-8")
    (site / "bad.txt").write_bytes(b"\x00binary")
    (site / "logo.png").write_bytes(b"\x89PNG")
    rows = write_jsonl(tmp_path / "rows.jsonl", [{"id": "j1", "url": "http://example.test/1", "text": TRUE},
                                                 {"id": "j1", "html": AD}, {"id": "n", "url": 5, "text": TRUE},
                                                 "{not json"])  # fmt: skip
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [("http://example.test/w1", AD, "text/html; charset=utf-8"),
                      ("http://example.test/404", AD, "text/html", "404 Not Found")])  # fmt: skip
    return [str(site), str(rows), str(warc)]


def _outputs(out):
    return [(out.with_name(out.stem + suffix)).read_text(encoding="utf-8") for suffix in
            (".jsonl", ".errors.jsonl", ".skipped.jsonl")]  # fmt: skip


def test_ray_engine_writes_what_the_local_engine_writes(inputs, tmp_path, tiny_model_dir):
    # Defect 5 (Ray): a url that is not a string aborted the whole run before any work.
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    a = run_batch(inputs, local, model_path=str(tiny_model_dir))
    b = run_batch(inputs, ray_out, model_path=str(tiny_model_dir), engine="ray", batch_articles=2)
    assert (
        (a.audited, a.errors, a.skipped, a.duplicates) == (b.audited, b.errors, b.skipped, b.duplicates) == (5, 3, 2, 1)
    )
    assert _rounded(read_jsonl(local)) == _rounded(read_jsonl(ray_out))
    assert _outputs(local)[1:] == _outputs(ray_out)[1:]


def test_ray_reads_the_inputs_in_its_workers(inputs, tmp_path, tiny_model_dir, monkeypatch):
    # Defect 10: the Ray engine read every document into the driver before starting. Every binding
    # of the readers in this (driver) process refuses; Ray's workers import their own.
    import classifier.batch.ray_engine  # noqa: F401 (loaded so that its binding is patched too)

    def refuse(*args, **kwargs):
        raise AssertionError("the driver read documents")

    for name, module in list(sys.modules.items()):
        if name == "classifier.batch" or name.startswith("classifier.batch."):
            for attr in ("read_inputs", "read_unit"):
                if hasattr(module, attr):
                    monkeypatch.setattr(module, attr, refuse)
    stats = run_batch(inputs, tmp_path / "out.jsonl", model_path=str(tiny_model_dir), engine="ray")
    assert stats.audited == 5


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds the marker: the driver's children inherit it (Ray renames
    its workers' command lines, so those cannot be matched)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:  # gone, or not ours
                continue
    return found


def test_no_ray_process_outlives_a_killed_driver(tmp_path, tiny_model_dir):
    # Defect 10: Ray processes outlived a SIGKILL of the driver.
    src = write_jsonl(tmp_path / "docs.jsonl", [{"id": f"d{i}", "text": TRUE * 20} for i in range(400)])
    marker = f"MEDCASH_TEST_RUN={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    out = tmp_path / "out.jsonl"
    driver = subprocess.Popen([sys.executable, "-m", "classifier", "--model", str(tiny_model_dir), "audit-batch",
                               str(src), "--output", str(out), "--engine", "ray", "--batch-articles", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    journal = tmp_path / "out.jsonl.journal"
    deadline = time.time() + 240
    while time.time() < deadline and not (journal.exists() and journal.read_bytes().count(b"\n") >= 2):
        time.sleep(0.2)
    assert _processes_with(marker), "Ray should be running mid-run"
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    deadline = time.time() + 90  # the watchdog sweeps until 3 s pass with no marked process, at most 60 s
    while time.time() < deadline and _processes_with(marker):
        time.sleep(0.5)
    left = _processes_with(marker)
    described = []
    for pid in left:  # do not leave them behind for the next test either
        try:
            described.append((pid, Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]))
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue
    assert left == [], described


def _rounded(value, places: int = 3):
    if isinstance(value, float):
        return round(value, places)
    if isinstance(value, dict):
        return {k: _rounded(v, places) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v, places) for v in value]
    return value
