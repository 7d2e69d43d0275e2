"""Request and response schemas of the HTTP API. Result objects are the library's own."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from classifier.schemas import ArticleResult, Label, PassageResult


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassifyRequest(_Request):
    texts: list[str] = Field(min_length=1, description="1-64 passages (limit set by the service)")


class AuditRequest(_Request):
    text: str = Field(min_length=1, description="the article; at most 20,000 characters by default")
    content_type: Literal["text", "markdown", "html"] = "text"


class BatchArticle(AuditRequest):
    id: str = Field(min_length=1, max_length=200, description="caller's id, echoed back")


class BatchAuditRequest(_Request):
    articles: list[BatchArticle] = Field(min_length=1)


MAX_OFFSET = 1_000_000


class FeedbackRequest(_Request):
    target: Literal["passage", "article"]
    decision: Literal["agree", "disagree"]
    predicted_label: str = Field(max_length=64, description="the label or verdict the moderator reviewed")
    corrected_label: Label | None = Field(None, description="for a passage the moderator disagrees with")
    text: str = Field(min_length=1, max_length=20_000, description="the passage (or article) text reviewed")
    # Offsets into an audited article; no article the auditor accepts is longer than this, and an
    # unbounded integer would overflow the database column (a 500 found by schemathesis).
    start: int | None = Field(None, ge=0, le=MAX_OFFSET, description="character offset (code points)")
    end: int | None = Field(None, ge=0, le=MAX_OFFSET, description="character offset (code points)")
    article_id: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2_000)
    moderator: str | None = Field(None, max_length=200)


class ClassifyResponse(BaseModel):
    model_version: str
    flagged: bool = Field(description="any passage flagged (OpenAI moderation style)")
    results: list[PassageResult]


class BatchItem(BaseModel):
    id: str
    result: ArticleResult | None = None
    error: dict | None = None


class BatchAuditResponse(BaseModel):
    model_version: str
    results: list[BatchItem]


class FeedbackResponse(BaseModel):
    id: int
    stored: bool = True


class ModelResponse(BaseModel):
    name: str
    version: str
    data_hash: str
    labels: list[str]
    temperature: float
    block_threshold: float
    review_threshold: float
    page_thresholds: dict[str, float] = Field(
        default_factory=dict, description="per flag label, the score a page's strongest flag needs for that verdict"
    )
    member_weights: dict[str, float] = Field(
        default_factory=dict, description="blend weight of each linear member; the transformer has the rest"
    )
    statutes_version: str
    claim_kinds_source: str
