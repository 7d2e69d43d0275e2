"""The API's routers, one module per job. To add routes (e.g. `GET /v1/statutes`), add a module
with an `APIRouter` and list it here; auth, limits and the error shape apply to every /v1/ path."""

from service.routes import feedback, moderation, operations, pages, statutes

ROUTERS = [moderation.router, statutes.router, feedback.router, operations.router, pages.router]
