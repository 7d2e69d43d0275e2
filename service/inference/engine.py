"""Runs the Auditor for requests: admission control, deadlines between units, shared model calls.

- Admission: at most `max_queue_depth` requests hold or wait for the model; the next one gets
  503 with `Retry-After` at once instead of a latency that grows without bound.
- Deadlines: a request's work goes to the model in units of at most `unit_passages` passages;
  before each unit the deadline is checked, and waiting for a unit stops at the deadline, so a
  timed-out request starts no further model work (at most the unit already running finishes).
- Batching: units of concurrent requests share one model call (MicroBatcher), which isolates a
  failing request from the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TypeVar

from classifier import Auditor, InputError
from classifier.allocator import PeriodicTrim
from classifier.auditor import PreparedArticle
from classifier.schemas import ArticleResult, PassageResult
from service.errors import ApiError
from service.inference.batcher import MicroBatcher
from service.inference.units import article_from_units, chunks, split_article
from service.metrics import Metrics
from service.settings import ServiceSettings

log = logging.getLogger("service")
T = TypeVar("T")


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = asyncio.get_running_loop().time() + seconds

    def remaining(self) -> float:
        return self.at - asyncio.get_running_loop().time()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise self.error()

    def error(self) -> ApiError:
        return ApiError(504, "timeout", f"the work did not finish within {self.seconds:g} s and was stopped",
                        {"timeout_s": self.seconds})  # fmt: skip


class InferenceEngine:
    def __init__(self, auditor: Auditor, settings: ServiceSettings, metrics: Metrics | None = None) -> None:
        self.auditor = auditor
        self.settings = settings
        self.metrics = metrics
        if metrics is not None:
            metrics.in_flight.set_function(lambda: self.in_flight)
        self.executor = ThreadPoolExecutor(max_workers=settings.inference_workers, thread_name_prefix="inference")
        self.in_flight = 0
        # Every model call goes through one of these two wrapped entry points, so the periodic trim
        # counts them all and runs on an inference thread, never on the event loop.
        self.trim = PeriodicTrim(settings.malloc_trim_every)
        self.classify_passages = self.trim.wrap(lambda *a, **kw: self.auditor.classify_passages(*a, **kw))
        self.audit_prepared = self.trim.wrap(lambda *a, **kw: self.auditor.audit_prepared(*a, **kw))
        args = (self.executor, settings.inference_workers, settings.batch_max_passages, settings.batch_max_wait_ms)
        self.classify_batcher = MicroBatcher(self.classify_passages, *args) if settings.batching else None
        self.audit_batcher = (
            MicroBatcher(self.audit_prepared, *args) if settings.batching and settings.batch_audit else None
        )

    async def close(self) -> None:
        for batcher in (self.classify_batcher, self.audit_batcher):
            if batcher is not None:
                await batcher.close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def saturation(self) -> dict:
        return {"in_flight": self.in_flight, "max_queue_depth": self.settings.max_queue_depth,
                "saturated": self.in_flight >= self.settings.max_queue_depth}  # fmt: skip

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[Deadline]:
        """Admission for one request; yields its deadline."""
        if self.in_flight >= self.settings.max_queue_depth:
            if self.metrics is not None:
                self.metrics.rejected.inc()
            raise ApiError(503, "overloaded", "too many requests are waiting for the model; retry shortly",
                           {"max_queue_depth": self.settings.max_queue_depth}, headers={"Retry-After": "1"})  # fmt: skip
        self.in_flight += 1
        try:
            yield Deadline(self.settings.inference_timeout_s)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0 and self.trim.every:
                # Idle now: hand back what the burst left free, on an inference thread (the call is
                # fire-and-forget; it trims only if a model call ran since the last trim).
                asyncio.get_running_loop().run_in_executor(self.executor, self.trim.release_pending)

    async def _run(self, deadline: Deadline, fn: Callable[..., T], *args) -> T:
        deadline.check()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(deadline.remaining()):
                return await loop.run_in_executor(self.executor, fn, *args)
        except TimeoutError:
            raise deadline.error() from None
        except InputError as exc:
            raise ApiError(422, "invalid_input", str(exc)) from None

    async def _batched(self, deadline: Deadline, batcher: MicroBatcher, items: list) -> list:
        deadline.check()
        try:
            async with asyncio.timeout(deadline.remaining()):
                return await batcher.submit(items)
        except TimeoutError:
            raise deadline.error() from None
        except InputError as exc:
            raise ApiError(422, "invalid_input", str(exc)) from None

    async def _audit_call(self, deadline: Deadline, units: list[PreparedArticle]) -> list[ArticleResult]:
        if self.audit_batcher is not None:
            return await self._batched(deadline, self.audit_batcher, units)
        return await self._run(deadline, self.audit_prepared, units)

    async def classify(self, texts: list[str], deadline: Deadline) -> list[PassageResult]:
        results: list[PassageResult] = []
        for unit in chunks(texts, self.settings.unit_passages):
            if self.classify_batcher is not None:
                results += await self._batched(deadline, self.classify_batcher, unit)
            else:
                results += await self._run(deadline, self.classify_passages, unit)
        return results

    async def prepare(self, text: str, content_type: str, deadline: Deadline) -> PreparedArticle:
        return await self._run(deadline, self.auditor.prepare, text, content_type)

    async def audit(self, articles: list[PreparedArticle], deadline: Deadline) -> list[ArticleResult | ApiError]:
        """Audit articles in one shared pass of bounded units; an article whose units did not all
        finish before the deadline gets the timeout error, the finished ones keep their results."""
        units = [
            (n, unit)
            for n, article in enumerate(articles)
            for unit in split_article(article, self.settings.unit_passages)
        ]
        parts: list[list[ArticleResult]] = [[] for _ in articles]
        failed: dict[int, ApiError] = {}
        for call in _calls(units, self.settings.unit_passages):
            call = [(n, unit) for n, unit in call if n not in failed]
            if not call:
                continue
            try:
                results = await self._audit_call(deadline, [unit for _, unit in call])
            except ApiError as exc:
                if exc.status != 504:
                    raise
                for n, _ in call:
                    failed[n] = exc
                # Nothing further can start after the deadline: the remaining articles time out too.
                for n in range(len(articles)):
                    if not _complete(n, parts, articles, self.settings.unit_passages):
                        failed.setdefault(n, exc)
                break
            except Exception:
                if len(articles) == 1:
                    raise  # a single audit: the request's own 500 (logged with its request id)
                # One article broke the shared call: run the units alone so it fails only itself.
                log.exception("audit call failed; retrying its articles one by one")
                for n, unit in call:
                    try:
                        parts[n] += await self._audit_call(deadline, [unit])
                    except ApiError:
                        raise
                    except Exception:
                        log.exception("article failed in the model", extra={"article": n})
                        failed[n] = ApiError(
                            500, "internal_error", "the model failed on this article; it has been logged"
                        )
                continue
            for (n, _), result in zip(call, results, strict=True):
                parts[n].append(result)
        return [
            failed[n] if n in failed else article_from_units(self.auditor, a, parts[n]) for n, a in enumerate(articles)
        ]


def _calls(units: list[tuple[int, PreparedArticle]], size: int) -> list[list[tuple[int, PreparedArticle]]]:
    """Group units into model calls of at most `size` passages (a unit is never split)."""
    calls: list[list[tuple[int, PreparedArticle]]] = []
    current: list[tuple[int, PreparedArticle]] = []
    count = 0
    for n, unit in units:
        if current and count + len(unit.spans) > size:
            calls.append(current)
            current, count = [], 0
        current.append((n, unit))
        count += len(unit.spans)
    if current:
        calls.append(current)
    return calls


def _complete(n: int, parts: list[list[ArticleResult]], articles: list[PreparedArticle], size: int) -> bool:
    return len(parts[n]) == len(split_article(articles[n], size))
