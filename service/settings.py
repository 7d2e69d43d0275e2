"""Service settings (environment prefix MEDCASH_SERVICE_); invalid values stop start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDCASH_SERVICE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    auth_enabled: bool = True
    api_keys: list[str] = Field(default_factory=list, description="accepted Bearer keys (JSON list in the env)")
    api_keys_file: Path | None = Field(None, description="file with one API key per line")
    rate_limit_per_minute: int = Field(120, ge=1, description="requests per key (or client address) per minute")
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_text_chars: int = Field(20_000, ge=1)
    max_texts: int = Field(64, ge=1, le=1024)
    max_batch_articles: int = Field(32, ge=1, le=1024)
    max_passage_chars: int = Field(2_000, ge=1)
    inference_workers: int = Field(2, ge=1, le=64)
    inference_timeout_s: float = Field(30.0, gt=0)
    # Measured (benchmarks/README.md): batching raised /v1/classify throughput by half but
    # lowered /v1/audit throughput (evidence occlusion dominates there), so audit is off by default.
    batching: bool = Field(True, description="batch concurrent /v1/classify requests into shared model calls")
    batch_audit: bool = Field(False, description="batch concurrent /v1/audit requests too")
    batch_max_wait_ms: float = Field(5.0, ge=0, le=1000)
    batch_max_passages: int = Field(64, ge=1, le=4096)
    database_url: str = "sqlite:///medcash_feedback.db"
    model_path: str | None = None

    @model_validator(mode="after")
    def _keys(self) -> ServiceSettings:
        if self.api_keys_file is not None:
            try:
                lines = self.api_keys_file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise ValueError(f"cannot read api_keys_file {self.api_keys_file}: {exc.strerror}") from None
            self.api_keys = [*self.api_keys, *(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))]
        if any(len(k) < 16 for k in self.api_keys):
            raise ValueError("API keys must be at least 16 characters")
        if self.auth_enabled and not self.api_keys:
            raise ValueError(
                "auth is enabled but no API key is configured: set MEDCASH_SERVICE_API_KEYS='[\"...\"]' or "
                "MEDCASH_SERVICE_API_KEYS_FILE, or start with --no-auth for local use"
            )
        return self
