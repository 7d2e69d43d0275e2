"""The run: progress, duplicates, the journal and resume, the summary and exit code, outputs."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import struct
import termios
import threading

import pytest

from classifier.batch import run_batch
from classifier.settings import AuditorSettings
from tests.batch.helpers import AD, TRUE, read_jsonl, write_jsonl, write_warc


def _rows(n: int) -> list[dict]:
    return [{"id": f"d{i}", "text": f"{TRUE} 第{i}号。"} for i in range(n)]


class _Terminal:
    """stderr on the slave side of a pseudo-terminal; a thread drains the master side."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a fresh pty has 0 columns
        self.stream = open(slave, "w", encoding="utf-8", buffering=1)
        self.output = bytearray()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:  # the slave side closed
                return
            if not data:
                return
            self.output.extend(data)

    def close(self) -> str:
        self.stream.close()
        self.reader.join(timeout=5)
        os.close(self.master)
        return self.output.decode("utf-8", "replace")


def test_progress_under_a_terminal_shows_a_total_and_does_not_crash(tmp_path, tiny_model_dir, monkeypatch):
    # Defect 1: tqdm's bar has no truth value without a total; `if progress:` raised TypeError
    # after the first 16 documents. Defect 11: the bar had no total (no ETA).
    src = write_jsonl(tmp_path / "docs.jsonl", _rows(20))
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal.stream)
    assert terminal.stream.isatty()
    try:
        stats = run_batch([str(src)], tmp_path / "out.jsonl", model_path=str(tiny_model_dir))
    finally:
        shown = terminal.close()
    assert stats.audited == 20
    assert "20/20" in shown


def test_documents_sharing_an_id_are_all_audited_and_reported(tmp_path, tiny_model_dir):
    # Defect 2: two crawls holding news/index.html, JSONL rows sharing an id and a URL captured
    # twice were dropped without a word.
    for crawl in ("crawlA", "crawlB"):
        (tmp_path / crawl / "news").mkdir(parents=True)
        (tmp_path / crawl / "news" / "index.html").write_text(AD.replace("便民", crawl), encoding="utf-8")
    rows = write_jsonl(
        tmp_path / "rows.jsonl",
        [{"id": "same", "text": TRUE}, {"id": "same", "text": "高价回收医保卡"}, {"id": "other", "text": TRUE}],
    )
    warc = tmp_path / "crawl.warc.gz"
    write_warc(
        warc,
        [
            ("http://example.test/a", AD, "text/html; charset=utf-8", "200 OK", "2026-01-01T00:00:00Z"),
            (
                "http://example.test/a",
                AD.replace("微信", "电话"),
                "text/html; charset=utf-8",
                "200 OK",
                "2026-02-01T00:00:00Z",
            ),
        ],
    )
    out = tmp_path / "out.jsonl"
    stats = run_batch([str(tmp_path / "crawlA"), str(tmp_path / "crawlB"), str(rows), str(warc)], out,
                      model_path=str(tiny_model_dir))  # fmt: skip
    results = read_jsonl(out)
    assert len(results) == len({r["id"] for r in results}) == 7
    assert stats.audited == 7
    assert {r["title"] for r in results} >= {"crawlA信息", "crawlB信息"}
    assert stats.duplicates == 1  # the JSONL id given twice; the two crawls and captures differ by construction
    assert sum(1 for r in results if r["duplicate_of"]) == 1


