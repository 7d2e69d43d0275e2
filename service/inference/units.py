"""Bounded units of model work, so a deadline can be checked between them.

An article's passages are split into runs of at most `size` passages; each run is audited as a
sub-article (same text and title, a slice of the spans) and the passage results are put back
together in order. Passage results do not depend on the other passages in a model call (the
model scores each passage on its own), so the units give the same passages as one call.
"""

from __future__ import annotations

from dataclasses import replace

from classifier import Auditor
from classifier.auditor import PreparedArticle
from classifier.schemas import ArticleResult, PassageResult


def split_article(article: PreparedArticle, size: int) -> list[PreparedArticle]:
    """Sub-articles of at most `size` passages each; an article without passages is one unit."""
    if not article.spans:
        return [article]
    return [
        replace(article, spans=article.spans[i : i + size], norms=article.norms[i : i + size])
        for i in range(0, len(article.spans), size)
    ]


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def article_from_units(
    auditor: Auditor, article: PreparedArticle, parts: list[ArticleResult], statutes: bool = True
) -> ArticleResult:
    """The whole article's result from its units' passages (the verdict rule lives in the Auditor)."""
    passages: list[PassageResult] = [p for part in parts for p in part.passages]
    return auditor.article_result(article, passages, statutes)
