"""Articles per minute and peak memory of `audit-batch` on generated HTML pages.

    python -m benchmarks.batch --pages 1000 --output benchmarks/batch_results.json

Pages wrap corpus articles (all splits) in a realistic HTML shell (navigation, footer, scripts).
Each engine runs in its own process from an empty output (`fresh`), so nothing is reused; the
parent samples the resident memory of that process and all its descendants (extraction
processes, Ray's processes and actors) every 0.2 s from /proc (Linux) and reports the peak of the
sum, and the peak of the driver alone.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHELL = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<script>var analytics = {{id: {n}}};</script><style>body{{font-size:14px}}</style></head><body>
<nav><a href="/">首页</a> <a href="/news">资讯</a> <a href="/about">关于我们</a></nav>
<div class="main"><article><h1>{title}</h1>{paragraphs}</article></div>
<aside><h3>热门文章</h3><ul><li>如何查询社保缴费记录</li><li>异地就医备案流程</li></ul></aside>
<footer>Copyright © 2026 示例站点 · 备案号 000000</footer></body></html>"""


def generate(folder: Path, pages: int) -> None:
    from training.data import ARTICLES, read_jsonl

    articles = read_jsonl(ARTICLES)
    for n in range(pages):
        a = articles[n % len(articles)]
        # The article's first line is its title; the rest are its paragraphs, one per line.
        body = [line for line in a["text"].split("\n")[1:] if line.strip()]
        if not body:
            raise ValueError(f"article {a['id']} has no body under its title")
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
        (folder / f"page{n:04d}.html").write_text(
            SHELL.format(title=html.escape(a["title"]), n=n, paragraphs=paragraphs), encoding="utf-8"
        )


def _tree_rss(root: int) -> tuple[int, int]:
    """(RSS of root and all its descendants, RSS of root), bytes, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry)] = int(statm[1]) * page
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(p, 0) for p in tree), rss.get(root, 0)


def measure(engine: str, pages: Path, work: Path) -> dict:
    child = subprocess.Popen([sys.executable, "-m", "benchmarks.batch", "--run", engine, "--pages-dir", str(pages),
                              "--work", str(work)], stdout=subprocess.PIPE, text=True)  # fmt: skip
    peak_tree = peak_driver = 0
    while child.poll() is None:
        tree, driver = _tree_rss(child.pid)
        peak_tree, peak_driver = max(peak_tree, tree), max(peak_driver, driver)
        time.sleep(0.2)
    out = child.stdout.read()
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{engine} exited with {child.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    return {**result, "peak_rss_mb": round(peak_tree / 2**20, 1), "driver_peak_rss_mb": round(peak_driver / 2**20, 1)}


def run_one(engine: str, pages: Path, work: Path) -> None:
    from classifier.batch import run_batch

    kind, _, workers = engine.partition("-")
    started = time.perf_counter()
    stats = run_batch([str(pages)], work / f"{engine}.jsonl", engine=kind, workers=int(workers or 1),
                      batch_articles=16, fresh=True)  # fmt: skip
    seconds = time.perf_counter() - started
    print(json.dumps({"audited": stats.audited, "errors": stats.errors, "skipped": stats.skipped,
                      "seconds": round(seconds, 1), "articles_per_minute": round(stats.audited / seconds * 60, 1)}))  # fmt: skip


def _model_identity() -> dict:
    """Which model was measured: the shipped folder's version and a hash of its files."""
    import hashlib

    from classifier.model import DEFAULT_MODEL_DIR

    config = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for path in sorted(DEFAULT_MODEL_DIR.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {"version": config.get("auditor", {}).get("version"), "files_sha256": digest.hexdigest()[:16]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--engines", default="local-1,local-2,ray")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/batch_results.json"))
    parser.add_argument("--run", help=argparse.SUPPRESS)  # internal: one engine, in a child process
    parser.add_argument("--pages-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        run_one(args.run, args.pages_dir, args.work)
        return
    work = Path(tempfile.mkdtemp())
    pages = work / "pages"
    pages.mkdir()
    generate(pages, args.pages)
    results = {"pages": args.pages, "cpu_cores": os.cpu_count(), "load_average_at_start": os.getloadavg()[0],
               "model": _model_identity(), "runs": {}}  # fmt: skip
    for engine in args.engines.split(","):
        results["runs"][engine] = measure(engine, pages, work)
        print(engine, results["runs"][engine], flush=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
