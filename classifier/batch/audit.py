"""The per-document work both engines share: prepare a document for the model, build its row.

Preparation runs where the engine puts it (extraction processes, Ray actors); it never loads the
model. Every outcome is an `Outcome`, whichever engine produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from classifier.allocator import PeriodicTrim
from classifier.auditor import InputError, PreparedArticle, prepare_article
from classifier.batch.readers import Document
from classifier.batch.rows import CitationRef, ErrorRow, PassageRow, ResultRow, SkipRow, Statute
from classifier.schemas import ArticleResult
from classifier.segment import extract_html
from classifier.settings import AuditorSettings

TOP_PASSAGES = 3


@dataclass(frozen=True)
class Outcome:
    """What became of one document: a result row (audited now or reused), an error or a skip."""

    position: tuple[int, int]
    status: Literal["audited", "reused", "error", "skipped"]
    row: ResultRow | ErrorRow | SkipRow
    key: str | None = None  # the journal key, for audited and reused documents and audit errors
    duplicate: bool = False


def prepare_document(doc: Document, settings: AuditorSettings) -> PreparedArticle:
    """Extract (HTML), segment and normalize; raises InputError with a reason to record.

    HTML is extracted here, before the auditor's checks, so that its character limit applies to
    the extracted text rather than to markup and scripts (a 350 KB portal page is mostly script).
    """
    if doc.content is None:
        raise InputError(doc.error or "no content")
    if doc.content_type == "html":
        if "\x00" in doc.content:
            raise InputError("text contains NUL bytes; binary data is not text")
        extracted = extract_html(doc.content)
        if not extracted.text.strip():
            raise InputError("no text could be extracted from the HTML")
        return prepare_article(extracted.text, "text", settings, title=extracted.title)
    return prepare_article(doc.content, doc.content_type, settings)


def try_prepare(doc: Document, settings: AuditorSettings) -> tuple[PreparedArticle | None, str | None]:
    """(prepared, None) or (None, reason): broken input is recorded, never fatal."""
    try:
        return prepare_document(doc, settings), None
    except InputError as exc:
        return None, str(exc)
    except Exception as exc:  # a parser choking on broken HTML and the like
        return None, f"cannot extract text: {type(exc).__name__}: {exc}"


def result_row(doc: Document, result: ArticleResult) -> ResultRow:
    flagged = sorted((p for p in result.passages if p.flagged), key=lambda p: -p.score)
    top = flagged[:TOP_PASSAGES]
    return ResultRow(
        id=doc.id,
        source=doc.source,
        url=doc.url,
        duplicate_of=doc.duplicate_of,
        title=result.title,
        verdict=result.verdict,
        suggestion=result.suggestion,
        confidence=result.confidence,
        claim_kinds=result.claim_kinds,
        passages=len(result.passages),
        flagged_passages=len(flagged),
        top_label=top[0].label if top else None,
        top_score=top[0].score if top else None,
        top_flagged=[
            PassageRow(
                start=p.start,
                end=p.end,
                text=p.text,
                label=p.label,
                score=p.score,
                claim_kinds=p.claim_kinds,
                evidence=p.evidence,
                citations=[_reference(c) for c in p.citations],
            )
            for p in top
        ],
        statutes=_statutes(result, top),
        model_version=result.model_version,
        statutes_version=result.statutes_version,
    )


def _reference(citation) -> CitationRef:
    return CitationRef(provision_id=citation.provision_id, reason=citation.reason, claim_kinds=citation.claim_kinds)


def _statutes(result: ArticleResult, passages) -> dict[str, Statute]:
    """The statutes the row's passages cite, from the result (which carries each statute once)."""
    cited = {c.provision_id for p in passages for c in p.citations}
    return {
        pid: Statute(law=s.law, article=s.article, text=s.text, confidence=s.confidence)
        for pid, s in result.statutes.items()
        if pid in cited
    }


def error_outcome(doc: Document, reason: str, key: str | None = None) -> Outcome:
    row = ErrorRow(id=doc.id, source=doc.source, url=doc.url, reason=reason)
    return Outcome(doc.position, "error", row, key, doc.duplicate_of is not None)


def skip_outcome(doc: Document) -> Outcome:
    row = SkipRow(id=doc.id, source=doc.source, url=doc.url, reason=doc.skipped or "")
    return Outcome(doc.position, "skipped", row, None, doc.duplicate_of is not None)


def row_outcome(doc: Document, row: ResultRow, key: str, reused: bool) -> Outcome:
    return Outcome(doc.position, "reused" if reused else "audited", row, key, doc.duplicate_of is not None)


def journal_outcome(doc: Document, key: str, entry: dict) -> Outcome:
    """The outcome a journal entry records for a document (its row, or its audit error)."""
    if "row" in entry:
        return row_outcome(doc, entry["row"], key, reused=True)
    return error_outcome(doc, entry["error"], key)


# A batch run is as long-lived as the service, with the same heap fragmentation under changing
# tensor shapes (classifier/allocator.py); a chunk is up to a few dozen articles, so every 20th
# model call hands free memory back. Measured for the service (benchmarks/memory.py), applied here.
_TRIM = PeriodicTrim(every=20)


def audit_safely(auditor, prepared: list[PreparedArticle]) -> list[ArticleResult | str]:
    """One model call for all; if it fails, each article alone, so that one bad article is one
    error (a reason string) and its neighbours are audited."""
    if not prepared:
        return []
    try:
        return list(_TRIM.wrap(auditor.audit_prepared)(prepared))
    except Exception as exc:
        if len(prepared) == 1:
            return [f"audit failed: {type(exc).__name__}: {exc}"]
        return [r for article in prepared for r in audit_safely(auditor, [article])]
