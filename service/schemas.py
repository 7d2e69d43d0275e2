"""Request and response schemas of the HTTP API. Result objects are the library's own.

Offsets (`start`, `end`) everywhere count Unicode code points of the text they refer to (Python
`str` indices; in JavaScript use `Array.from(text)`, not UTF-16 `String` indices).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from classifier.labels import LABELS, VERDICTS
from classifier.schemas import ArticleResult, PassageResult, Provision
from service.errors import ErrorDetail

OFFSETS_NOTE = "offset in Unicode code points (not UTF-16 units or bytes)"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


STATUTES_FIELD = Field(
    True,
    description="false: citations keep their ids and one-line reasons but the response leaves out the statute "
    "texts (get them once from GET /v1/statutes)",
)


class ClassifyRequest(_Request):
    texts: list[str] = Field(
        min_length=1, description="1-64 passages (limit set by the service), each at most 2,000 characters"
    )
    statutes: bool = STATUTES_FIELD

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"texts": ["医保卡余额高价回收，当天结算", "医保个人账户的钱不能提现"]}]},
    )


class AuditRequest(_Request):
    text: str = Field(min_length=1, description="the article; at most 20,000 characters by default")
    content_type: Literal["text", "markdown", "html"] = "text"
    statutes: bool = STATUTES_FIELD

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "退休以后医保卡的钱可以一次性全部取出来。\n医保卡要妥善保管。", "content_type": "text"}
            ]
        },
    )


class BatchArticle(AuditRequest):
    id: str = Field(min_length=1, max_length=200, description="caller's id, echoed back")


class BatchAuditRequest(_Request):
    articles: list[BatchArticle] = Field(min_length=1, description="1-32 articles (limit set by the service)")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "articles": [
                        {"id": "a1", "text": "高价回收医保卡，微信联系"},
                        {"id": "a2", "text": "医保卡的钱不能提现"},
                    ]
                }
            ]
        },
    )


MAX_OFFSET = 1_000_000
AUDIT_ID = r"^[A-Za-z0-9._:-]{1,64}$"


class FeedbackRequest(_Request):
    target: Literal["passage", "article"] = Field(description="a passage, or the page verdict")
    decision: Literal["agree", "disagree"]
    predicted_label: str = Field(
        max_length=64, description="what the moderator reviewed: a passage label, or for target=article a verdict"
    )
    corrected_label: str | None = Field(
        None, max_length=64, description="for a disagreement: the right label (passage) or verdict (article)"
    )
    text: str = Field(min_length=1, max_length=20_000, description="the passage (or article) text reviewed")
    # Offsets into an audited article; no article the auditor accepts is longer than this, and an
    # unbounded integer would overflow the database column (a 500 found by schemathesis).
    start: int | None = Field(None, ge=0, le=MAX_OFFSET, description=OFFSETS_NOTE)
    end: int | None = Field(None, ge=0, le=MAX_OFFSET, description=OFFSETS_NOTE)
    audit_id: str | None = Field(
        None, pattern=AUDIT_ID, description="the X-Request-ID of the audit response this judges"
    )
    model_version: str | None = Field(
        None, max_length=64, description="model_version of the judged result (default: the serving model)"
    )
    article_id: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2_000)
    moderator: str | None = Field(None, max_length=200, description="who decided; one decision per target each")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "target": "passage", "decision": "disagree", "predicted_label": "advertises_cashout",
        "corrected_label": "neutral", "text": "信用卡套现违规", "start": 0, "end": 7,
        "audit_id": "3f2a9c1e0b7d4e51", "moderator": "王芳"}]})  # fmt: skip

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackRequest:
        allowed = LABELS if self.target == "passage" else VERDICTS
        if self.predicted_label not in allowed:
            raise ValueError(f"predicted_label for a {self.target} must be one of {', '.join(allowed)}")
        if self.corrected_label is not None and self.corrected_label not in allowed:
            raise ValueError(f"corrected_label for a {self.target} must be one of {', '.join(allowed)}")
        if self.decision == "disagree" and self.corrected_label is None:
            raise ValueError("a disagreement needs corrected_label")
        if self.decision == "agree" and self.corrected_label is not None:
            raise ValueError("an agreement takes no corrected_label")
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be greater than start")
        return self


class ClassifyResponse(BaseModel):
    model_version: str
    flagged: bool = Field(description="any passage flagged (OpenAI moderation style)")
    results: list[PassageResult] = Field(description="one result per text, in order")
    statutes: dict[str, Provision] = Field(
        default_factory=dict, description="full text of every provision cited in the results, once"
    )


class BatchItem(BaseModel):
    id: str
    result: ArticleResult | None = None
    error: ErrorDetail | None = Field(
        None, description="this article's error (validation, timeout); the others are unaffected"
    )


class BatchAuditResponse(BaseModel):
    model_version: str
    results: list[BatchItem]


class FeedbackResponse(BaseModel):
    id: int
    created: bool = Field(description="false when this replaced the moderator's earlier decision on the same target")


class ReadyResponse(BaseModel):
    status: Literal["ready"]
    model_version: str
    in_flight: int
    max_queue_depth: int
    saturated: bool


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
    rules_version: str = Field(description="version of the citation rules")
    claim_kinds_source: str
    evidence_method: str = Field(description="linear (exact attribution of the linear members) or occlusion")


class StatutesResponse(BaseModel):
    statutes_version: str
    rules_version: str
    statutes: dict[str, Provision] = Field(description="every provision a citation can name, by provision_id")
