"""Batch auditing: every input kind, the errors file, resume after SIGKILL, and Ray parity."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from classifier.batch import read_inputs, run_batch

AD = "<html><head><title>便民信息</title></head><body><article><p>高价回收医保卡，余额八五折，微信ab123，当天到账。</p></article></body></html>"
TRUE = "医保卡里的钱不能提现，只能用于看病买药。"


def write_warc(path, pages):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body, ctype in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body.encode("utf-8")), http_headers=headers
            )
            writer.write_record(record)


@pytest.fixture
def crawl(tmp_path):
    d = tmp_path / "site"
    (d / "sub").mkdir(parents=True)
    (d / "a.html").write_text(AD, encoding="utf-8")
    (d / "sub" / "b.txt").write_text(TRUE, encoding="utf-8")
    (d / "c.md").write_text("# 标题\n\n- " + TRUE, encoding="utf-8")
    (d / "d.html.gz").write_bytes(gzip.compress(AD.encode("utf-8")))
    (d / "bad.txt").write_bytes(b"\x00\x01binary")
    (d / "ignored.png").write_bytes(b"\x89PNG")
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text(
        json.dumps({"id": "j1", "url": "http://example.test/1", "text": TRUE}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "j2", "url": "http://example.test/2", "html": AD}, ensure_ascii=False) + "\n"
        + "{not json\n" + json.dumps({"id": "j4"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    warc = tmp_path / "crawl.warc.gz"
    write_warc(
        warc,
        [("http://example.test/w1", AD, "text/html; charset=utf-8"), ("http://example.test/img", "x", "image/png")],
    )
    return d, jsonl, warc


def test_reads_every_input_kind(crawl):
    d, jsonl, warc = crawl
    docs = {doc.id: doc for doc in read_inputs([str(d), str(jsonl), str(warc), str(d / "missing.html")])}
    assert {
        "a.html",
        "sub/b.txt",
        "c.md",
        "d.html.gz",
        "bad.txt",
        "j1",
        "j2",
        "rows.jsonl:3",
        "j4",
        "http://example.test/w1",
    } <= set(docs)
    assert "ignored.png" not in docs and "http://example.test/img" not in docs
    assert docs["a.html"].content_type == "html" and docs["c.md"].content_type == "markdown"
    assert "回收医保卡" in docs["d.html.gz"].content
    assert docs["http://example.test/w1"].url == "http://example.test/w1"
    assert docs["bad.txt"].error and docs["rows.jsonl:3"].error and docs["j4"].error
    assert any(doc.error == "no such file or directory" for doc in docs.values())


def test_run_writes_results_errors_csv_and_report(crawl, tmp_path, tiny_model_dir):
    d, jsonl, warc = crawl
    out = tmp_path / "out" / "results.jsonl"
    stats = run_batch([str(d), str(jsonl), str(warc)], out, model_path=str(tiny_model_dir),
                      csv_path=tmp_path / "out.csv", report_path=tmp_path / "report.html")  # fmt: skip
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    errors = [
        json.loads(line)
        for line in (tmp_path / "out" / "results.errors.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert stats.audited == len(rows) == 7
    assert {e["id"] for e in errors} == {"bad.txt", "rows.jsonl:3", "j4"}
    assert all(e["reason"] for e in errors)
    for row in rows:
        assert set(row) >= {"id", "url", "title", "verdict", "suggestion", "top_flagged"}
    assert next(r for r in rows if r["id"] == "a.html")["title"] == "便民信息"
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0].startswith("id,url,title,verdict")
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (
        "<svg" in report and "bad.txt" in report and "http" not in report.split("<body>")[0].replace("http-equiv", "")
    )


def test_rerun_is_a_no_op(crawl, tmp_path, tiny_model_dir):
    d, _, _ = crawl
    out = tmp_path / "r.jsonl"
    run_batch([str(d)], out, model_path=str(tiny_model_dir))
    first = out.read_bytes()
    stats = run_batch([str(d)], out, model_path=str(tiny_model_dir))
    assert stats.audited == 0 and stats.skipped == stats.documents
    assert out.read_bytes() == first


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
    cmd = [
        sys.executable,
        "-m",
        "classifier",
        "--model",
        str(tiny_model_dir),
        "audit-batch",
        str(src),
        "--batch-articles",
        "4",
    ]
    clean = tmp_path / "clean.jsonl"
    subprocess.run([*cmd, "--output", str(clean)], check=True, capture_output=True, timeout=600)

    out = tmp_path / "killed.jsonl"
    journal = tmp_path / "killed.jsonl.journal"
    proc = subprocess.Popen([*cmd, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:
        if journal.exists() and journal.read_bytes().count(b"\n") >= 40:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = journal.read_bytes().count(b"\n")
    assert 40 <= done_before < 400, "the kill must land mid-run"
    assert not out.exists()

    subprocess.run([*cmd, "--output", str(out)], check=True, capture_output=True, timeout=600)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len({r["id"] for r in rows}) == 400
    assert out.read_bytes() == clean.read_bytes()


@pytest.mark.slow
def test_ray_engine_matches_the_local_engine(crawl, tmp_path, tiny_model_dir):
    pytest.importorskip("ray")
    d, jsonl, warc = crawl
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_batch([str(d), str(jsonl), str(warc)], local, model_path=str(tiny_model_dir))
    run_batch([str(d), str(jsonl), str(warc)], ray_out, model_path=str(tiny_model_dir), engine="ray", batch_articles=3)
    ray_rows = [json.loads(line) for line in ray_out.read_text(encoding="utf-8").splitlines()]
    local_rows = [json.loads(line) for line in local.read_text(encoding="utf-8").splitlines()]
    # Scores agree to rounding: the engines batch texts differently, and float sums may differ in
    # the last bit, which can move a 4-decimal rounding by one unit.
    assert _with_rounded_floats(ray_rows) == _with_rounded_floats(local_rows)
    assert (tmp_path / "ray.errors.jsonl").read_text(encoding="utf-8") == (tmp_path / "local.errors.jsonl").read_text(
        encoding="utf-8"
    )


def _with_rounded_floats(value, places: int = 3):
    if isinstance(value, float):
        return round(value, places)
    if isinstance(value, dict):
        return {k: _with_rounded_floats(v, places) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_rounded_floats(v, places) for v in value]
    return value
