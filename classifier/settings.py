"""Auditor settings: thresholds and limits, from the environment (prefix MEDCASH_) or code.

Thresholds left unset come from the model folder's config.json, where training chose them on
the dev split; setting them here overrides the model's choice without touching code.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuditorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDCASH_", extra="ignore")

    model_path: str | None = Field(None, description="model folder; None uses the shipped model")
    block_threshold: float | None = Field(None, ge=0, le=1, description="flag probability at which to suggest block")
    review_threshold: float | None = Field(
        None, ge=0, le=1, description="flag probability below which a flag is dropped"
    )
    max_passage_chars: int = Field(300, ge=20, le=2000)
    max_text_chars: int = Field(200_000, ge=1, description="longest article audit() accepts")
    max_passages: int = Field(2000, ge=1, description="most passages in one article")
    batch_size: int = Field(32, ge=1, le=1024)
    evidence_top_k: int = Field(5, ge=0, le=50)
    evidence_max_words: int = Field(64, ge=1, le=512)
    evidence_min_weight: float | None = Field(
        None,
        ge=0,
        le=10,
        description="least weight of an evidence word (unit: see Evidence.weight); None: 0.25 log-odds for linear "
        "evidence, 0.02 probability for occlusion",
    )
    # Off by default: dynamic int8 scales activations per batch, so a text's scores would depend
    # on which texts share its batch (resumed batch runs and the Ray engine would disagree).
    quantize: bool = Field(False, description="dynamic int8 quantization of linear layers (scores vary by batch)")
    threads: int | None = Field(None, ge=1, le=256)

    @model_validator(mode="after")
    def _ordered(self) -> AuditorSettings:
        block, review = self.block_threshold, self.review_threshold
        if block is not None and review is not None and review > block:
            raise ValueError("review_threshold must not exceed block_threshold")
        return self
