"""Result objects returned by the library and, unchanged, by the HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from classifier.claims import ACTORS, ROUTES
from classifier.labels import CLAIM_KINDS, LABELS, REPORTED_CLAIM_KINDS, SUGGESTIONS, VERDICTS

# Literal types built from classifier.labels, the one place the names are spelled out.
Label = Literal[LABELS]  # type: ignore[valid-type]
ClaimKind = Literal[CLAIM_KINDS]  # type: ignore[valid-type]
ReportedClaimKind = Literal[REPORTED_CLAIM_KINDS]  # type: ignore[valid-type]
_ROUTE_NAMES = tuple(ROUTES)
Route = Literal[_ROUTE_NAMES]  # type: ignore[valid-type]
Actor = Literal[ACTORS]  # type: ignore[valid-type]
Verdict = Literal[VERDICTS]  # type: ignore[valid-type]
Suggestion = Literal[SUGGESTIONS]  # type: ignore[valid-type]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Frozen):
    """A provision a flagged claim conflicts with: its id and a one-line reason. The statute text
    comes once per result, in ``ArticleResult.statutes`` (or ``GET /v1/statutes``)."""

    provision_id: str = Field(description="key into the statutes map, e.g. SIL-28 (社会保险法第二十八条)")
    reason: str = Field(description="one line: why the claim conflicts with this provision")
    claim_kinds: list[ClaimKind] = Field(description="the passage's claim kinds this provision answers")


class Provision(_Frozen):
    """A statute provision, quoted from the project's statute file (built from legal-reference.md)."""

    law: str
    article: str
    text: str = Field(description="statute text copied from the project's legal reference file")
    confidence: str = Field(description="how well the quotation was cross-checked (legal-reference.md)")
    note: str | None = Field(None, description="set when the text is a reconstructed substance, not a full quotation")


class Evidence(_Frozen):
    """A word that carried the flag: offsets into the original text, and its weight."""

    start: int = Field(ge=0)
    end: int = Field(gt=0)
    text: str
    weight: float = Field(
        description="linear evidence: the word's share of the flag's log-odds; occlusion evidence: the drop "
        "in the flag's probability when the word is masked (Auditor.info() names the method)"
    )

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
    claim_kinds: list[ReportedClaimKind] = Field(
        description="claims a flagged passage makes (the model's claim head; `unspecified` when none is recognized)"
    )
    routes: list[Route] = Field(default_factory=list, description="exit routes an exit-route claim names")
    actor: Actor | None = Field(None, description="who the passage shows acting, for the penalty provisions")
    citations: list[Citation] = Field(description="at most four, Social Insurance Law first; empty unless flagged")
    evidence: list[Evidence]


class ArticleResult(_Frozen):
    verdict: Verdict
    suggestion: Suggestion
    confidence: float = Field(ge=0, le=1, description="probability behind the verdict")
    flagged: bool
    category_scores: dict[Label, float] = Field(description="max probability of each label over passages")
    passages: list[PassageResult]
    claim_kinds: list[ReportedClaimKind]
    statutes: dict[str, Provision] = Field(
        default_factory=dict, description="full text of every provision cited above, once (empty when ids only)"
    )
    text: str = Field(description="the text the offsets refer to (extracted main text for HTML)")
    title: str | None = None
    model_version: str
    statutes_version: str
    rules_version: str = Field(description="version of the citation rules (classifier/data/citation_rules.json)")
