"""Load test of the HTTP service on loopback (bounded in clients and time).

    python -m benchmarks.load --clients 50 --seconds 60 --output benchmarks/load_results.json

Starts `python -m service --no-auth` with the shipped model and the default settings (rate
limit raised for the test), then runs three phases one after the other, each with N concurrent
clients for the given time:

- audit_1000_chars: every client posts 1,000-character articles to /v1/audit;
- classify_single_passage: every client posts one passage to /v1/classify;
- mixed_long_text: N-1 clients post single passages to /v1/classify while one client posts
  articles of about 19,900 characters to /v1/audit (the long text must not hold up the short ones).

Records per phase (and per kind of request in the mixed phase): requests, throughput, p50/p95/p99
latency, errors by status (503 = refused at the queue limit, 504 = timed out) and the server's
RSS before and after. Clients honour `Retry-After` on a 503 (the queue limit) and then resend.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from training.data import ARTICLES, PASSAGES, read_jsonl


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def joined_articles(length: int) -> list[dict]:
    """Test-split articles joined (in turn) to exactly `length` characters each."""
    articles = [a["text"] for a in read_jsonl(ARTICLES) if a["split"] == "test"]
    out = []
    for i in range(len(articles)):
        text, j = articles[i], i + 1
        while len(text) < length:
            text += "\n\n" + articles[j % len(articles)]
            j += 1
        out.append({"text": text[:length]})
    return out


def passages() -> list[dict]:
    return [{"texts": [r["text"]]} for r in read_jsonl(PASSAGES) if r["split"] == "test"]


class Recorder:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()

    def summary(self, elapsed: float) -> dict:
        lat = sorted(self.latencies)
        if not lat:  # nothing answered with 200: the statuses say what happened instead
            return {"requests": sum(self.statuses.values()), "ok": 0, "statuses": dict(self.statuses)}

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1)

        errors = sum(n for status, n in self.statuses.items() if status not in ("200", "503"))
        return {"requests": sum(self.statuses.values()), "ok": self.statuses["200"], "errors": errors, "refused_503": self.statuses["503"], "statuses": dict(self.statuses),
                "ok_per_s": round(len(lat) / elapsed, 2), "p50_ms": pct(0.50), "p95_ms": pct(0.95),
                "p99_ms": pct(0.99), "max_ms": round(lat[-1] * 1000, 1), "mean_ms": round(statistics.mean(lat) * 1000, 1)}  # fmt: skip


async def client_loop(url: str, bodies: list[dict], start: int, step: int, stop: float, rec: Recorder) -> None:
    async with httpx.AsyncClient(timeout=120) as http:
        i = start
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                resp = await http.post(url, json=bodies[i % len(bodies)])
                rec.statuses[str(resp.status_code)] += 1
            except httpx.HTTPError as exc:
                rec.statuses[type(exc).__name__] += 1
                resp = None
            if resp is not None and resp.status_code == 200:
                rec.latencies.append(time.perf_counter() - t0)  # percentiles are of answered requests
            if resp is not None and resp.status_code == 503 and "Retry-After" in resp.headers:
                # A well-behaved client waits as told (the same text is sent again after the wait).
                await asyncio.sleep(min(float(resp.headers["Retry-After"]), max(0.0, stop - time.monotonic())))
                continue
            i += step


async def phase(groups: list[tuple[str, str, list[dict], int]], seconds: float) -> dict:
    """groups: (name, url, bodies, clients); returns a summary per group."""
    stop = time.monotonic() + seconds
    recorders = {name: Recorder() for name, *_ in groups}
    tasks = [client_loop(url, bodies, k, clients, stop, recorders[name])
             for name, url, bodies, clients in groups for k in range(clients)]  # fmt: skip
    started = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    return {name: rec.summary(elapsed) for name, rec in recorders.items()} | {"seconds": round(elapsed, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", type=Path, default=Path("benchmarks/load_results.json"))
    args = parser.parse_args(argv)
    if not 2 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        parser.error("clients must be 2-200 and seconds 1-600")

    db = Path(tempfile.mkdtemp()) / "fb.db"
    env = {
        **os.environ,
        "MEDCASH_SERVICE_RATE_LIMIT": "100000000/minute",
        "MEDCASH_SERVICE_DATABASE_URL": f"sqlite:///{db}",
    }
    server = subprocess.Popen([sys.executable, "-m", "service", "--no-auth", "--port", str(args.port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    results: dict = {"clients": args.clients, "seconds_per_phase": args.seconds, "cpu_cores": os.cpu_count(),
                     "python": platform.python_version(), "settings": "defaults of service/settings.py"}  # fmt: skip
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("the service did not become ready")
        short_articles, long_articles, single = joined_articles(1000), joined_articles(19_900), passages()
        httpx.post(base + "/v1/audit", json=short_articles[0], timeout=60)  # warm-up
        phases = {
            "audit_1000_chars": [("audit", base + "/v1/audit", short_articles, args.clients)],
            "classify_single_passage": [("classify", base + "/v1/classify", single, args.clients)],
            "mixed_long_text": [("classify", base + "/v1/classify", single, args.clients - 1),
                                ("audit_19900_chars", base + "/v1/audit", long_articles, 1)],
        }  # fmt: skip
        for name, groups in phases.items():
            before = rss_mb(server.pid)
            stats = asyncio.run(phase(groups, args.seconds))
            after = rss_mb(server.pid)  # every client has its answer: nothing is in flight
            time.sleep(2)  # the service's idle trim runs when its last request finishes
            idle = rss_mb(server.pid)
            # The machine's 1-minute load average at the end: other work on the same cores shows here.
            stats.update(rss_before_mb=round(before, 1), rss_after_mb=round(after, 1), rss_idle_mb=round(idle, 1),
                         rss_growth_pct=round(100 * (after - before) / before, 1),
                         load_average_1min=round(os.getloadavg()[0], 2))  # fmt: skip
            results[name] = stats
            print(name, json.dumps(stats), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
