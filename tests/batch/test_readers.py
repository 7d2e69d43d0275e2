"""Readers: directories, files, JSONL and WARC; ids, encodings, per-record errors, skips."""

from __future__ import annotations

import gzip

from classifier.batch import read_inputs
from tests.batch.helpers import AD, TRUE, write_jsonl, write_warc

BIG5_PAGE = '<html><head><meta charset="big5"><title>醫保卡</title></head><body><p>醫保卡裡的錢不能提現，只能用於看病買藥。</p></body></html>'


def _docs(inputs):
    return [d for d in read_inputs([str(i) for i in inputs])]


def test_every_input_kind(tmp_path):
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "a.html").write_text(AD, encoding="utf-8")
    (site / "sub" / "b.txt").write_text(TRUE, encoding="utf-8")
    (site / "c.md").write_text("# 标题\n\n- " + TRUE, encoding="utf-8")
    (site / "d.html.gz").write_bytes(gzip.compress(AD.encode("utf-8")))
    rows = write_jsonl(tmp_path / "rows.jsonl", [{"id": "j1", "url": "http://example.test/1", "text": TRUE},
                                                 {"id": "j2", "html": AD}])  # fmt: skip
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [("http://example.test/w1", AD, "text/html; charset=utf-8")])
    docs = {d.id: d for d in _docs([site, rows, warc])}
    assert {
        f"{site}/a.html",
        f"{site}/sub/b.txt",
        f"{site}/c.md",
        f"{site}/d.html.gz",
        f"{rows}#j1",
        f"{rows}#j2",
    } <= set(docs)
    assert docs[f"{site}/a.html"].content_type == "html" and docs[f"{site}/c.md"].content_type == "markdown"
    assert "回收医保卡" in docs[f"{site}/d.html.gz"].content
    assert docs[f"{rows}#j1"].url == "http://example.test/1"
    (w1,) = [d for d in docs.values() if d.url == "http://example.test/w1"]
    assert w1.id.startswith(f"{warc}#http://example.test/w1@") and w1.content_type == "html"


def test_directory_ids_tell_two_crawls_apart(tmp_path):
    # Defect 11: ids were relative to the directory given, so two crawls collided.
    for crawl in ("a", "b"):
        (tmp_path / crawl / "news").mkdir(parents=True)
        (tmp_path / crawl / "news" / "index.html").write_text(AD, encoding="utf-8")
    ids = [d.id for d in _docs([tmp_path / "a", tmp_path / "b"])]
    assert ids == [f"{tmp_path}/a/news/index.html", f"{tmp_path}/b/news/index.html"]


def test_big5_page_with_a_meta_charset(tmp_path):
    # Defect 6: Big5 pages were decoded as GB18030 (the meta charset ignored).
    (tmp_path / "tw.html").write_bytes(BIG5_PAGE.encode("big5"))
    (doc,) = _docs([tmp_path / "tw.html"])
    assert doc.error is None and "醫保卡裡的錢不能提現" in doc.content


def test_warc_labelled_latin1_with_a_utf8_body(tmp_path):
    # Defect 6: a record labelled iso-8859-1 whose body is UTF-8 gave a mojibake title.
    warc = tmp_path / "c.warc.gz"
    write_warc(warc, [("http://example.test/", AD, "text/html; charset=iso-8859-1")])
    (doc,) = _docs([warc])
    assert "<title>便民信息</title>" in doc.content


def test_http_header_charset_is_honoured(tmp_path):
    warc = tmp_path / "c.warc.gz"
    write_warc(warc, [("http://example.test/", BIG5_PAGE.replace('<meta charset="big5">', "").encode("big5"),
                       "text/html; charset=big5")])  # fmt: skip
    (doc,) = _docs([warc])
    assert "醫保卡裡的錢不能提現" in doc.content


def test_bom_wins_over_a_wrong_meta_charset(tmp_path):
    page = "\ufeff" + BIG5_PAGE  # says big5, but a UTF-16 BOM leads the bytes
    (tmp_path / "bom.html").write_bytes(page.encode("utf-16-le"))
    (doc,) = _docs([tmp_path / "bom.html"])
    assert doc.error is None and "醫保卡裡的錢不能提現" in doc.content and not doc.content.startswith("\ufeff")


