"""Speed and memory of the shipped model on this machine.

    python -m benchmarks.speed --output benchmarks/results.json   (also writes results.md)

Everything goes through `Auditor`, as every caller does. Measures passages/s of
`Auditor.classify_passages` (evidence off) at batch sizes 1, 16 and 64, fp32 (served) and dynamic
int8 (opt-in), the keyword baseline's rate on the same passages, p50/p95 latency of
`Auditor.audit` on a 2,000-character article with flagged passages, with and without evidence,
and the process's peak RSS. Passages are 100-character cuts of test-split passages.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path

import torch

from classifier import Auditor, AuditorSettings
from training.baselines import KeywordBaseline
from training.data import ARTICLES, PASSAGES, read_jsonl


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "torch": torch.__version__}  # fmt: skip


def passages_100(n: int) -> list[str]:
    rows = [r["text"] for r in read_jsonl(PASSAGES) if r["split"] == "test"]
    out, i = [], 0
    while len(out) < n:
        text = rows[i % len(rows)]
        while len(text) < 100:
            i += 1
            text += rows[i % len(rows)]
        out.append(text[:100])
        i += 1
    return out


def rate(auditor: Auditor, texts: list[str], batch: int, seconds: float = 8.0) -> float:
    auditor.model.batch_size = batch
    auditor.classify_passages(texts[:batch], evidence=False)  # warm-up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        chunk = texts[done % len(texts) :][:batch] or texts[:batch]
        auditor.classify_passages(chunk, evidence=False)
        done += len(chunk)
    return done / (time.perf_counter() - start)


def article_2000() -> str:
    # Pages with flags first, so that evidence is computed in the latency run.
    articles = [a["text"] for a in read_jsonl(ARTICLES) if a["split"] == "test" and a["verdict"] == "cashout_ad"]
    articles += [a["text"] for a in read_jsonl(ARTICLES) if a["split"] == "test" and a["verdict"] == "misleading"]
    text = ""
    for a in articles:
        text += a + "\n\n"
        if len(text) >= 2000:
            break
    return text[:2000]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.speed")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results.json"))
    parser.add_argument("--model", default=None)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args(argv)

    texts = passages_100(512)
    results: dict = {"machine": machine(), "passage_chars": 100, "throughput": {}}
    for name, quantize in (("fp32", False), ("int8", True)):
        auditor = Auditor.load(args.model, AuditorSettings(quantize=quantize))
        results["throughput"][name] = {str(b): round(rate(auditor, texts, b, args.seconds), 1) for b in (1, 16, 64)}
    kw = KeywordBaseline()
    start = time.perf_counter()
    kw.predict(texts * 4)
    results["throughput"]["keyword baseline"] = round(len(texts) * 4 / (time.perf_counter() - start), 1)

    article = article_2000()
    latencies = {}
    auditor = Auditor.load(args.model)
    for name, evidence in (("fp32, evidence on (served)", True), ("fp32, evidence off", False)):
        auditor.audit(article, evidence=evidence)
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            auditor.audit(article, evidence=evidence)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        final = auditor.audit(article, evidence=evidence)
        latencies[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
                           "passages": len(final.passages), "flagged": sum(p.flagged for p in final.passages),
                           "evidence_words": sum(len(p.evidence) for p in final.passages)}  # fmt: skip
    results["audit_2000_chars"] = latencies
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    args.output.with_suffix(".md").write_text(render(results), encoding="utf-8")
    print(render(results))


def render(r: dict) -> str:
    m = r["machine"]
    t = r["throughput"]
    a = r["audit_2000_chars"]
    return "\n".join([
        "# Speed and memory of the shipped model",
        "",
        "Command: `python -m benchmarks.speed --output benchmarks/results.json` (`make benchmark`).",
        f"Machine: {m['cpu']}, {m['cores']} cores, torch {m['torch']} with {m['torch_threads']} threads, Python {m['python']}.",
        "",
        f"## Passages per second ({r['passage_chars']}-character passages)",
        "",
        "| batch | fp32 (served) | int8 (dynamic, opt-in; scores vary with the batch) |",
        "|---:|---:|---:|",
        *[f"| {b} | {t['fp32'][b]} | {t['int8'][b]} |" for b in ("1", "16", "64")],
        "",
        f"Keyword baseline on the same passages: {t['keyword baseline']} passages/s.",
        "",
        "## `Auditor.audit` on a 2,000-character article (30 runs)",
        "",
        "| | p50 ms | p95 ms | passages | flagged | evidence words |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {k} | {v['p50_ms']} | {v['p95_ms']} | {v['passages']} | {v['flagged']} | {v['evidence_words']} |" for k, v in a.items()],
        "",
        f"Peak RSS of the benchmark process (all variants loaded in turn): {r['peak_rss_mb']} MB.",
        "",
        "Targets (issue): ≥ 300 passages/s at batch 64, audit p50 ≤ 150 ms, peak RSS ≤ 1 GB.",
        "",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
