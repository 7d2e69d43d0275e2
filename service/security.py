"""Who is calling, and may they: Bearer keys (constant-time check) and rate limits (limits library).

Limits are counted per full key (a SHA-256 of it, never a prefix: two keys never share a bucket),
per key with its own quota where one is configured, and per client address for requests with a
missing or wrong key and for every request when auth is off. Every limited response carries
X-RateLimit-Limit / -Remaining / -Reset; a 429 also has Retry-After.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import Scope

from service.errors import ApiError
from service.settings import ServiceSettings

# Documents the scheme in OpenAPI (the "Authorize" button); the check itself is AccessGuard's,
# done before the body is read.
bearer_scheme = HTTPBearer(
    auto_error=False, description="API key from MEDCASH_SERVICE_API_KEYS (not needed when the service runs --no-auth)"
)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class AccessGuard:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.keys = [k.encode() for k in settings.api_keys]
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.default_limit = parse(settings.rate_limit)
        self.key_limits = {_digest(k): parse(v) for k, v in settings.key_rate_limits.items()}
        self.unauthenticated_limit = parse(settings.unauthenticated_rate_limit)
        prefixes = ["/v1/"]
        if settings.protect_metrics:
            prefixes.append("/metrics")
        if settings.protect_docs:
            prefixes += ["/docs", "/redoc", "/openapi.json"]
        self.prefixes = tuple(prefixes)

    def protects(self, path: str) -> bool:
        return path.startswith(self.prefixes)

    def _match(self, token: str) -> bool:
        # Compare with every key, without stopping early, so timing does not reveal which matched.
        matched = False
        candidate = token.encode("utf-8", "surrogatepass")
        for key in self.keys:
            matched |= hmac.compare_digest(candidate, key)
        return matched

    def admit(self, scope: Scope) -> tuple[str, dict[str, str]]:
        """The caller's bucket name and the rate-limit headers; raises ApiError 401 or 429."""
        client = scope.get("client")
        address = "ip:" + (client[0] if client else "unknown")
        if not self.settings.auth_enabled:
            return address, self._hit(self.default_limit, address)
        scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or not self._match(token):
            # Counted per address before answering 401, so guessing keys is slow.
            headers = self._hit(self.unauthenticated_limit, "unauth:" + address)
            code, message = (
                ("missing_api_key", "send 'Authorization: Bearer <key>'")
                if scheme.lower() != "bearer" or not token
                else ("invalid_api_key", "the API key is not valid")
            )
            raise ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer", **headers})
        digest = _digest(token)
        return "key:" + digest[:16], self._hit(self.key_limits.get(digest, self.default_limit), "key:" + digest)

    def _hit(self, limit: RateLimitItem, bucket: str) -> dict[str, str]:
        allowed = self.limiter.hit(limit, bucket)
        reset_at, remaining = self.limiter.get_window_stats(limit, bucket)
        reset_in = max(1, math.ceil(reset_at - time.time()))
        headers = {
            "X-RateLimit-Limit": str(limit.amount),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": str(reset_in),
        }
        if not allowed:
            raise ApiError(429, "rate_limited", f"rate limit of {limit} exceeded",
                           {"limit": str(limit), "retry_after_s": reset_in}, headers={**headers, "Retry-After": str(reset_in)})  # fmt: skip
        return headers


async def caller(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
) -> str:
    """The caller's bucket name, set by AccessControl (the credentials parameter documents the scheme)."""
    return request.state.caller
