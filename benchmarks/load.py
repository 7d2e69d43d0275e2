"""Load test of the HTTP service on loopback (bounded in clients and time).

    python -m benchmarks.load --clients 50 --seconds 60 --output benchmarks/load_results.json

Starts `python -m service --no-auth` with the shipped model (rate limit raised for the test),
then runs N concurrent clients against /v1/audit (1,000-character articles) and /v1/classify
(single passages), one phase after the other; all of it twice, with request batching on and off. Records throughput, p50/p95/p99 latency, error
count and the server's RSS before and after each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from training.data import ARTICLES, PASSAGES, read_jsonl


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def payloads() -> tuple[list[dict], list[dict]]:
    articles = [a["text"] for a in read_jsonl(ARTICLES) if a["split"] == "test"]
    long_texts = []
    for i in range(len(articles)):
        text = articles[i]
        j = i + 1
        while len(text) < 1000:
            text += "\n\n" + articles[j % len(articles)]
            j += 1
        long_texts.append({"text": text[:1000]})
    passages = [{"texts": [r["text"]]} for r in read_jsonl(PASSAGES) if r["split"] == "test"]
    return long_texts, passages


async def phase(url: str, bodies: list[dict], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client(k: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=120) as http:
            i = k
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    resp = await http.post(url, json=bodies[i % len(bodies)])
                    if resp.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - t0)
                i += clients

    started = time.monotonic()
    await asyncio.gather(*(client(k) for k in range(clients)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {"requests": len(latencies), "errors": errors, "seconds": round(elapsed, 1), "throughput_rps": round(len(latencies) / elapsed, 2),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "mean_ms": round(statistics.mean(latencies) * 1000, 1)}  # fmt: skip


def run_server_phases(args, batching: bool) -> dict:
    db = Path(tempfile.mkdtemp()) / "fb.db"
    env = {**os.environ, "MEDCASH_SERVICE_RATE_LIMIT_PER_MINUTE": "100000000", "MEDCASH_SERVICE_DATABASE_URL": f"sqlite:///{db}",
           "MEDCASH_SERVICE_BATCHING": "true" if batching else "false",
           "MEDCASH_SERVICE_BATCH_AUDIT": "true" if batching else "false"}  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "service", "--no-auth", "--port", str(args.port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    results = {}
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        articles, passages = payloads()
        httpx.post(base + "/v1/audit", json=articles[0], timeout=60)  # warm-up
        for name, path, bodies in (
            ("audit_1000_chars", "/v1/audit", articles),
            ("classify_single_passage", "/v1/classify", passages),
        ):
            before = rss_mb(server.pid)
            stats = asyncio.run(phase(base + path, bodies, args.clients, args.seconds))
            after = rss_mb(server.pid)
            stats.update(
                rss_before_mb=round(before, 1),
                rss_after_mb=round(after, 1),
                rss_growth_pct=round(100 * (after - before) / before, 1),
            )
            results[name] = stats
            print("batching" if batching else "no batching", name, stats, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", type=Path, default=Path("benchmarks/load_results.json"))
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        parser.error("clients must be 1-200 and seconds 1-600")
    results = {"clients": args.clients, "seconds_per_phase": args.seconds, "cpu_cores": os.cpu_count()}
    for batching in (True, False):
        results[f"batching_{'on' if batching else 'off'}"] = run_server_phases(args, batching)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
