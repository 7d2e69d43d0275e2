"""Service settings (environment prefix MEDCASH_SERVICE_); invalid values stop start-up with a readable message."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

from limits import parse as parse_limit
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Audits take 25-40 ms each on the 2-core reference machine (26-43 audits/s measured), so one key
# may use the whole service; the limit is there to stop a runaway client, not normal use.
DEFAULT_RATE_LIMIT = "1200/minute"
# Missing or wrong keys are limited by client address, tightly: this is what slows key guessing.
DEFAULT_UNAUTHENTICATED_LIMIT = "30/minute"


def default_database_url() -> str:
    """SQLite in the user's data folder: an absolute path, whatever the working directory."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{(base / 'medcash-audit' / 'feedback.db').resolve()}"


def _list_from_env(value: object) -> object:
    # The env may hold a JSON list or comma-separated keys; anything else is reported by pydantic.
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a valid JSON list ({exc.msg} at character {exc.pos})") from None
        return [part.strip() for part in stripped.split(",") if part.strip()]
    return value


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDCASH_SERVICE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    auth_enabled: bool = True
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="accepted Bearer keys: a JSON list or comma-separated"
    )
    api_keys_file: Path | None = Field(None, description="file with one API key per line")
    rate_limit: str = Field(DEFAULT_RATE_LIMIT, description="per key (or per address with auth off), limits syntax")
    key_rate_limits: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, description="per-key quotas: JSON object {key: limit}, overriding rate_limit"
    )
    unauthenticated_rate_limit: str = Field(
        DEFAULT_UNAUTHENTICATED_LIMIT, description="requests with a missing or wrong key, per client address"
    )
    max_text_chars: int = Field(20_000, ge=1)
    max_texts: int = Field(64, ge=1, le=1024)
    max_batch_articles: int = Field(32, ge=1, le=1024)
    max_passage_chars: int = Field(2_000, ge=1)
    max_body_bytes: int | None = Field(
        None, ge=1024, description="default: room for the largest documented request (see body_limit)"
    )
    inference_workers: int = Field(2, ge=1, le=64)
    inference_timeout_s: float = Field(30.0, gt=0)
    # Work is handed to the model in units of at most this many passages; the deadline is checked
    # between units, so a timed-out request stops within one unit's time.
    unit_passages: int = Field(16, ge=1, le=1024)
    # About 16 audits of 1,000 characters is 2-8 s of work on 2 cores: beyond that a caller is
    # better told to retry (503) than kept waiting towards the timeout.
    max_queue_depth: int = Field(16, ge=1, description="requests holding or waiting for the model before 503")
    # Measured (benchmarks/README.md): batching raised /v1/classify throughput by half but
    # lowered /v1/audit throughput (evidence occlusion dominates there), so audit is off by default.
    batching: bool = Field(True, description="batch concurrent /v1/classify requests into shared model calls")
    batch_audit: bool = Field(False, description="batch concurrent /v1/audit requests too")
    batch_max_wait_ms: float = Field(5.0, ge=0, le=1000)
    batch_max_passages: int = Field(64, ge=1, le=4096)
    # Without it the resident size grows for as long as the service runs (classifier/allocator.py).
    malloc_trim_every: int = Field(
        200,
        ge=0,
        description="hand free heap memory back every N model calls and when the last request finishes (0: never)",
    )
    database_url: str = Field(default_factory=default_database_url, description="SQLAlchemy URL")
    model_path: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed to call the API from a browser (none by default)"
    )
    protect_metrics: bool = Field(False, description="require an API key for /metrics")
    protect_docs: bool = Field(False, description="require an API key for /docs, /redoc and /openapi.json")

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        return _list_from_env(value)

    @field_validator("key_rate_limits", mode="before")
    @classmethod
    def _json_object(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a valid JSON object ({exc.msg} at character {exc.pos})") from None
        return value

    @field_validator("rate_limit", "unauthenticated_rate_limit")
    @classmethod
    def _limit_syntax(cls, value: str) -> str:
        _check_limit(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _absolute_sqlite(cls, value: str) -> str:
        # A relative SQLite path would follow the working directory; pin it when settings load.
        prefix = "sqlite:///"
        if value.startswith(prefix) and value[len(prefix) :] not in ("", ":memory:"):
            path = Path(value[len(prefix) :])
            if not path.is_absolute():
                return prefix + str(path.resolve())
        return value

    @model_validator(mode="after")
    def _keys(self) -> ServiceSettings:
        if self.api_keys_file is not None:
            try:
                lines = self.api_keys_file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise ValueError(f"cannot read api_keys_file {self.api_keys_file}: {exc.strerror}") from None
            self.api_keys = [*self.api_keys, *(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))]
        if any(len(k) < 16 for k in self.api_keys):
            raise ValueError("api_keys: every API key must be at least 16 characters")
        if self.auth_enabled and not self.api_keys:
            raise ValueError(
                "auth is enabled but no API key is configured: set MEDCASH_SERVICE_API_KEYS='[\"...\"]' or "
                "MEDCASH_SERVICE_API_KEYS_FILE, or start with --no-auth for local use"
            )
        for key, limit in self.key_rate_limits.items():
            if key not in self.api_keys:
                raise ValueError("key_rate_limits names a key that is not in api_keys")
            _check_limit(limit)
        return self

    @property
    def body_limit(self) -> int:
        """Bytes a request body may have: by default the largest documented batch, in JSON.

        32 articles x 20,000 characters, each character up to 6 bytes as a JSON escape
        (\\uXXXX), plus room for ids and field names.
        """
        if self.max_body_bytes is not None:
            return self.max_body_bytes
        return self.max_batch_articles * (self.max_text_chars * 6 + 1_024) + 4_096


def _check_limit(value: str) -> None:
    try:
        parse_limit(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a rate limit such as '600/minute' or '10/second'") from None
