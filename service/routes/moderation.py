"""/v1/classify, /v1/audit, /v1/audit/batch: the moderation endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from classifier.legal import provisions_for
from classifier.schemas import ArticleResult
from service.deps import CallerDep, EngineDep, StateDep
from service.errors import ApiError, ErrorDetail, responses
from service.schemas import (
    AuditRequest,
    BatchAuditRequest,
    BatchAuditResponse,
    BatchItem,
    ClassifyRequest,
    ClassifyResponse,
)

router = APIRouter(prefix="/v1", tags=["moderation"])
ERRORS = responses(400, 401, 413, 415, 422, 429, 503, 504)


def check_text(text: str, limit: int, where: str) -> None:
    """Refuse a text before it reaches a model call it would share with other requests."""
    if not text.strip():
        raise ApiError(422, "empty_text", f"{where} is empty or whitespace")
    if len(text) > limit:
        raise ApiError(
            422, "text_too_long", f"{where} has {len(text)} characters; the limit is {limit}", {"limit": limit}
        )
    if "\x00" in text:
        raise ApiError(422, "binary_text", f"{where} contains NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(422, "invalid_unicode", f"{where} has an unpaired surrogate at position {exc.start}") from None


@router.post("/classify", response_model=ClassifyResponse, responses=ERRORS)
async def classify(body: ClassifyRequest, _: CallerDep, engine: EngineDep, state: StateDep) -> ClassifyResponse:
    """Classify 1-64 passages; each text is one passage. Offsets in results are Unicode code points."""
    settings = state.settings
    if len(body.texts) > settings.max_texts:
        raise ApiError(422, "too_many_items", f"{len(body.texts)} texts; the limit is {settings.max_texts}",
                       {"limit": settings.max_texts})  # fmt: skip
    for i, text in enumerate(body.texts):
        check_text(text, settings.max_passage_chars, f"texts[{i}]")
    async with engine.admit() as deadline:
        results = await engine.classify(body.texts, deadline)
    state.metrics.observe_passages(results)
    return ClassifyResponse(
        model_version=engine.auditor.model.info.version,
        flagged=any(r.flagged for r in results),
        results=results,
        statutes=provisions_for(c for r in results for c in r.citations) if body.statutes else {},
    )


@router.post("/audit", response_model=ArticleResult, responses=ERRORS)
async def audit(body: AuditRequest, _: CallerDep, engine: EngineDep, state: StateDep) -> ArticleResult:
    """Audit one article: verdict, suggestion, passages with offsets (Unicode code points into `text`),
    claim kinds, citations, evidence. The response's `X-Request-ID` is the audit id feedback refers to."""
    check_text(body.text, state.settings.max_text_chars, "text")
    async with engine.admit() as deadline:
        prepared = await engine.prepare(body.text, body.content_type, deadline)
        (result,) = await engine.audit([prepared], deadline)
    if isinstance(result, ApiError):
        raise result
    state.metrics.observe_passages(result.passages)
    return result if body.statutes else result.model_copy(update={"statutes": {}})


@router.post("/audit/batch", response_model=BatchAuditResponse, responses=ERRORS)
async def audit_batch(body: BatchAuditRequest, _: CallerDep, engine: EngineDep, state: StateDep) -> BatchAuditResponse:
    """Audit up to 32 articles in one shared model pass. Each result carries the caller's id; an
    article that is refused or not finished within the timeout gets its own `error`, the rest
    keep their results."""
    settings = state.settings
    if len(body.articles) > settings.max_batch_articles:
        raise ApiError(422, "too_many_items", f"{len(body.articles)} articles; the limit is {settings.max_batch_articles}",
                       {"limit": settings.max_batch_articles})  # fmt: skip
    outcome: list[ArticleResult | ApiError | None] = [None] * len(body.articles)
    async with engine.admit() as deadline:
        prepared, where = [], []
        for n, article in enumerate(body.articles):
            try:
                check_text(article.text, settings.max_text_chars, f"article {article.id}")
                prepared.append(await engine.prepare(article.text, article.content_type, deadline))
                where.append(n)
            except ApiError as exc:
                outcome[n] = exc
                if exc.status == 504:
                    # The deadline passed while preparing: nothing after this can run.
                    for later in range(n + 1, len(body.articles)):
                        outcome[later] = exc
                    break
        for n, result in zip(where, await engine.audit(prepared, deadline) if prepared else [], strict=True):
            outcome[n] = result
    items = []
    for article, done in zip(body.articles, outcome, strict=True):
        if isinstance(done, ArticleResult):
            state.metrics.observe_passages(done.passages)
            items.append(
                BatchItem(id=article.id, result=done if article.statutes else done.model_copy(update={"statutes": {}}))
            )
        else:
            assert done is not None
            items.append(
                BatchItem(id=article.id, error=ErrorDetail(code=done.code, message=done.message, details=done.details))
            )
    return BatchAuditResponse(model_version=engine.auditor.model.info.version, results=items)
