"""Model information, health, readiness (with saturation) and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.deps import CallerDep, EngineDep, StateDep
from service.errors import error_body, responses
from service.schemas import ModelResponse, ReadyResponse

router = APIRouter(tags=["service"])


@router.get("/v1/model", response_model=ModelResponse, responses=responses(401, 429, 503))
async def model_info(_: CallerDep, engine: EngineDep) -> dict:
    """Model name, version, data hash, labels, thresholds and the statute-file version."""
    return engine.auditor.info()


# HEAD answers too (load balancers probe with it); it stays out of the schema, where GET and HEAD
# on one route would share an operation id.
@router.get("/healthz")
@router.head("/healthz", include_in_schema=False)
async def healthz() -> dict:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyResponse, responses=responses(503))
async def readyz(state: StateDep):
    """Readiness: 200 when the model is loaded and the queue has room; 503 (`saturated`, with the
    queue figures in details) when the queue limit is reached, so a balancer sends work elsewhere."""
    if state.engine is None:
        return JSONResponse(error_body("model_not_loaded", "model not loaded yet"), status_code=503,
                            headers={"Retry-After": "5"})  # fmt: skip
    load = state.engine.saturation()
    if load["saturated"]:
        return JSONResponse(error_body("saturated", "the request queue is full", load), status_code=503,
                            headers={"Retry-After": "1"})  # fmt: skip
    return ReadyResponse(status="ready", model_version=state.engine.auditor.model.info.version, **load)


@router.get("/metrics", include_in_schema=False)
async def metrics(state: StateDep) -> Response:
    """Prometheus metrics (requests, latency, flags)."""
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
