"""What the routes share: the service state built in the lifespan, and dependencies to reach it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from classifier import Auditor
from service.errors import ApiError
from service.feedback import FeedbackStore
from service.inference import InferenceEngine
from service.metrics import Metrics
from service.security import caller
from service.settings import ServiceSettings


@dataclass
class ServiceState:
    settings: ServiceSettings
    metrics: Metrics
    auditor: Auditor | None = None
    engine: InferenceEngine | None = None
    feedback: FeedbackStore | None = None


def get_state(request: Request) -> ServiceState:
    return request.app.state.service


def get_engine(request: Request) -> InferenceEngine:
    engine = get_state(request).engine
    if engine is None:
        raise ApiError(
            503, "model_not_loaded", "the model is still loading; retry shortly", headers={"Retry-After": "5"}
        )
    return engine


def get_feedback(request: Request) -> FeedbackStore:
    store = get_state(request).feedback
    if store is None:
        raise ApiError(503, "not_ready", "the feedback store is not open yet", headers={"Retry-After": "5"})
    return store


StateDep = Annotated[ServiceState, Depends(get_state)]
EngineDep = Annotated[InferenceEngine, Depends(get_engine)]
FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback)]
CallerDep = Annotated[str, Depends(caller)]
