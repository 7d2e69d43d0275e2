"""Resident memory of a process under a long stream of model calls, with and without the periodic trim.

    python -m benchmarks.memory --output benchmarks/memory_results.json

Each variant runs in its own process (RSS is per process): two threads, as the service's
inference workers, call `Auditor.classify_passages` on random batches of 1-20 corpus passages
through `PeriodicTrim` (classifier/allocator.py), and the process's RSS is sampled after every
round of 200 calls. ``--trim-every 0`` is the service without the trim.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(trim_every: int, rounds: int, calls: int) -> dict:
    from classifier import Auditor
    from classifier.allocator import PeriodicTrim
    from training.data import PASSAGES, read_jsonl

    auditor = Auditor.load()
    rows = [r["text"] for r in read_jsonl(PASSAGES)]
    rng = random.Random(0)
    classify = PeriodicTrim(trim_every).wrap(auditor.classify_passages)
    sizes = [rng.choice([1, 1, 1, 3, 8, 20]) for _ in range(rounds * calls)]
    batches = [rng.sample(rows, n) for n in sizes]
    samples = [round(rss_mb())]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for r in range(rounds):
            list(pool.map(classify, batches[r * calls : (r + 1) * calls]))
            samples.append(round(rss_mb()))
    seconds = round(time.perf_counter() - started, 1)
    return {"trim_every": trim_every, "calls_per_round": calls, "rss_mb_after_each_round": samples, "seconds": seconds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/memory_results.json"))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--trim-every", type=int, default=None, help="measure one variant in this process")
    args = parser.parse_args(argv)
    if args.trim_every is not None:
        print(json.dumps(measure(args.trim_every, args.rounds, args.calls)))
        return
    results = []
    for every in (0, 200):
        cmd = [sys.executable, "-m", "benchmarks.memory", "--trim-every", str(every),
               "--rounds", str(args.rounds), "--calls", str(args.calls)]  # fmt: skip
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for r in results:
        rss = r["rss_mb_after_each_round"]
        print(f"trim every {r['trim_every']:>3} calls: RSS {rss[0]} -> {rss[-1]} MB ({rss}), {r['seconds']} s")


if __name__ == "__main__":
    main()
