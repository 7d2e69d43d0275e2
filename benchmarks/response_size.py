"""Response sizes of `Auditor.audit` as the API returns them, and citations per flag.

    python -m benchmarks.response_size [--output benchmarks/response_size.json]

Three inputs: a 25-character ad, the two sample articles, and a long page made of the first
corpus articles joined up to 15,000 characters (about 45 KB of UTF-8). For each, the JSON size of
the result with statute texts (default) and with ids only (``statutes=False``), and the number of
citations per flagged passage. Evidence is left out (``evidence=False``): it is the same in both
forms and only slows the run. Works on any checkout whose Auditor has these options; on an older
checkout (before compact citations) it measures the default response only.
"""

from __future__ import annotations

import argparse
import inspect
import json
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def inputs() -> dict[str, tuple[str, str]]:
    articles = [json.loads(line) for line in (ROOT / "labeled_data" / "articles.jsonl").open(encoding="utf-8")]
    long_page, parts = "", []
    for article in articles:
        if len(long_page) + len(article["text"]) > 15_000:
            break
        parts.append(article["text"])
        long_page = "\n".join(parts)
    return {
        "ad, 25 characters": ("医保卡回收，余额八折秒到账，刷卡换现金加微信", "text"),
        "examples/misleading_article.txt": ((ROOT / "examples/misleading_article.txt").read_text("utf-8"), "text"),
        "examples/accurate_article.html": ((ROOT / "examples/accurate_article.html").read_text("utf-8"), "html"),
        f"long page, {len(long_page):,} characters": (long_page, "text"),
    }


def measure(auditor) -> dict:
    compact = "statutes" in inspect.signature(auditor.audit).parameters
    rows = {}
    for name, (text, content_type) in inputs().items():
        full = auditor.audit(text, content_type, evidence=False)
        counts = [len(p.citations) for p in full.passages if p.flagged]
        row = {
            "input_bytes": len(text.encode("utf-8")),
            "flagged_passages": len(counts),
            "citations_per_flag_mean": round(sum(counts) / len(counts), 2) if counts else 0.0,
            "citations_per_flag_max": max(counts, default=0),
            "response_bytes": len(full.model_dump_json().encode("utf-8")),
        }
        if compact:
            ids_only = auditor.audit(text, content_type, evidence=False, statutes=False)
            row["response_bytes_ids_only"] = len(ids_only.model_dump_json().encode("utf-8"))
        rows[name] = row
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    from classifier import Auditor

    rows = measure(Auditor.load())
    report = {"machine": f"{platform.machine()}, {platform.python_version()}", "inputs": rows}
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