def test_a_changed_file_is_audited_again(tmp_path, tiny_model_dir):
    # Defect 3: the journal was keyed by id only, so an edited page kept its old result.
    (tmp_path / "site").mkdir()
    page = tmp_path / "site" / "a.html"
    page.write_text(AD.replace("便民信息", "旧标题"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch([str(tmp_path / "site")], out, model_path=str(tiny_model_dir))
    page.write_text(AD.replace("便民信息", "新标题"), encoding="utf-8")
    run_batch([str(tmp_path / "site")], out, model_path=str(tiny_model_dir))
    assert [r["title"] for r in read_jsonl(out)] == ["新标题"]


def test_changed_settings_audit_again(tmp_path, tiny_model_dir):
    # Defect 3: a re-run with other settings kept the results of the old ones.
    long_paragraph = "医保个人账户的钱只能用于看病买药，不能提现。" * 30  # 630 characters, one paragraph
    src = write_jsonl(tmp_path / "docs.jsonl", [{"id": "long", "text": long_paragraph}])
    out = tmp_path / "out.jsonl"
    run_batch([str(src)], out, model_path=str(tiny_model_dir), settings=AuditorSettings(max_passage_chars=300))
    assert read_jsonl(out)[0]["passages"] > 1
    run_batch([str(src)], out, model_path=str(tiny_model_dir), settings=AuditorSettings(max_passage_chars=2000))
    assert read_jsonl(out)[0]["passages"] == 1


def test_a_fixed_file_leaves_the_errors_file(tmp_path, tiny_model_dir):
    # Defect 3: a bad file fixed between runs stayed in the errors file.
    (tmp_path / "site").mkdir()
    bad = tmp_path / "site" / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    out = tmp_path / "out.jsonl"
    run_batch([str(tmp_path / "site")], out, model_path=str(tiny_model_dir))
    assert len(read_jsonl(tmp_path / "out.errors.jsonl")) == 1
    bad.write_text(TRUE, encoding="utf-8")
    run_batch([str(tmp_path / "site")], out, model_path=str(tiny_model_dir))
    assert read_jsonl(tmp_path / "out.errors.jsonl") == []
    assert len(read_jsonl(out)) == 1


def test_a_resumed_run_reports_its_errors_and_exit_code(tmp_path, tiny_model_dir, capsys):
    # Defect 4: after a resume the summary said "0 errors" and the exit code was 0.
    from classifier.cli import main

    src = write_jsonl(tmp_path / "docs.jsonl", [{"id": "ok", "text": TRUE}, "{not json", {"id": "no-text"}])
    argv = ["--model", str(tiny_model_dir), "audit-batch", str(src), "--output", str(tmp_path / "out.jsonl")]
    assert main(argv) == 1
    first = capsys.readouterr().err
    assert main(argv) == 1
    second = capsys.readouterr().err
    assert "2 errors" in first and "2 errors" in second
    assert len(read_jsonl(tmp_path / "out.errors.jsonl")) == 2


def test_a_url_that_is_not_a_string_is_an_error_for_that_row(tmp_path, tiny_model_dir):
    # Defect 5: a JSONL url that is not a string crashed the report.
    src = write_jsonl(
        tmp_path / "docs.jsonl",
        [{"id": "n", "url": 123, "text": TRUE}, {"id": "ok", "url": "http://a.test/", "text": TRUE}],
    )
    out = tmp_path / "out.jsonl"
    stats = run_batch([str(src)], out, model_path=str(tiny_model_dir), report_path=tmp_path / "report.html",
                      csv_path=tmp_path / "out.csv")  # fmt: skip
    assert stats.audited == 1 and stats.errors == 1
    (error,) = read_jsonl(tmp_path / "out.errors.jsonl")
    assert "url" in error["reason"] and "line 1" in error["reason"]
    assert "http://a.test/" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_the_length_limit_applies_to_the_extracted_text(tmp_path, tiny_model_dir):
    # Defect 7: a 350 KB portal page, mostly script, was rejected by the 200,000-character limit.
    script = "<script>var x = '" + "a" * 350_000 + "';</script>"
    page = f"<html><head><title>门户</title>{script}</head><body><article><p>{TRUE}</p></article></body></html>"
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "portal.html").write_text(page, encoding="utf-8")
    (tmp_path / "site" / "huge.txt").write_text("医保" * 100_001, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    stats = run_batch([str(tmp_path / "site")], out, model_path=str(tiny_model_dir))
    assert [r["title"] for r in read_jsonl(out)] == ["门户"]
    (error,) = read_jsonl(tmp_path / "out.errors.jsonl")
    assert "200002 characters" in error["reason"] and stats.errors == 1


def test_outputs_in_a_missing_folder_are_written(tmp_path, tiny_model_dir):
    # Defect 10: a missing output folder failed after all the work was done.
    src = write_jsonl(tmp_path / "docs.jsonl", _rows(2))
    deep = tmp_path / "not" / "yet"
    run_batch([str(src)], tmp_path / "out.jsonl", model_path=str(tiny_model_dir), csv_path=deep / "out.csv",
              report_path=deep / "report" / "index.html")  # fmt: skip
    assert (deep / "out.csv").exists() and (deep / "report" / "index.html").exists()


def test_every_input_is_counted(tmp_path, tiny_model_dir):
    # Defect 11: .xhtml, .shtml, extension-less wget files, .HTML.GZ were silently skipped, as
    # were non-HTML WARC records; nothing counted them.
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.xhtml").write_text(AD, encoding="utf-8")
    (site / "b.shtml").write_text(AD, encoding="utf-8")
    (site / "index").write_text(AD, encoding="utf-8")  # what wget saves for a URL ending in /
    (site / "C.HTML.GZ").write_bytes(gzip.compress(AD.encode("utf-8")))
    (site / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [("http://example.test/img", b"\x89PNG", "image/png"),
                      ("http://example.test/gone", AD, "text/html", "404 Not Found")])  # fmt: skip
    out = tmp_path / "out.jsonl"
    stats = run_batch([str(site), str(warc)], out, model_path=str(tiny_model_dir))
    assert stats.audited == 4 and stats.errors == 0 and stats.skipped == 3
    assert stats.inputs == 7
    skipped = read_jsonl(tmp_path / "out.skipped.jsonl")
    assert len(skipped) == 3 and all(s["reason"] for s in skipped)
    assert any("404" in s["reason"] for s in skipped)


def test_fresh_starts_over(tmp_path, tiny_model_dir):
    src = write_jsonl(tmp_path / "docs.jsonl", _rows(3))
    out = tmp_path / "out.jsonl"
    run_batch([str(src)], out, model_path=str(tiny_model_dir))
    again = run_batch([str(src)], out, model_path=str(tiny_model_dir))
    assert again.reused == 3 and again.audited == 3
    fresh = run_batch([str(src)], out, model_path=str(tiny_model_dir), fresh=True)
    assert fresh.reused == 0 and fresh.audited == 3


@pytest.mark.parametrize("kind", ["id-only", "torn"])
def test_old_or_torn_journal_lines_are_not_trusted(tmp_path, tiny_model_dir, kind):
    src = write_jsonl(tmp_path / "docs.jsonl", _rows(1))
    out = tmp_path / "out.jsonl"
    doc_id = f"{src}#d0"
    old_style = json.dumps({"id": doc_id, "verdict": "cashout_ad"}) + "\n"  # the v1 journal: no key
    (tmp_path / "out.jsonl.journal").write_text(old_style if kind == "id-only" else old_style[:20], encoding="utf-8")
    stats = run_batch([str(src)], out, model_path=str(tiny_model_dir))
    assert stats.reused == 0 and stats.audited == 1
    assert [r["id"] for r in read_jsonl(out)] == [doc_id]


def test_fresh_from_the_command_line(tmp_path, tiny_model_dir, capsys):
    from classifier.cli import main

    src = write_jsonl(tmp_path / "docs.jsonl", _rows(2))
    argv = ["--model", str(tiny_model_dir), "audit-batch", str(src), "--output", str(tmp_path / "out.jsonl")]
    assert main(argv) == 0 and main(argv) == 0
    assert "2 audited (0 now, 2 from the journal)" in capsys.readouterr().err
    assert main([*argv, "--fresh"]) == 0
    assert "2 audited (2 now, 0 from the journal), 0 skipped, 0 errors" in capsys.readouterr().err


def test_progress_lines_off_a_terminal_show_the_total_and_an_eta(tmp_path, capsys, monkeypatch):
    from classifier.auditor import Auditor
    from tests.conftest import KeywordModel

    monkeypatch.setattr("classifier.batch.run.LOG_EVERY_SECONDS", 0.0)
    src = write_jsonl(tmp_path / "docs.jsonl", _rows(3))
    run_batch([str(src)], tmp_path / "out.jsonl", auditor=Auditor(KeywordModel()))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("progress:")]
    assert lines and all("/3 inputs" in line and "ETA" in line for line in lines)


@pytest.mark.parametrize("bad", [{"engine": "spark"}, {"workers": 0}, {"batch_articles": 0}])
def test_bad_arguments_fail_before_any_work(tmp_path, bad):
    with pytest.raises(ValueError):
        run_batch([str(tmp_path)], tmp_path / "out" / "r.jsonl", **bad)
    assert not (tmp_path / "out").exists()
