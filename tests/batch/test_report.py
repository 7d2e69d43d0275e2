"""Outputs: the CSV (BOM, formula-safe cells) and the HTML report (index, links, citations)."""

from __future__ import annotations

import csv
import html
import io

import markupsafe
import pytest

from classifier.batch import run_batch
from classifier.batch.outputs import safe_cell
from classifier.batch.rows import ResultRow
from tests.batch.helpers import AD, TRUE, read_jsonl, write_jsonl


def _run(tmp_path, rows, tiny_model_dir):
    src = write_jsonl(tmp_path / "docs.jsonl", rows)
    run_batch([str(src)], tmp_path / "out.jsonl", model_path=str(tiny_model_dir), csv_path=tmp_path / "out.csv",
              report_path=tmp_path / "report.html")  # fmt: skip
    return (tmp_path / "out.csv").read_bytes(), (tmp_path / "report.html").read_text(encoding="utf-8")


def test_javascript_urls_are_not_links(tmp_path, tiny_model_dir):
    # Defect 9: the report made javascript: URLs clickable.
    _, report = _run(tmp_path, [{"id": "x", "url": "javascript:alert(1)", "html": AD},
                                {"id": "y", "url": " JavaScript:alert(2)", "text": TRUE}], tiny_model_dir)  # fmt: skip
    assert 'href="javascript' not in report.lower() and 'href=" javascript' not in report.lower()
    assert "javascript:alert(1)" in report  # shown as text


def test_csv_has_a_bom_and_formula_safe_cells(tmp_path, tiny_model_dir):
    # Defect 9: formulas were written unescaped (spreadsheet injection) and there was no BOM.
    titles = ['=HYPERLINK("http://evil.test","点我")', "+1", "-1", "@SUM(A1)"]
    rows = [
        {"id": f"t{i}", "html": AD.replace("便民信息", t), "url": "=cmd|' /C calc'!A0"} for i, t in enumerate(titles)
    ]
    data, _ = _run(tmp_path, rows, tiny_model_dir)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["title"] for r in table] == ["'" + t for t in titles]
    assert all(r["url"] == "'=cmd|' /C calc'!A0" for r in table)
    for row in table:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_report_indexes_every_document(tmp_path, tiny_model_dir):
    # Defect 12: passed documents were not listed, so misses could not be spot-checked.
    rows = [{"id": f"p{i}", "text": f"{TRUE}第{i}篇。"} for i in range(5)] + [{"id": "ad", "html": AD}]
    _, report = _run(tmp_path, rows, tiny_model_dir)
    index = report.split('<table id="index"', 1)[1].split("</table>", 1)[0]
    for i in range(5):
        assert f"docs.jsonl#p{i}" in index
    assert index.count("<tr") == 7  # a header and one row per document


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_formula_cell_is_quoted(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["医保", "1-2", "a=b", "", None, 0.5])
def test_other_cells_are_kept(cell):
    assert safe_cell(cell) == ("" if cell is None else str(cell))


AD_PASSAGES = "\n".join(f"第{i}条：医保卡高价回收，套现当天到账，微信ab{i}23。" for i in range(3))


def _keyword_run(tmp_path, rows):
    from classifier.auditor import Auditor
    from tests.conftest import KeywordModel

    src = write_jsonl(tmp_path / "docs.jsonl", rows)
    run_batch([str(src)], tmp_path / "out.jsonl", auditor=Auditor(KeywordModel()), report_path=tmp_path / "report.html",
              csv_path=tmp_path / "out.csv")  # fmt: skip
    return read_jsonl(tmp_path / "out.jsonl"), (tmp_path / "report.html").read_text(encoding="utf-8")


def test_each_statute_is_written_once_per_document(tmp_path):
    # Defect 12: the same 5-9 citations were repeated under every passage.
    (row,), report = _keyword_run(tmp_path, [{"id": "ad", "text": AD_PASSAGES}])
    assert len(row["top_flagged"]) == 3 and row["statutes"]
    cited = [c["provision_id"] for p in row["top_flagged"] for c in p["citations"]]
    assert set(cited) == set(row["statutes"]) and len(cited) > len(row["statutes"])
    assert all(set(c) == {"provision_id", "reason", "claim_kinds"} for p in row["top_flagged"] for c in p["citations"])
    for statute in row["statutes"].values():
        assert report.count(html.escape(statute["text"], quote=False)) == 1


def test_the_report_escapes_what_pages_contain(tmp_path):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    rows, report = _keyword_run(
        tmp_path, [{"id": hostile, "url": "http://a.test/?q=<b>", "html": AD.replace("便民信息", hostile)}]
    )
    assert rows[0]["title"] == hostile
    assert hostile not in report and "<img src=x" not in report
    assert str(markupsafe.escape(hostile)) in report
    assert 'href="http://a.test/?q=&lt;b&gt;"' in report


def test_rows_are_typed(tmp_path):
    rows, _ = _keyword_run(tmp_path, [{"id": "ad", "text": AD_PASSAGES}, {"id": "ok", "text": TRUE}])
    for row in rows:
        ResultRow.model_validate(row)
    assert [(r["top_label"], r["verdict"]) for r in rows] == [
        ("advertises_cashout", "cashout_ad"),
        (None, rows[1]["verdict"]),
    ]
    header = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert {"source", "top_label", "top_score", "model_version"} <= set(header)


def test_a_flag_with_no_recognised_claim_kind_is_written(tmp_path):
    # Found by the benchmark: a row with claim kind `unspecified` failed validation and stopped the run.
    rows, report = _keyword_run(tmp_path, [{"id": "vague", "text": "本店长期专业回收，价格公道，欢迎来电。"}])
    assert rows[0]["claim_kinds"] == ["unspecified"] and rows[0]["top_flagged"][0]["claim_kinds"] == ["unspecified"]
    assert "unspecified" in report
