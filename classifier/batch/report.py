"""The HTML report: a Jinja2 template (autoescaped), self-contained (inline CSS, JS and SVG).

An index of every audited document (passed ones too), sortable and filterable, with verdict,
confidence, claim kinds and a link to the source (http and https only); a collapsible section per
document with its flagged passages, evidence underlined, and each cited statute once; the skipped
inputs and errors with their reasons.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit

from classifier.batch.rows import ErrorRow, PassageRow, ResultRow, SkipRow
from classifier.labels import REPORTED_CLAIM_KINDS, VERDICTS

VERDICT_COLORS = {"cashout_ad": "#b00020", "misleading": "#e65100", "accurate": "#2e7d32", "unrelated": "#607d8b"}


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("classifier.batch", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True), undefined=StrictUndefined)  # fmt: skip
    env.filters["href"] = safe_href
    return env


def safe_href(url: str | None) -> str | None:
    """The URL when it is http(s); anything else (javascript:, data:, relative) is not linked."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def marked(passage: PassageRow) -> list[tuple[str, bool]]:
    """The passage text cut into (text, is evidence) pieces."""
    pieces, cursor = [], 0
    for ev in sorted(passage.evidence, key=lambda e: e.start):
        a, b = ev.start - passage.start, ev.end - passage.start
        if a < cursor or b > len(passage.text):
            continue  # overlapping or outside the passage: keep the text whole
        pieces += [(passage.text[cursor:a], False), (passage.text[a:b], True)]
        cursor = b
    pieces.append((passage.text[cursor:], False))
    return [(text, ev) for text, ev in pieces if text]


def bars(counts: dict[str, int], colors: dict[str, str] | None = None) -> list[dict]:
    top = max(counts.values(), default=0) or 1
    return [{"name": name, "count": n, "width": round(300 * n / top, 1), "color": (colors or {}).get(name, "#5c6bc0")}
            for name, n in counts.items()]  # fmt: skip


def render_report(rows: list[ResultRow], errors: list[ErrorRow], skipped: list[SkipRow], summary: str) -> str:
    verdicts = {v: sum(1 for r in rows if r.verdict == v) for v in VERDICTS}
    kinds = {k: sum(1 for r in rows if k in r.claim_kinds) for k in REPORTED_CLAIM_KINDS}
    digest = hashlib.sha256("".join(r.model_dump_json() for r in rows).encode()).hexdigest()[:12]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            rows=rows,
            errors=errors,
            skipped=skipped,
            skip_reasons=Counter(s.reason for s in skipped).most_common(),
            summary=summary,
            digest=digest,
            verdict_bars=bars(verdicts, VERDICT_COLORS),
            kind_bars=bars(kinds),
            verdict_colors=VERDICT_COLORS,
            verdicts=VERDICTS,
            marked=marked,
            model_versions=sorted({r.model_version for r in rows}),
        )
    )
