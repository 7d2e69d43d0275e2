"""Articles per minute of `audit-batch` on 1,000 generated HTML pages.

    python -m benchmarks.batch --pages 1000 --output benchmarks/batch_results.json

Pages wrap corpus articles (all splits) in a realistic HTML shell (navigation, footer, scripts).
Each engine runs from an empty output, so nothing is skipped.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import tempfile
import time
from pathlib import Path

from classifier.batch import run_batch
from training.data import ARTICLES, read_jsonl

SHELL = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<script>var analytics = {{id: {n}}};</script><style>body{{font-size:14px}}</style></head><body>
<nav><a href="/">首页</a> <a href="/news">资讯</a> <a href="/about">关于我们</a></nav>
<div class="main"><article><h1>{title}</h1>{paragraphs}</article></div>
<aside><h3>热门文章</h3><ul><li>如何查询社保缴费记录</li><li>异地就医备案流程</li></ul></aside>
<footer>Copyright © 2026 示例站点 · 备案号 000000</footer></body></html>"""


def generate(folder: Path, pages: int) -> None:
    articles = read_jsonl(ARTICLES)
    for n in range(pages):
        a = articles[n % len(articles)]
        body = a["text"].split("\n\n")[1:]
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
        (folder / f"page{n:04d}.html").write_text(
            SHELL.format(title=html.escape(a["title"]), n=n, paragraphs=paragraphs), encoding="utf-8"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--engines", default="local-1,local-2,ray")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/batch_results.json"))
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp())
    pages = work / "pages"
    pages.mkdir()
    generate(pages, args.pages)
    results = {"pages": args.pages, "cpu_cores": os.cpu_count(), "runs": {}}
    for engine in args.engines.split(","):
        kind, _, workers = engine.partition("-")
        out = work / f"{engine}.jsonl"
        started = time.perf_counter()
        stats = run_batch([str(pages)], out, engine=kind, workers=int(workers or 1), batch_articles=16)
        seconds = time.perf_counter() - started
        results["runs"][engine] = {"audited": stats.audited, "errors": stats.errors, "seconds": round(seconds, 1),
                                   "articles_per_minute": round(stats.audited / seconds * 60, 1)}  # fmt: skip
        print(engine, results["runs"][engine], flush=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
