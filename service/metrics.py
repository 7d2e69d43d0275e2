"""Prometheus metrics on a registry of the app's own (so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("medcash_requests_total", "HTTP requests", ["path", "status"], registry=self.registry)
        self.latency = Histogram(
            "medcash_request_seconds", "HTTP request latency", ["path"], registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )  # fmt: skip
        self.passages = Counter("medcash_passages_classified_total", "passages classified", registry=self.registry)
        self.flags = Counter("medcash_flags_total", "flagged passages by label", ["label"], registry=self.registry)
        self.in_flight = Gauge(
            "medcash_inference_in_flight", "requests holding or waiting for the model", registry=self.registry
        )
        self.rejected = Counter(
            "medcash_overload_rejections_total", "requests refused with 503 at the queue limit", registry=self.registry
        )

    def observe_passages(self, passages) -> None:
        self.passages.inc(len(passages))
        for p in passages:
            if p.flagged:
                self.flags.labels(p.label).inc()
