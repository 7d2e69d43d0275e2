"""`Auditor`: the one entry point. Load once, then classify passages or audit articles.

    from classifier import Auditor
    auditor = Auditor.load()                  # the shipped model
    auditor.classify_passages(["医保卡余额高价回收，微信xxx"])
    auditor.audit(article_text)               # or audit(html, content_type="html")

Data flows one way: raw text -> segment (offsets into the original) -> normalize (with a map
back) -> model -> claim kinds -> citations -> evidence -> verdict.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from classifier.claims import actor, routes, rule_kinds
from classifier.evidence import batched_occlusion, linear_evidence
from classifier.labels import LABEL2ID, LABELS, REPORTED_CLAIM_KINDS, is_flag
from classifier.legal import citations_for, provisions_for, rules_version, statutes_version
from classifier.memo import per_call
from classifier.model import PassageModel
from classifier.normalize import NormalizedText, normalize
from classifier.schemas import ArticleResult, PassageResult
from classifier.scoring_model import ScoringModel
from classifier.segment import Span, extract_html, segment
from classifier.settings import AuditorSettings
from classifier.verdict import Thresholds, article_verdict, decide_labels

log = logging.getLogger(__name__)
ContentType = Literal["text", "markdown", "html"]


# Least evidence weight per method when settings leave it unset: a quarter of a log-odds unit for
# linear attribution, two points of probability for occlusion.
DEFAULT_EVIDENCE_MIN_WEIGHT = {"linear": 0.25, "occlusion": 0.02}


@dataclass(frozen=True)
class PreparedArticle:
    """An article ready for the model: its text, passages and their normalized forms."""

    text: str
    title: str | None
    spans: list[Span]
    norms: list[NormalizedText]


class InputError(ValueError):
    """Input the auditor refuses, with a message fit to show the caller."""


def check_text(text: str, name: str, settings: AuditorSettings) -> None:
    """Raise InputError, naming ``name``, for a text the auditor refuses (not a string, blank, over the limit, binary)."""
    if not isinstance(text, str):
        raise InputError(f"{name} must be a string")
    if not text.strip():
        raise InputError(f"{name} is empty")
    if len(text) > settings.max_text_chars:
        raise InputError(f"{name} has {len(text)} characters; the limit is {settings.max_text_chars}")
    if "\x00" in text:
        raise InputError(f"{name} contains NUL bytes; binary data is not text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # A lone surrogate (e.g. "\udfff" from a JSON escape) is not text; OpenCC would crash on it.
        raise InputError(
            f"{name} contains an unpaired surrogate at position {exc.start}; it is not valid Unicode"
        ) from exc


def prepare_article(
    text: str, content_type: str, settings: AuditorSettings, title: str | None = None
) -> PreparedArticle:
    """The model-free half of an audit: validate, extract HTML, segment, normalize."""
    if content_type not in ("text", "markdown", "html"):
        raise InputError(f"content_type must be text, markdown or html, not {content_type!r}")
    check_text(text, "text", settings)
    if content_type == "html":
        doc = extract_html(text)
        text, title = doc.text, doc.title or title
        if not text.strip():
            raise InputError("no text could be extracted from the HTML")
    spans = segment(text, settings.max_passage_chars, markdown=content_type == "markdown")
    if len(spans) > settings.max_passages:
        raise InputError(f"article has {len(spans)} passages; the limit is {settings.max_passages}")
    return PreparedArticle(text, title, spans, [normalize(span.text(text)) for span in spans])


class Auditor:
    """The one entry point: a model plus settings; classifies passages and audits articles.

    ``model`` is anything that follows ``classifier.scoring_model.ScoringModel`` (``PassageModel``
    for a model folder, see ``Auditor.load``); settings override the model's fitted thresholds.
    """

    def __init__(self, model: ScoringModel, settings: AuditorSettings | None = None) -> None:
        self.model = model
        self.settings = settings or AuditorSettings()
        self.model.batch_size = self.settings.batch_size
        info = model.info
        # Settings override the model's fitted thresholds; an inconsistent pair fails here
        # (Thresholds validates) rather than being clamped.
        self.thresholds = Thresholds(
            review=self.settings.review_threshold
            if self.settings.review_threshold is not None
            else info.review_threshold,
            block=self.settings.block_threshold if self.settings.block_threshold is not None else info.block_threshold,
            page=dict(info.page_thresholds or {}),
        )

    @property
    def evidence_method(self) -> str:
        """``linear`` for a model with weighted linear members, else ``occlusion`` (classifier/evidence.py)."""
        weights = self.model.info.member_weights or {}
        members = getattr(self.model, "linear", {})
        return "linear" if any(w > 0 and k in members for k, w in weights.items()) else "occlusion"

    @property
    def claim_kinds_source(self) -> str:
        """Where flagged passages' claim kinds come from: the model's claim head or the rule layer."""
        if getattr(self.model, "claim_head", None) is not None:
            return "claim head (classifier/claim_head.py)"
        return "rule layer (classifier/claims.py): this model ships no claim head"

    @property
    def block_threshold(self) -> float:
        """Flag probability at which a flagged page is blocked rather than sent to review."""
        return self.thresholds.block

    @property
    def review_threshold(self) -> float:
        """Flag probability below which a passage's flag is not raised."""
        return self.thresholds.review

    @classmethod
    def load(cls, path: str | None = None, settings: AuditorSettings | None = None) -> Auditor:
        """Load a model folder (default: ``settings.model_path``, else the shipped model); raises ModelLoadError."""
        settings = settings or AuditorSettings()
        model = PassageModel.load(path or settings.model_path, quantize=settings.quantize, threads=settings.threads)
        return cls(model, settings)

    def info(self) -> dict:
        """The model's name, version and data hash, the thresholds in force, and how evidence and claim kinds are made."""
        i = self.model.info
        return {
            "name": i.name,
            "version": i.version,
            "data_hash": i.data_hash,
            "labels": list(LABELS),
            "temperature": i.temperature,
            "block_threshold": self.block_threshold,
            "review_threshold": self.review_threshold,
            "page_thresholds": self.thresholds.page,
            "member_weights": dict(i.member_weights or {}),
            "statutes_version": statutes_version(),
            "claim_kinds_source": self.claim_kinds_source,
            "evidence_method": self.evidence_method,
            "rules_version": rules_version(),
        }

    def classify_passages(self, texts: list[str], evidence: bool = True) -> list[PassageResult]:
        """One result per text; each text is taken as a single passage (long ones are read in
        overlapping windows, see classifier.model)."""
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise InputError("texts must be a list of strings")
        for i, text in enumerate(texts):
            self._check_text(text, f"texts[{i}]")
        # One model call for all passages, then per-passage claim kinds and evidence.
        norms = [normalize(t) for t in texts]
        with per_call():
            probs = self.model.predict_proba([n.text for n in norms]) if norms else np.zeros((0, len(LABELS)))
            items = [(t, Span(0, len(t)), n) for t, n in zip(texts, norms, strict=True)]
            return self._results(items, probs, evidence)

    def audit(
        self, text: str, content_type: ContentType = "text", evidence: bool = True, statutes: bool = True
    ) -> ArticleResult:
        """Segment an article, classify every passage, and derive the verdict. ``statutes=False``
        leaves out the statute texts (citations keep their ids and reasons)."""
        return self.audit_prepared([self.prepare(text, content_type)], evidence=evidence, statutes=statutes)[0]

    def prepare(self, text: str, content_type: ContentType = "text", title: str | None = None) -> PreparedArticle:
        """Validate, extract (HTML), segment and normalize an article; raises InputError."""
        return prepare_article(text, content_type, self.settings, title)

    def audit_prepared(
        self, articles: list[PreparedArticle], evidence: bool = True, statutes: bool = True
    ) -> list[ArticleResult]:
        """Audit prepared articles with one model call over all their passages (batch throughput)."""
        started = time.perf_counter()
        norms = [n for a in articles for n in a.norms]
        items = [(a.text, span, norm) for a in articles for span, norm in zip(a.spans, a.norms, strict=True)]
        with per_call():
            probs = self.model.predict_proba([n.text for n in norms]) if norms else np.zeros((0, len(LABELS)))
            passages = self._results(items, probs, evidence)
        results, offset = [], 0
        for article in articles:
            results.append(self.article_result(article, passages[offset : offset + len(article.spans)], statutes))
            offset += len(article.spans)
        log.info("audited articles", extra={"articles": len(articles), "passages": len(norms),
                                            "ms": round((time.perf_counter() - started) * 1000, 1)})  # fmt: skip
        return results

    def article_result(
        self, article: PreparedArticle, passages: list[PassageResult], statutes: bool = True
    ) -> ArticleResult:
        """An article's result (verdict, suggestion, claim kinds, statutes) from its passages'
        results, e.g. when its passages were classified in several bounded calls."""
        labels = [p.label for p in passages]
        verdict, suggestion, confidence = (
            article_verdict(labels, [p.score for p in passages], self.thresholds)
            if passages
            else ("unrelated", "pass", 1.0)
        )
        category = {label: max((p.scores[label] for p in passages), default=0.0) for label in LABELS}
        return ArticleResult(
            verdict=verdict,
            suggestion=suggestion,
            confidence=round(float(confidence), 4),
            flagged=verdict in ("cashout_ad", "misleading"),
            category_scores={k: round(float(v), 4) for k, v in category.items()},
            passages=passages,
            claim_kinds=[k for k in REPORTED_CLAIM_KINDS if any(k in p.claim_kinds for p in passages)],
            statutes=provisions_for(c for p in passages for c in p.citations) if statutes else {},
            text=article.text,
            title=article.title,
            model_version=self.model.info.version,
            statutes_version=statutes_version(),
            rules_version=rules_version(),
        )

    def _claim_kinds(self, texts: list[str], labels: list[str]) -> list[list[str]]:
        """Claim kinds of flagged passages, in one call of the model's claim head."""
        head = getattr(self.model, "claim_head", None)
        if head is None:
            return [rule_kinds(t, label) for t, label in zip(texts, labels, strict=True)]
        return head.predict(texts, labels)

    def _check_text(self, text: str, name: str) -> None:
        check_text(text, name, self.settings)

    def _results(self, items: list[tuple[str, Span, NormalizedText]], probs: np.ndarray, evidence: bool):
        """Passage results: decided labels, claim kinds, citations, and (batched) evidence."""
        labels = [LABELS[i] for i in decide_labels(probs, self.review_threshold)] if len(items) else []
        flagged = [i for i, label in enumerate(labels) if is_flag(label)]
        top_k = self.settings.evidence_top_k if evidence else 0
        min_weight = self.settings.evidence_min_weight
        if min_weight is None:
            min_weight = DEFAULT_EVIDENCE_MIN_WEIGHT[self.evidence_method]
        limits = (top_k, self.settings.evidence_max_words, min_weight)
        if self.evidence_method == "linear":
            info = self.model.info
            found = linear_evidence(
                getattr(self.model, "linear", {}),
                info.member_weights or {},
                info.temperature,
                [(items[i][2], LABEL2ID[labels[i]], probs[i], items[i][1].start) for i in flagged],
                *limits,
            )
        else:
            found = batched_occlusion(
                self.model.predict_proba,
                self.model.tokenizer.mask_token,
                [
                    (items[i][2], LABEL2ID[labels[i]], float(probs[i, LABEL2ID[labels[i]]]), items[i][1].start)
                    for i in flagged
                ],
                *limits,
            )
        evidence_of = dict(zip(flagged, found, strict=True))
        kinds_of = dict(
            zip(
                flagged,
                self._claim_kinds([items[i][2].text for i in flagged], [labels[i] for i in flagged]),
                strict=True,
            )
        )
        out = []
        for i, ((text, span, norm), p, label) in enumerate(zip(items, probs, labels, strict=True)):
            kinds = kinds_of.get(i, [])
            passage_routes = routes(norm.text) if "false_exit_route" in kinds else []
            passage_actor = actor(norm.text, label, kinds) if is_flag(label) else None
            out.append(
                PassageResult(
                    start=span.start,
                    end=span.end,
                    text=span.text(text),
                    label=label,
                    score=round(float(p[LABEL2ID[label]]), 4),
                    scores={name: round(float(p[j]), 4) for j, name in enumerate(LABELS)},
                    flagged=is_flag(label),
                    claim_kinds=kinds,
                    routes=passage_routes,
                    actor=passage_actor,
                    citations=citations_for(label, kinds, passage_routes, passage_actor),
                    evidence=evidence_of.get(i, []),
                )
            )
        return out
