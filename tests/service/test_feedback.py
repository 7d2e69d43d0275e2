"""Feedback: validated, linked to its audit and model version, one decision per target per
moderator, and exported with every field; the same store on PostgreSQL when a server can start."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from service.export_feedback import export, export_rows
from service.feedback import FeedbackStore
from tests.conftest import free_port
from tests.service.conftest import AUTH, assert_error, make_client

PASSAGE = {"target": "passage", "decision": "disagree", "predicted_label": "advertises_cashout",
           "corrected_label": "neutral", "text": "信用卡套现违规", "start": 0, "end": 7, "note": "credit card",
           "moderator": "王芳", "audit_id": "audit-1", "article_id": "page-9"}  # fmt: skip


def test_feedback_is_stored_with_audit_and_model_version(client, tmp_path):
    resp = client.post("/v1/feedback", json=PASSAGE, headers=AUTH)
    assert resp.status_code == 201 and resp.json() == {"id": 1, "created": True}
    (row,) = client.app.state.service.feedback.all()
    assert row.audit_id == "audit-1" and row.model_version == "stub" and row.moderator == "王芳"


def test_the_same_decision_twice_is_one_row_and_can_be_changed(client):
    first = client.post("/v1/feedback", json=PASSAGE, headers=AUTH)
    again = client.post("/v1/feedback", json=PASSAGE, headers=AUTH)
    changed = client.post("/v1/feedback", json={**PASSAGE, "decision": "agree", "corrected_label": None}, headers=AUTH)
    other_moderator = client.post("/v1/feedback", json={**PASSAGE, "moderator": "李强"}, headers=AUTH)
    assert first.status_code == 201 and again.status_code == 200 and changed.status_code == 200
    assert first.json()["id"] == again.json()["id"] == changed.json()["id"]
    assert other_moderator.status_code == 201 and other_moderator.json()["id"] != first.json()["id"]
    rows = client.app.state.service.feedback.all()
    assert [(r.moderator, r.decision) for r in rows] == [("王芳", "agree"), ("李强", "disagree")]


@pytest.mark.parametrize(
    "change",
    [
        {"predicted_label": "anything"},
        {"predicted_label": "cashout_ad"},  # a verdict is not a passage label
        {"corrected_label": None},  # a disagreement needs the right label
        {"corrected_label": "misleading"},
        {"end": 2_000_000_000_000},
        {"end": 9223372036854775808},
        {"start": 5, "end": 5},
        {"start": None},
        {"audit_id": "<script>"},
    ],
)
def test_invalid_feedback_is_a_422(client, change):
    assert_error(client.post("/v1/feedback", json={**PASSAGE, **change}, headers=AUTH), 422, "validation_error")


def test_page_verdict_feedback(client):
    body = {"target": "article", "decision": "disagree", "predicted_label": "cashout_ad",
            "corrected_label": "misleading", "text": "整页文本", "audit_id": "audit-2", "moderator": "王芳"}  # fmt: skip
    assert client.post("/v1/feedback", json=body, headers=AUTH).status_code == 201
    assert_error(
        client.post("/v1/feedback", json={**body, "corrected_label": "neutral"}, headers=AUTH), 422, "validation_error"
    )


def test_export_writes_every_row_with_every_field(tmp_path):
    with make_client(tmp_path) as c:
        c.post("/v1/feedback", json=PASSAGE, headers=AUTH)
        c.post("/v1/feedback", json={"target": "article", "decision": "agree", "predicted_label": "cashout_ad",
                                     "text": "整页", "audit_id": "audit-1", "moderator": "王芳"}, headers=AUTH)  # fmt: skip
    out = tmp_path / "fb.jsonl"
    assert export(f"sqlite:///{tmp_path}/fb.db", out) == 2
    passage, article = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    expected = {"id", "decision_key", "created_at", "updated_at", "target", "decision", "predicted_label",
                "corrected_label", "text", "start", "end", "audit_id", "article_id", "note", "moderator",
                "model_version", "label"}  # fmt: skip
    assert set(passage) == set(article) == expected
    assert passage["label"] == "neutral" and passage["start"] == 0 and passage["end"] == 7
    assert passage["moderator"] == "王芳" and passage["created_at"]
    assert article["target"] == "article" and article["label"] == "cashout_ad"


def test_export_command_as_the_readme_writes_it(tmp_path):
    with make_client(tmp_path) as c:
        c.post("/v1/feedback", json=PASSAGE, headers=AUTH)
    env = {**os.environ, "MEDCASH_SERVICE_DATABASE_URL": f"sqlite:///{tmp_path}/fb.db"}
    proc = subprocess.run([sys.executable, "-m", "service.export_feedback", "--output", str(tmp_path / "out.jsonl")],
                          capture_output=True, env=env, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["audit_id"] == "audit-1"


def test_training_does_not_import_service():
    training = Path(__file__).resolve().parents[2] / "training"
    offenders = [
        p.name for p in training.glob("*.py") if "import service" in p.read_text() or "from service" in p.read_text()
    ]
    assert offenders == []


# PostgreSQL: a throwaway cluster from the Debian `postgresql` binaries, started by the test.


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15"):
        path = f"/usr/lib/postgresql/{version}/bin/{name}"
        if os.path.exists(path):
            return path
    return None


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install '.[postgres]')")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries (Debian package postgresql) are not installed")
    # Directly under /tmp: pytest's own temp root is private to root, which the server user cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="medcash-pg-"))
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    # initdb refuses to run as root; run the server as the postgres user then.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if prefix:
        shutil.chown(folder, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    steps = [
        [*prefix, initdb, "-D", str(data), "-U", "medcash", "--auth=trust", "-E", "UTF8"],
        [*prefix, pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "30",
         "-o", f"-k {sock} -p {port} -c listen_addresses=''", "start"],
    ]  # fmt: skip
    for step in steps:
        proc = subprocess.run(step, capture_output=True, timeout=120)
        if proc.returncode != 0:
            reason = f"PostgreSQL could not start: {proc.stderr.decode(errors='replace')[-300:]}"
            print(reason)
            pytest.skip(reason)
    yield f"postgresql+psycopg://medcash@/postgres?host={sock}&port={port}"
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True, timeout=60)
    shutil.rmtree(folder, ignore_errors=True)


def test_feedback_on_a_real_postgresql_server(postgres_url, tmp_path):
    store = FeedbackStore(postgres_url)
    fields = {k: v for k, v in PASSAGE.items()} | {"model_version": "v-test"}
    first, created = store.upsert(**fields)
    again, created_again = store.upsert(**{**fields, "decision": "agree", "corrected_label": None})
    assert created and not created_again and first == again
    out = io.StringIO()
    assert export_rows(postgres_url, out) == 1
    row = json.loads(out.getvalue())
    assert row["decision"] == "agree" and row["text"] == "信用卡套现违规" and row["moderator"] == "王芳"
    with make_client(tmp_path, database_url=postgres_url) as c:
        resp = c.post("/v1/feedback", json={**PASSAGE, "audit_id": "audit-pg"}, headers=AUTH)
    assert resp.status_code == 201
    store.close()


def test_a_database_from_an_older_version_is_refused_at_start(tmp_path):
    import sqlite3

    db = tmp_path / "old.db"
    sqlite3.connect(db).execute("create table feedback (id integer primary key, text text)").connection.commit()
    with pytest.raises(RuntimeError, match="older version"):
        FeedbackStore(f"sqlite:///{db}")
