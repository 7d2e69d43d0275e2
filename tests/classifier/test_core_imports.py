"""The library and its CLI's ``audit`` need only the core dependencies, not the extras.

A child process installs a meta-path hook that refuses any import of an extra's package made by
the project's own code (a file under classifier/, service/ or training/), then uses the library
with the keyword fake and runs ``python -m classifier audit FILE -`` on the tiny model. Imports
that third-party libraries make for themselves (transformers needs tqdm) are theirs, not ours.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXTRAS = ("fastapi", "sqlalchemy", "uvicorn", "warcio", "tqdm", "ray", "jinja2", "slowapi", "prometheus_client")

CHILD = textwrap.dedent(
    """
    import json, runpy, sys
    from pathlib import Path

    REPO, EXTRAS, MODEL, FILE = Path(sys.argv[1]), set(sys.argv[2].split(",")), sys.argv[3], sys.argv[4]
    OURS = tuple(str(REPO / package) for package in ("classifier", "service", "training"))
    refused = []


    class RefuseExtras:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] not in EXTRAS:
                return None
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
                frame = frame.f_back
            importer = frame.f_code.co_filename if frame is not None else "?"
            if importer.startswith(OURS):
                refused.append(f"{name} (from {importer})")
                raise ModuleNotFoundError(f"{name} is an extra; the core library must not import it")
            return None


    sys.meta_path.insert(0, RefuseExtras())
    report = {"refused": refused}
    try:
        from classifier import Auditor
        from tests.fakes import KeywordModel

        text = "高价回收医保卡，当天到账，微信ab12。\\n\\n医保卡余额不能取现。"
        report["library_verdict"] = Auditor(KeywordModel()).audit(text).verdict
        sys.argv = ["python -m classifier", "--model", MODEL, "audit", FILE, "-"]
        runpy.run_module("classifier", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        report["exit"] = exc.code
    except Exception as exc:
        report["error"] = repr(exc)
    finally:
        print(json.dumps(report), file=sys.stderr)
    """
)


def test_library_and_cli_audit_import_no_extra(tiny_model_dir, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("医保卡余额不能取现。\n\n高价回收医保卡。", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO), ",".join(EXTRAS), str(tiny_model_dir), str(article)],
        input="医保卡余额不能取现。".encode(),
        capture_output=True,
        cwd=REPO,
        timeout=300,
    )
    stderr = proc.stderr.decode()
    report = json.loads(stderr.strip().splitlines()[-1])
    assert report["refused"] == [], stderr
    assert "error" not in report and report["exit"] == 0, stderr
    assert report["library_verdict"] == "cashout_ad"
    # `audit FILE -`: one JSON result per input, the file's and then stdin's (the module entry point).
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [row["id"] for row in rows] == [str(article), "-"]
    assert all(row["text"][p["start"] : p["end"]] == p["text"] for row in rows for p in row["passages"])
