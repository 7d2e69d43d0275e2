"""Result objects returned by the library and, unchanged, by the HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from classifier.labels import CLAIM_KINDS, LABELS, SUGGESTIONS, VERDICTS

# Literal types built from classifier.labels, the one place the names are spelled out.
Label = Literal[LABELS]  # type: ignore[valid-type]
ClaimKind = Literal[CLAIM_KINDS]  # type: ignore[valid-type]
Verdict = Literal[VERDICTS]  # type: ignore[valid-type]
Suggestion = Literal[SUGGESTIONS]  # type: ignore[valid-type]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Frozen):
    """One provision a claim conflicts with, quoted from the statute file."""

    provision_id: str
    law: str
    article: str
    text: str = Field(description="exact statute text from the project's statute file")
    confidence: str = Field(description="how well the quotation was cross-checked (legal-reference.md)")
    explanation: str = Field(description="why the claim conflicts with this provision")
    claim_kinds: list[ClaimKind]


class Evidence(_Frozen):
    """A word that carried the flag: offsets into the original text, and its occlusion weight."""

    start: int = Field(ge=0)
    end: int = Field(gt=0)
    text: str
    weight: float = Field(description="drop in the flag's probability when the word is masked")

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end <= self.start:
            raise ValueError("evidence end must be after start")
        return self


class PassageResult(_Frozen):
    start: int = Field(ge=0, description="offset of the passage in the original text")
    end: int = Field(ge=0)
    text: str
    label: Label
    score: float = Field(ge=0, le=1, description="calibrated probability of the label")
    scores: dict[Label, float]
    flagged: bool
    claim_kinds: list[ClaimKind] = Field(description="from the rule layer (classifier/claims.py)")
    citations: list[Citation]
    evidence: list[Evidence]


class ArticleResult(_Frozen):
    verdict: Verdict
    suggestion: Suggestion
    confidence: float = Field(ge=0, le=1, description="probability behind the verdict")
    flagged: bool
    category_scores: dict[Label, float] = Field(description="max probability of each label over passages")
    passages: list[PassageResult]
    claim_kinds: list[ClaimKind]
    text: str = Field(description="the text the offsets refer to (extracted main text for HTML)")
    title: str | None = None
    model_version: str
    statutes_version: str
