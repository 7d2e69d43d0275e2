import json

import pytest

from classifier.cli import main


@pytest.fixture
def run_cli(tiny_model_dir, capsys):
    def run(*args):
        code = main(["--model", str(tiny_model_dir), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_classify_writes_every_row_in_order_and_names_bad_lines(run_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"id": "a", "text": "\xe5\x8c\xbb\xe4\xbf\x9d\xe5\x8d\xa1\xe5\x9b\x9e\xe6\x94\xb6"}\n'
        b"{not json\n"
        b'{"id": "c", "text": ""}\n'
        b'{"id": "d", "text": 5}\n'
        b'{"text": "no id"}\n'
        b"[1, 2]\n"
        b'{"id": "g", "text": "\xff\xfe bad utf8"}\n'
        b'{"id": "h", "text": "\xe5\x85\xac\xe7\xa7\xaf\xe9\x87\x91"}\n'
    )
    dst = tmp_path / "out.jsonl"
    code, _, err = run_cli("classify", "--input", str(src), "--output", str(dst))
    assert code == 1
    rows = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "c", "d", None, None, None, "h"]
    good = [r for r in rows if "error" not in r]
    assert [r["id"] for r in good] == ["a", "h"]
    for r in good:
        assert set(r) >= {"id", "label", "scores", "claim_kinds", "citations", "evidence"}
        assert abs(sum(r["scores"].values()) - 1) < 1e-3
    for n in (2, 3, 4, 5, 6, 7):
        assert f"line {n}" in err


def test_classify_all_good_exits_zero(run_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "医保卡余额不能取现"}\n\n', encoding="utf-8")
    code, _, _ = run_cli("classify", "--input", str(src), "--output", str(tmp_path / "o.jsonl"))
    assert code == 0


def test_classify_unreadable_input(run_cli, tmp_path):
    code, _, err = run_cli("classify", "--input", str(tmp_path / "missing.jsonl"), "--output", str(tmp_path / "o"))
    assert code == 2 and "cannot read" in err


def test_audit_files_of_each_kind(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("医保卡余额不能取现。\n\n公积金可以提取。", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        "<html><body><p>医保个人账户的钱只能用于看病买药。</p></body></html>", encoding="utf-8"
    )
    (tmp_path / "c.md").write_text("# 标题\n\n- 医保卡的钱不能套现", encoding="utf-8")
    (tmp_path / "d.txt").write_bytes("医保卡的钱不能取现".encode("gb18030"))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(
        "audit", *(str(tmp_path / n) for n in ("a.txt", "b.html", "c.md", "d.txt")), "--output", str(out)
    )
    assert code == 0, err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert row["verdict"] in ("cashout_ad", "misleading", "accurate", "unrelated")
        assert row["suggestion"] in ("block", "review", "pass")
        for p in row["passages"]:
            assert row["text"][p["start"] : p["end"]] == p["text"]


def test_audit_bad_files_do_not_stop_the_good_one(run_cli, tmp_path):
    (tmp_path / "ok.txt").write_text("医保卡余额不能取现", encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02")
    (tmp_path / "empty.txt").write_text("   ", encoding="utf-8")
    code, out, err = run_cli(
        "audit",
        str(tmp_path / "missing.txt"),
        str(tmp_path / "bin.dat"),
        str(tmp_path / "empty.txt"),
        str(tmp_path / "ok.txt"),
    )
    assert code == 1
    assert "missing.txt" in err and "binary" in err and "empty" in err
    assert len(out.strip().splitlines()) == 1


def test_audit_table_format(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("医保卡余额不能取现。", encoding="utf-8")
    code, out, _ = run_cli("audit", str(tmp_path / "a.txt"), "--format", "table")
    assert code == 0 and "verdict:" in out and "suggestion:" in out


def test_missing_model_exits_two(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("医保", encoding="utf-8")
    assert main(["--model", str(tmp_path / "nomodel"), "audit", str(tmp_path / "a.txt")]) == 2
    assert "config.json" in capsys.readouterr().err
