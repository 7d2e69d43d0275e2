"""One error shape for every failure: {"error": {"code", "message", "details"}}.

Also the OpenAPI description of that shape per status, so the spec lists what the service answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: object = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.headers = status, code, message, details, headers


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. validation_error, rate_limited")
    message: str = Field(description="human-readable explanation")
    details: Any = Field(None, description="extra data: failing fields, limits, retry times")


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_body(code: str, message: str, details: object = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(
    status: int, code: str, message: str, details: object = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


_DESCRIPTIONS = {
    400: ("malformed_json", "body is not valid JSON or not UTF-8; or a bad Content-Length"),
    401: ("missing_api_key", "missing or wrong API key (`Authorization: Bearer <key>`)"),
    413: ("body_too_large", "request body over the limit (checked before parsing, also for chunked bodies)"),
    415: ("unsupported_media_type", "the body must be `application/json`"),
    422: ("validation_error", "the request does not match the schema, or a text is refused"),
    429: ("rate_limited", "rate limit exceeded; see `Retry-After` and `X-RateLimit-*`"),
    503: ("overloaded", "too many requests waiting for the model, or the model is loading; see `Retry-After`"),
    504: ("timeout", "the work did not finish within the service's timeout; it was stopped"),
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given error statuses, each with the one error shape and an example."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        code, description = _DESCRIPTIONS[status]
        out[status] = {
            "model": ErrorBody,
            "description": description,
            "content": {"application/json": {"example": error_body(code, description)}},
        }
    return out


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type"}


def _clean(errors: Sequence[Mapping[str, Any]]) -> list[dict]:
    # Echoing back a 20,000-character input in "input" helps nobody; keep location and reason.
    return [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in errors]


def install(app: FastAPI) -> None:
    """Handlers for the errors FastAPI raises itself. Unexpected exceptions are turned into 500s by
    `service.middleware.RequestContext`, which also stamps them with the request id and counts them."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(
                400, "malformed_json", "request body is not valid JSON (or not UTF-8)", _clean(errors)
            )
        return error_response(422, "validation_error", "request does not match the schema", _clean(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # FastAPI raises this when the body cannot even be decoded (e.g. invalid UTF-8).
            return error_response(400, "malformed_json", "request body is not valid JSON (or not UTF-8)")
        # Keep the exception's headers: a 405 must say which methods are allowed (Allow).
        return error_response(
            exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail), headers=exc.headers
        )