def test_undeclared_gbk_page_is_detected(tmp_path):
    text = "医保卡里的钱不能提现，只能用于看病买药。个人账户的钱可以给家人看病使用，不能取现。" * 3
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    (doc,) = _docs([tmp_path / "gbk.txt"])
    assert doc.content == text


def test_a_corrupt_warc_record_loses_only_itself(tmp_path):
    # Defect 8: one corrupt record abandoned the rest of the archive, and the error embedded raw
    # gzip bytes.
    parts = []
    for n in range(3):
        one = tmp_path / f"{n}.warc.gz"
        write_warc(one, [(f"http://example.test/{n}", AD.replace("便民", f"第{n}"), "text/html; charset=utf-8")])
        parts.append(one.read_bytes())
    middle = bytearray(parts[1])
    middle[40:80] = b"\xff" * 40  # inside the deflate stream
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(parts[0] + bytes(middle) + parts[2])
    docs = _docs([warc])
    good = [d for d in docs if d.error is None]
    bad = [d for d in docs if d.error is not None]
    assert sorted(d.url for d in good) == ["http://example.test/0", "http://example.test/2"]
    assert len(bad) == 1
    assert bad[0].error.isprintable() and len(bad[0].error) < 300 and "\\x" not in bad[0].error
    assert f"byte {len(parts[0])}" in bad[0].error


def test_only_2xx_html_responses_are_audited(tmp_path):
    # Defect 8: a 404 page was audited.
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [("http://example.test/ok", AD, "text/html"),
                      ("http://example.test/gone", AD, "text/html", "404 Not Found"),
                      ("http://example.test/moved", "", "text/html", "301 Moved Permanently"),
                      ("http://example.test/img", b"\x89PNG", "image/png")])  # fmt: skip
    docs = _docs([warc])
    assert [d.url for d in docs if d.skipped is None] == ["http://example.test/ok"]
    reasons = sorted(d.skipped for d in docs if d.skipped)
    assert len(reasons) == 3 and any("404" in r for r in reasons) and any("image/png" in r for r in reasons)


def test_jsonl_rows_are_checked_one_by_one(tmp_path):
    rows = write_jsonl(tmp_path / "rows.jsonl", [{"id": "a", "text": TRUE}, "{not json", "[1]", {"id": "b"},
                                                 {"id": "c", "url": 5, "text": TRUE}, {"id": 7, "text": TRUE}])  # fmt: skip
    docs = _docs([rows])
    errors = [d.error for d in docs]
    assert errors[0] is None and errors[5] is None
    assert "line 2" in errors[1] and "JSON" in errors[1]
    assert "line 3" in errors[2] and "line 4" in errors[3] and "'url'" in errors[4]
    assert docs[5].id == f"{rows}#7"


def test_a_missing_input_is_an_error(tmp_path):
    (doc,) = _docs([tmp_path / "missing.html"])
    assert "no such file" in doc.error


def test_readers_never_emit_one_id_twice(tmp_path):
    rows = write_jsonl(tmp_path / "rows.jsonl", [{"id": "x", "text": TRUE}] * 3)
    docs = _docs([rows, rows])
    assert [d.id for d in docs] == [
        f"{rows}#x",
        f"{rows}#x~2",
        f"{rows}#x~3",
        f"{rows}~2#x",
        f"{rows}~2#x~2",
        f"{rows}~2#x~3",
    ]
    assert [d.duplicate_of for d in docs] == [None] + [docs[0].id] * 5


def test_a_source_id_that_looks_like_a_suffix_does_not_collide(tmp_path):
    rows = write_jsonl(
        tmp_path / "rows.jsonl", [{"id": "x", "text": TRUE}, {"id": "x~2", "text": TRUE}, {"id": "x", "text": TRUE}]
    )
    assert [d.id.split("#")[1] for d in _docs([rows])] == ["x", "x~2", "x~3"]


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path, monkeypatch):
    monkeypatch.setattr("classifier.batch.readers.MAX_DOCUMENT_BYTES", 1000)
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * 5000))
    (doc,) = _docs([tmp_path / "bomb.html.gz"])
    assert doc.error == "too large: more than 1000 bytes uncompressed"
