"""The typed rows batch writes: one model per output, the same from every engine.

`ResultRow` is one line of the results JSONL (and of the journal); `ErrorRow` and `SkipRow` are
the lines of the errors and skipped files. Citations are compact references into `statutes`,
which holds each statute's full text once per document.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from classifier.schemas import ClaimKind, Evidence, Label, ReportedClaimKind, Suggestion, Verdict

ROW_FORMAT = 3  # bump when a row's shape changes: journaled rows of another format are re-audited


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitationRef(_Row):
    provision_id: str
    reason: str = Field(description="one line: why the claim conflicts with the provision")
    claim_kinds: list[ClaimKind]


class Statute(_Row):
    law: str
    article: str
    text: str
    confidence: str


class PassageRow(_Row):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    label: Label
    score: float = Field(ge=0, le=1)
    claim_kinds: list[ReportedClaimKind]
    evidence: list[Evidence]
    citations: list[CitationRef]


class ResultRow(_Row):
    id: str = Field(min_length=1)
    source: str = Field(description="the input (as given) the document came from")
    url: str | None
    duplicate_of: str | None = Field(description="the first document with the same source identity")
    title: str | None
    verdict: Verdict
    suggestion: Suggestion
    confidence: float = Field(ge=0, le=1)
    claim_kinds: list[ReportedClaimKind]
    passages: int = Field(ge=0, description="passages audited")
    flagged_passages: int = Field(ge=0)
    top_label: Label | None = Field(description="label of the highest-scoring flagged passage")
    top_score: float | None = Field(ge=0, le=1)
    top_flagged: list[PassageRow] = Field(description="up to three flagged passages, highest score first")
    statutes: dict[str, Statute] = Field(description="every statute cited above, by provision id, once")
    model_version: str
    statutes_version: str


class ErrorRow(_Row):
    id: str
    source: str
    url: str | None
    reason: str


class SkipRow(_Row):
    id: str
    source: str
    url: str | None
    reason: str
