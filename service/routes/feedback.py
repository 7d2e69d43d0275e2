"""/v1/feedback: moderators' decisions, one per target per moderator."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response

from service.deps import CallerDep, EngineDep, FeedbackDep
from service.errors import responses
from service.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter(prefix="/v1", tags=["moderation"])


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    status_code=201,
    responses={
        200: {"model": FeedbackResponse, "description": "an earlier decision on the same target was changed"},
        **responses(400, 401, 413, 415, 422, 429, 503),
    },
)
async def feedback(
    body: FeedbackRequest, _: CallerDep, store: FeedbackDep, engine: EngineDep, response: Response
) -> FeedbackResponse:
    """Store a moderator's decision on a passage or on the page verdict, for retraining. Sending it
    again for the same target (same moderator, audit and offsets) replaces the earlier decision."""
    fields = body.model_dump()
    fields["model_version"] = body.model_version or engine.auditor.model.info.version
    row_id, created = await asyncio.to_thread(store.upsert, **fields)
    if not created:
        response.status_code = 200
    return FeedbackResponse(id=row_id, created=created)
