"""GET /v1/statutes: every provision a citation can name, once (clients cache it by version)."""

from __future__ import annotations

from fastapi import APIRouter

from classifier.legal import all_provisions, rules_version, statutes_version
from service.deps import CallerDep
from service.errors import responses
from service.schemas import StatutesResponse

router = APIRouter(prefix="/v1", tags=["legal"])


@router.get("/statutes", response_model=StatutesResponse, responses=responses(401, 429))
async def statutes(_: CallerDep) -> StatutesResponse:
    """Statute texts by provision id, quoted from the project's legal reference file, with the
    versions of the statute file and of the citation rules."""
    return StatutesResponse(
        statutes_version=statutes_version(), rules_version=rules_version(), statutes=all_provisions()
    )
