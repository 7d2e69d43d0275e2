"""The FastAPI application: `create_app(settings)` builds it; the model loads once in the lifespan."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from classifier import Auditor, AuditorSettings, InputError
from classifier.schemas import ArticleResult
from service import errors
from service.batcher import MicroBatcher
from service.errors import ApiError
from service.feedback import FeedbackStore
from service.metrics import Metrics
from service.schemas import (
    AuditRequest,
    BatchAuditRequest,
    BatchAuditResponse,
    BatchItem,
    ClassifyRequest,
    ClassifyResponse,
    FeedbackRequest,
    FeedbackResponse,
    ModelResponse,
)
from service.settings import ServiceSettings

log = logging.getLogger("service")
STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class ServiceState:
    settings: ServiceSettings
    metrics: Metrics
    executor: ThreadPoolExecutor | None = None
    gate: asyncio.Semaphore | None = None
    auditor: Auditor | None = None
    feedback: FeedbackStore | None = None
    classify_batcher: MicroBatcher | None = None
    audit_batcher: MicroBatcher | None = None
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)


def _state(request: Request) -> ServiceState:
    return request.app.state.service


def get_auditor(request: Request) -> Auditor:
    auditor = _state(request).auditor
    if auditor is None:
        raise ApiError(503, "model_not_loaded", "the model is still loading; retry shortly")
    return auditor


def require_key(request: Request) -> str:
    """Bearer key check (constant time) and the per-key rate limit. Returns the caller's key id."""
    state = _state(request)
    settings = state.settings
    if settings.auth_enabled:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(
                401, "missing_api_key", "send 'Authorization: Bearer <key>'", headers={"WWW-Authenticate": "Bearer"}
            )
        # Compare with every key, without stopping early, so timing does not reveal which matched.
        matched = False
        for key in settings.api_keys:
            matched |= hmac.compare_digest(token.encode(), key.encode())
        if not matched:
            raise ApiError(401, "invalid_api_key", "the API key is not valid", headers={"WWW-Authenticate": "Bearer"})
        caller = "key:" + token[:6]
    else:
        caller = "ip:" + (request.client.host if request.client else "unknown")
    _rate_limit(state, caller)
    return caller


CallerDep = Annotated[str, Depends(require_key)]


def _rate_limit(state: ServiceState, caller: str) -> None:
    """Token bucket: rate_limit_per_minute tokens, refilled continuously."""
    capacity = float(state.settings.rate_limit_per_minute)
    now = time.monotonic()
    tokens, last = state.buckets.get(caller, (capacity, now))
    tokens = min(capacity, tokens + (now - last) * capacity / 60.0)
    if tokens < 1:
        retry = int((1 - tokens) * 60.0 / capacity) + 1
        state.buckets[caller] = (tokens, now)
        raise ApiError(429, "rate_limited", f"rate limit of {int(capacity)} requests per minute exceeded",
                       {"retry_after_s": retry}, headers={"Retry-After": str(retry)})  # fmt: skip
    state.buckets[caller] = (tokens - 1, now)


AuditorDep = Annotated[Auditor, Depends(get_auditor)]


