"""ASGI middleware, outermost first: request context (id, metrics, log, 500s, security headers),
access control (auth and rate limits, before any body is read), body limit, JSON-only bodies.

All are plain ASGI so that nothing parses a body before the checks that should refuse it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ApiError, error_response
from service.metrics import Metrics
from service.security import AccessGuard

log = logging.getLogger("service")

# A caller's X-Request-ID is echoed only when it is short and plain; otherwise a new id is made.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# The page and the API load nothing from elsewhere; the docs pages need inline styles (Swagger UI
# and ReDoc set them from script) and ReDoc runs a worker from a blob.
CSP_DEFAULT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
CSP_DOCS = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


def _route_path(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", "unmatched")


class RequestContext:
    """Request id, security headers, metrics and the access log for every response, 500s included:
    an exception that escapes the app becomes a 500 in the error shape here, inside the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False
        csp = CSP_DOCS if scope["path"] in DOCS_PATHS else CSP_DEFAULT

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers.setdefault("Content-Security-Policy", csp)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id})
            status = 500
            if not response_started:
                response = error_response(500, "internal_error", "unexpected server error; it has been logged",
                                          {"request_id": request_id})  # fmt: skip
                await response(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            path = _route_path(scope)
            self.metrics.requests.labels(path, str(status)).inc()
            self.metrics.latency.labels(path).observe(elapsed)
            log.info("request", extra={"request_id": request_id, "method": scope["method"], "path": path,
                                       "status": status, "ms": round(elapsed * 1000, 1)})  # fmt: skip


class AccessControl:
    """Auth and rate limits for the protected paths, from the headers alone (before the body)."""

    def __init__(self, app: ASGIApp, guard: AccessGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.guard.protects(scope["path"]) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        try:
            caller, limit_headers = self.guard.admit(scope)
        except ApiError as exc:
            await error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in limit_headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_limits)


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses bodies over the limit before anything parses them (Content-Length or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lengths = Headers(scope=scope).getlist("content-length")
        if lengths:
            if len(set(lengths)) > 1 or not all(v.isascii() and v.isdigit() for v in lengths):
                await error_response(400, "bad_content_length", "Content-Length must be one non-negative integer")(
                    scope, receive, send
                )
                return
            if int(lengths[0]) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        received = 0
        started = False
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if too_large:
                # FastAPI turns an exception while reading the body into its own 400; answer 413
                # in its place and drop what the app sends.
                if not started:
                    started = True
                    await self._too_large(scope, receive, send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                started = True
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, "body_too_large", f"request body exceeds {self.max_bytes} bytes", {"limit": self.max_bytes}
        )
        await response(scope, receive, send)


class JsonOnly:
    """POST bodies under /v1/ must be JSON: anything else is a 415, not a confusing 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].startswith("/v1/"):
            media_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json" and not media_type.endswith("+json"):
                response = error_response(415, "unsupported_media_type", "the body must be application/json",
                                          {"content_type": media_type or None})  # fmt: skip
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
