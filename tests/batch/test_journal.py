"""The journal: keys, torn lines, compaction, and resume after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from classifier.auditor import Auditor
from classifier.batch import run_batch
from classifier.batch.journal import Journal, document_key, fingerprint
from classifier.batch.readers import Document
from classifier.settings import AuditorSettings
from tests.batch.helpers import TRUE, read_jsonl, write_jsonl
from tests.conftest import KeywordModel


def _doc(content: str = TRUE, doc_id: str = "a", content_type: str = "text") -> Document:
    return Document(doc_id, None, content, content_type)


def test_the_key_changes_with_content_id_type_and_job():
    job = "job1"
    key = document_key(job, _doc())
    assert key == document_key(job, _doc())
    assert len({key, document_key(job, _doc(TRUE + "。")), document_key(job, _doc(doc_id="b")),
                document_key(job, _doc(content_type="markdown")), document_key("job2", _doc())}) == 5  # fmt: skip


def test_the_fingerprint_follows_thresholds_and_limits_but_not_batch_size():
    base = fingerprint(Auditor(KeywordModel(), AuditorSettings()))
    assert base == fingerprint(Auditor(KeywordModel(), AuditorSettings(batch_size=7, threads=1)))
    assert base != fingerprint(Auditor(KeywordModel(), AuditorSettings(review_threshold=0.6)))
    assert base != fingerprint(Auditor(KeywordModel(review_threshold=0.4), AuditorSettings()))
    assert base != fingerprint(Auditor(KeywordModel(), AuditorSettings(max_text_chars=1000)))


def test_a_changed_review_threshold_changes_the_verdicts(tmp_path):
    # Defect 3: a re-run with another review threshold kept the old verdicts.
    src = write_jsonl(tmp_path / "docs.jsonl", [{"id": "ad", "text": "医保卡高价回收，当天到账。"}])
    out = tmp_path / "out.jsonl"
    low = run_batch([str(src)], out, auditor=Auditor(KeywordModel(), AuditorSettings(review_threshold=0.5)))
    assert low.reused == 0 and read_jsonl(out)[0]["verdict"] == "cashout_ad"
    high = run_batch(
        [str(src)], out, auditor=Auditor(KeywordModel(block_threshold=1.0), AuditorSettings(review_threshold=0.99))
    )
    assert high.reused == 0 and read_jsonl(out)[0]["verdict"] != "cashout_ad"


def test_a_torn_last_line_is_dropped_and_the_rest_kept(tmp_path):
    path = tmp_path / "j.journal"
    journal = Journal(path)
    journal.append_error("k1", "a", "bad")
    journal.close()
    with open(path, "ab") as fh:
        fh.write(b'{"key": "k2", "id": "b", "err')
    again = Journal(path)
    assert set(again.entries) == {"k1"} and path.read_bytes().endswith(b"\n")
    again.close()


def test_compaction_keeps_only_this_runs_entries(tmp_path):
    journal = Journal(tmp_path / "j.journal")
    for n in range(3):
        journal.append_error(f"k{n}", f"d{n}", "bad")
    journal.compact(["k1"])
    journal.close()
    assert [json.loads(line)["key"] for line in (tmp_path / "j.journal").read_text().splitlines()] == ["k1"]


def test_audit_errors_are_journaled_and_reused(tmp_path):
    src = write_jsonl(tmp_path / "docs.jsonl", [{"id": "huge", "text": "医" * 300}, {"id": "ok", "text": TRUE}])
    auditor = Auditor(KeywordModel(), AuditorSettings(max_text_chars=100))
    first = run_batch([str(src)], tmp_path / "out.jsonl", auditor=auditor)
    second = run_batch([str(src)], tmp_path / "out.jsonl", auditor=auditor)
    assert (first.errors, first.reused, second.errors, second.reused) == (1, 0, 1, 1)
    (error,) = read_jsonl(tmp_path / "out.errors.jsonl")
    assert "300 characters" in error["reason"]


def _many_docs(path, n):
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = (
                (TRUE if i % 2 else "高价回收医保卡，微信ab12。")
                + f" 第{i}号。"
                + "医保个人账户只能用于看病买药。" * 20
            )
            fh.write(json.dumps({"id": f"doc{i:04d}", "text": text}, ensure_ascii=False) + "\n")


@pytest.mark.slow
def test_resume_after_sigkill_matches_an_uninterrupted_run(tmp_path, tiny_model_dir):
    src = tmp_path / "docs.jsonl"
    _many_docs(src, 400)
    cmd = [sys.executable, "-m", "classifier", "--model", str(tiny_model_dir), "audit-batch", str(src),
           "--batch-articles", "4"]  # fmt: skip
    clean = tmp_path / "clean.jsonl"
    assert subprocess.run([*cmd, "--output", str(clean)], capture_output=True, timeout=600).returncode == 0

    out = tmp_path / "killed.jsonl"
    journal = tmp_path / "killed.jsonl.journal"
    proc = subprocess.Popen([*cmd, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and not (journal.exists() and journal.read_bytes().count(b"\n") >= 40):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = journal.read_bytes().count(b"\n")
    assert 40 <= done_before < 400, "the kill must land mid-run"
    assert not out.exists()

    resumed = subprocess.run([*cmd, "--output", str(out)], capture_output=True, timeout=600, text=True)
    assert resumed.returncode == 0
    assert f"400 audited ({400 - done_before} now, {done_before} from the journal)" in resumed.stderr
    rows = read_jsonl(out)
    assert len(rows) == len({r["id"] for r in rows}) == 400
    assert out.read_bytes() == clean.read_bytes()