async def _infer(state: ServiceState, fn, *args):
    """Run model work on the bounded worker pool, with the configured timeout."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(state.settings.inference_timeout_s):
            async with state.gate:
                return await loop.run_in_executor(state.executor, fn, *args)
    except TimeoutError:
        raise ApiError(504, "timeout", f"inference took longer than {state.settings.inference_timeout_s} s") from None
    except InputError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from None


async def _batched(state: ServiceState, batcher: MicroBatcher, items: list) -> list:
    try:
        async with asyncio.timeout(state.settings.inference_timeout_s):
            return await batcher.submit(items)
    except TimeoutError:
        raise ApiError(504, "timeout", f"inference took longer than {state.settings.inference_timeout_s} s") from None
    except InputError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from None


async def _audit_one(state: ServiceState, auditor: Auditor, text: str, content_type: str) -> ArticleResult:
    # Extraction and segmentation run per request; the model call is shared with concurrent ones.
    if state.audit_batcher is None or auditor is not state.auditor:
        return await _infer(state, auditor.audit, text, content_type)
    prepared = await _infer(state, auditor.prepare, text, content_type)
    return (await _batched(state, state.audit_batcher, [prepared]))[0]


def _check_text(text: str, limit: int, where: str) -> None:
    if not text.strip():
        raise ApiError(422, "empty_text", f"{where} is empty or whitespace")
    if len(text) > limit:
        raise ApiError(
            422, "text_too_long", f"{where} has {len(text)} characters; the limit is {limit}", {"limit": limit}
        )
    if "\x00" in text:
        raise ApiError(422, "binary_text", f"{where} contains NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Checked before batching, so one bad text never fails the requests it would share a call with.
        raise ApiError(422, "invalid_unicode", f"{where} has an unpaired surrogate at position {exc.start}") from None


class BodyLimitMiddleware:
    """Refuses bodies over the limit before anything parses them (Content-Length or streamed)."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                return await errors.error_response(400, "bad_content_length", "Content-Length is not a number")(
                    scope, receive, send
                )
            if int(length) > self.max_bytes:
                return await self._too_large(scope, receive, send)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope, receive, send):
        response = errors.error_response(
            413, "body_too_large", f"request body exceeds {self.max_bytes} bytes", {"limit": self.max_bytes}
        )
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def create_app(settings: ServiceSettings | None = None, auditor: Auditor | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    state = ServiceState(
        settings=settings,
        metrics=Metrics(),
        auditor=auditor,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Created per lifespan: a server (or test client) may start the app more than once.
        state.executor = ThreadPoolExecutor(max_workers=settings.inference_workers, thread_name_prefix="inference")
        state.gate = asyncio.Semaphore(settings.inference_workers * 4)
        state.feedback = state.feedback or FeedbackStore(settings.database_url)
        if state.auditor is None:
            auditor_settings = AuditorSettings(max_text_chars=max(settings.max_text_chars, settings.max_passage_chars))
            state.auditor = await asyncio.to_thread(Auditor.load, settings.model_path, auditor_settings)
        if not settings.auth_enabled:
            log.warning(
                "AUTHENTICATION IS DISABLED: any client that can reach %s:%s can use this API",
                settings.host,
                settings.port,
            )
        if settings.batching:
            auditor_now = state.auditor
            args = (state.executor, settings.inference_workers, settings.batch_max_passages, settings.batch_max_wait_ms)
            state.classify_batcher = MicroBatcher(lambda texts: auditor_now.classify_passages(texts), *args)
            if settings.batch_audit:
                state.audit_batcher = MicroBatcher(lambda prepared: auditor_now.audit_prepared(prepared), *args)
        log.info("service ready", extra={"model_version": state.auditor.model.info.version})
        yield
        for batcher in (state.classify_batcher, state.audit_batcher):
            if batcher is not None:
                await batcher.close()
        state.executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="medcash-audit",
        version="0.1.0",
        description="Flags Chinese text that advertises or legitimises cashing out medical-insurance funds, with legal citations.",
        lifespan=lifespan,
    )
    app.state.service = state
    errors.install(app)

    @app.middleware("http")
    async def request_context(request: Request, call_next):
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        request.state.request_id = request_id
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        state.metrics.requests.labels(path, str(response.status_code)).inc()
        state.metrics.latency.labels(path).observe(elapsed)
        response.headers["X-Request-ID"] = request_id
        log.info("request", extra={"request_id": request_id, "method": request.method, "path": path,
                                   "status": response.status_code, "ms": round(elapsed * 1000, 1)})  # fmt: skip
        return response

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    @app.post("/v1/classify", response_model=ClassifyResponse, tags=["moderation"])
    async def classify(body: ClassifyRequest, _: CallerDep, auditor: AuditorDep):
        """Classify 1-64 passages; each text is one passage."""
        if len(body.texts) > settings.max_texts:
            raise ApiError(
                422,
                "too_many_items",
                f"{len(body.texts)} texts; the limit is {settings.max_texts}",
                {"limit": settings.max_texts},
            )
        for i, text in enumerate(body.texts):
            _check_text(text, settings.max_passage_chars, f"texts[{i}]")
        if state.classify_batcher is not None and auditor is state.auditor:
            results = await _batched(state, state.classify_batcher, body.texts)
        else:
            results = await _infer(state, auditor.classify_passages, body.texts)
        state.metrics.observe_passages(results)
        return ClassifyResponse(
            model_version=auditor.model.info.version, flagged=any(r.flagged for r in results), results=results
        )

    @app.post("/v1/audit", response_model=ArticleResult, tags=["moderation"])
    async def audit(body: AuditRequest, _: CallerDep, auditor: AuditorDep):
        """Audit one article: verdict, suggestion, passages with offsets, claim kinds, citations, evidence."""
        _check_text(body.text, settings.max_text_chars, "text")
        result = await _audit_one(state, auditor, body.text, body.content_type)
        state.metrics.observe_passages(result.passages)
        return result

    @app.post("/v1/audit/batch", response_model=BatchAuditResponse, tags=["moderation"])
    async def audit_batch(body: BatchAuditRequest, _: CallerDep, auditor: AuditorDep):
        """Audit up to 32 articles; each result carries the caller's id, and one bad article does not fail the rest."""
        if len(body.articles) > settings.max_batch_articles:
            raise ApiError(422, "too_many_items", f"{len(body.articles)} articles; the limit is {settings.max_batch_articles}",
                           {"limit": settings.max_batch_articles})  # fmt: skip
        items = []
        for article in body.articles:
            try:
                _check_text(article.text, settings.max_text_chars, f"article {article.id}")
                result = await _audit_one(state, auditor, article.text, article.content_type)
                state.metrics.observe_passages(result.passages)
                items.append(BatchItem(id=article.id, result=result))
            except ApiError as exc:
                if exc.status == 504:
                    raise
                items.append(
                    BatchItem(id=article.id, error=errors.error_body(exc.code, exc.message, exc.details)["error"])
                )
        return BatchAuditResponse(model_version=auditor.model.info.version, results=items)

    @app.get("/v1/model", response_model=ModelResponse, tags=["service"])
    async def model_info(_: CallerDep, auditor: AuditorDep):
        """Model name, version, data hash, labels, thresholds and the statute-file version."""
        return auditor.info()

    @app.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, tags=["moderation"])
    async def feedback(body: FeedbackRequest, _: CallerDep, auditor: AuditorDep):
        """Store a moderator's decision on a passage or article, for retraining."""
        if body.decision == "disagree" and body.target == "passage" and body.corrected_label is None:
            raise ApiError(422, "validation_error", "a passage disagreement needs corrected_label")
        if body.start is not None and body.end is not None and body.end <= body.start:
            raise ApiError(422, "validation_error", "end must be greater than start")
        row_id = await asyncio.to_thread(
            state.feedback.add, **body.model_dump(), model_version=auditor.model.info.version
        )
        return FeedbackResponse(id=row_id)

    @app.get("/healthz", tags=["service"])
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", tags=["service"])
    async def readyz():
        if state.auditor is None:
            return JSONResponse(errors.error_body("model_not_loaded", "model not loaded yet"), status_code=503)
        return {"status": "ready", "model_version": state.auditor.model.info.version}

    @app.get("/metrics", include_in_schema=False)
    async def metrics():
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
