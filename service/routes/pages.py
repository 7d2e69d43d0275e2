"""The moderators' page and the API docs (Swagger UI, ReDoc), all served from this process.

The Swagger UI and ReDoc bundles come from the `fastapi-offline` package (installed with the
`service` extra), so /docs works without internet access and loads nothing from a CDN.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(include_in_schema=False)


@router.get("/")
async def page() -> FileResponse:
    """The moderators' page."""
    return FileResponse(STATIC / "index.html")


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI, served with local assets (no CDN)."""
    return templates.TemplateResponse(request, "swagger.html", {"title": request.app.title})


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc, served with local assets (no CDN)."""
    return templates.TemplateResponse(request, "redoc.html", {"title": request.app.title})
