"""The FastAPI application: `create_app(settings)` wires settings, middleware, routes and the
lifespan (model, inference engine and feedback store are created there, once per start)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from classifier import Auditor, AuditorSettings
from service import errors
from service.deps import ServiceState
from service.feedback import FeedbackStore
from service.inference import InferenceEngine
from service.metrics import Metrics
from service.middleware import AccessControl, BodyLimit, JsonOnly, RequestContext
from service.routes import ROUTERS
from service.routes.pages import DOCS_ASSETS, STATIC
from service.security import AccessGuard
from service.settings import ServiceSettings

log = logging.getLogger("service")

DESCRIPTION = """Flags Chinese text that advertises or legitimises cashing out medical-insurance (医保) funds,
with legal citations.

- **Auth**: `Authorization: Bearer <key>` on every `/v1/` path (use *Authorize*).
- **Limits**: per key; every limited response has `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
  `X-RateLimit-Reset` (seconds); a 429 adds `Retry-After`. Requests with a missing or wrong key are
  limited per client address.
- **Offsets** (`start`, `end` of passages and evidence) count **Unicode code points** of the text they
  refer to (Python string indices; in JavaScript index `Array.from(text)`, not the UTF-16 string).
- **Errors** always have the shape `{"error": {"code", "message", "details"}}`.
- **Overload**: when too many requests wait for the model the service answers 503 with `Retry-After`;
  work that passes the timeout is stopped and answered 504.
"""


def create_app(settings: ServiceSettings | None = None, auditor: Auditor | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    state = ServiceState(settings=settings, metrics=Metrics(), auditor=auditor)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Created per lifespan: a server (or test client) may start the app more than once.
        if state.auditor is None:
            auditor_settings = AuditorSettings(max_text_chars=max(settings.max_text_chars, settings.max_passage_chars))
            state.auditor = await asyncio.to_thread(Auditor.load, settings.model_path, auditor_settings)
        state.feedback = FeedbackStore(settings.database_url)
        state.engine = InferenceEngine(state.auditor, settings, state.metrics)
        if not settings.auth_enabled:
            log.warning("AUTHENTICATION IS DISABLED: any client that can reach %s:%s can use this API",
                        settings.host, settings.port)  # fmt: skip
        log.info("service ready", extra={"model_version": state.auditor.model.info.version,
                                         "database": state.feedback.engine.url.render_as_string(hide_password=True)})  # fmt: skip
        try:
            yield
        finally:
            await state.engine.close()
            state.feedback.close()
            state.engine = None
            state.feedback = None

    app = FastAPI(
        title="medcash-audit",
        version="0.2.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by service.routes.pages from local assets
        redoc_url=None,
    )
    app.state.service = state
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    # Added innermost first: a request passes RequestContext, CORS, AccessControl, BodyLimit, JsonOnly.
    app.add_middleware(JsonOnly)
    app.add_middleware(BodyLimit, max_bytes=settings.body_limit)
    app.add_middleware(AccessControl, guard=AccessGuard(settings))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"],
        )  # fmt: skip
    app.add_middleware(RequestContext, metrics=state.metrics)
    return app
