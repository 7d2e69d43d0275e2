"""The library and its CLI's ``audit`` need only the core dependencies, not the extras.

A child process installs a meta-path hook that refuses any import of an extra's package made by
the project's own code (a file under classifier/, service/ or training/), then uses the library
with the keyword fake, or runs ``python -m classifier audit FILE -`` on the tiny model (slow: the
child imports transformers, about 6 s of CPU). Imports that third-party libraries make for
themselves (transformers needs tqdm) are theirs, not ours.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTRAS = ("fastapi", "sqlalchemy", "uvicorn", "warcio", "tqdm", "ray", "jinja2", "slowapi", "prometheus_client")

CHILD = textwrap.dedent(
    """
    import builtins, json, runpy, sys
    from pathlib import Path

    REPO, EXTRAS, CLI_ARGS = Path(sys.argv[1]), set(sys.argv[2].split(",")), sys.argv[3:]
    OURS = tuple(str(REPO / package) for package in ("classifier", "service", "training"))
    refused = []


    def refuse_if_ours(name, importer):
        if name.partition(".")[0] in EXTRAS and importer.startswith(OURS):
            refused.append(f"{name} (from {importer})")
            raise ModuleNotFoundError(f"{name} is an extra; the core library must not import it")


    class RefuseExtras:
        # The meta-path hook: first imports, importlib.import_module included.

        def find_spec(self, name, path=None, target=None):
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
                frame = frame.f_back
            refuse_if_ours(name, frame.f_code.co_filename if frame is not None else "?")
            return None


    # Import statements of a module a library already loaded (torch.hub imports tqdm) never reach
    # the meta path, so the statement hook checks them too.
    real_import = builtins.__import__


    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            refuse_if_ours(name, (globals or {}).get("__file__") or "?")
        return real_import(name, globals, locals, fromlist, level)


    builtins.__import__ = guarded_import
    sys.meta_path.insert(0, RefuseExtras())
    report = {"refused": refused}
    try:
        from classifier import Auditor
        from tests.fakes import KeywordModel

        text = "高价回收医保卡，当天到账，微信ab12。\\n\\n医保卡余额不能取现。"
        report["library_verdict"] = Auditor(KeywordModel()).audit(text).verdict
        if CLI_ARGS:
            sys.argv = ["python -m classifier", *CLI_ARGS]
            runpy.run_module("classifier", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        report["exit"] = exc.code
    except Exception as exc:
        report["error"] = repr(exc)
    finally:
        print(json.dumps(report), file=sys.stderr)
    """
)


def run_child(*cli_args: str, stdin: str = "") -> tuple[dict, str]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO), ",".join(EXTRAS), *cli_args],
        input=stdin.encode(),
        capture_output=True,
        cwd=REPO,
        timeout=300,
    )
    stderr = proc.stderr.decode()
    report = json.loads(stderr.strip().splitlines()[-1])
    assert report["refused"] == [], stderr
    assert "error" not in report, stderr
    assert report["library_verdict"] == "cashout_ad"
    return report, proc.stdout.decode()


def test_the_library_imports_no_extra():
    report, _ = run_child()
    assert "exit" not in report  # no CLI run asked for


@pytest.mark.slow
def test_cli_audit_imports_no_extra(tiny_model_dir, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("医保卡余额不能取现。\n\n高价回收医保卡。", encoding="utf-8")
    report, stdout = run_child("--model", str(tiny_model_dir), "audit", str(article), "-", stdin="医保卡余额不能取现。")
    assert report["exit"] == 0, report
    # `audit FILE -`: one JSON result per input, the file's and then stdin's (the module entry point).
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert [row["id"] for row in rows] == [str(article), "-"]
    assert all(row["text"][p["start"] : p["end"]] == p["text"] for row in rows for p in row["passages"])
