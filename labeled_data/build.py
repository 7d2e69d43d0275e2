"""Build the corpus files from the hand-written sources.

    python -m labeled_data.build

Reads what the writers typed, one JSON object per line:

- ``labeled_data/source/written/<writer>/*.jsonl``: training passages and whole pages;
- ``labeled_data/challenge/source/<writer>/{passages,pages}/*.jsonl``: the challenge set, written by
  other people who never saw the training sources (see ``labeled_data/challenge/DATASHEET.md``).

Writes ``passages.jsonl`` and ``articles.jsonl`` (training corpus, split train/dev/test by family)
and ``challenge/passages.jsonl`` and ``challenge/pages.jsonl`` (split challenge-dev/challenge-test by
family, 50/50). Page text is its spans joined by newlines, so every character of a page is covered
by exactly one labelled span. Nothing is generated or recombined here: the build only assigns ids,
splits and offsets, and drops (and reports) near duplicates and training passages too close to a
challenge passage.
"""

from __future__ import annotations

import collections
import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path

from classifier.labels import FLAG_LABELS
from training import diversity
from training.data import (
    ARTICLES,
    CHALLENGE_DIR,
    CHALLENGE_LEAK_JACCARD,
    DATA_DIR,
    NEAR_DUPLICATE_JACCARD,
    PASSAGES,
    CorpusTargets,
    derive_verdict,
    long_enough,
)
from training.dedup import NearDuplicateIndex

WRITTEN = DATA_DIR / "source" / "written"
CHALLENGE_SOURCE = CHALLENGE_DIR / "source"
SECOND_PASS = CHALLENGE_DIR / "second_pass"


def _bucket(key: str) -> float:
    """A stable number in [0, 1) for a family name (so splits never move when data is added)."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) / 16**8


def corpus_split(family: str) -> str:
    b = _bucket("corpus:" + family)
    return "train" if b < 0.8 else "dev" if b < 0.9 else "test"


def challenge_split(family: str) -> str:
    return "challenge-dev" if _bucket("challenge:" + family) < 0.5 else "challenge-test"


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def script_of(text: str) -> str:
    """hans, hant or mixed, by how many characters Traditional -> Simplified conversion changes."""
    simplified = _t2s().convert(text)
    if len(simplified) != len(text):
        return "mixed"
    changed = sum(a != b for a, b in zip(text, simplified, strict=True))
    if changed == 0:
        return "hans"
    return "hant" if changed >= 3 else "mixed"


def _read(path: Path) -> list[tuple[int, dict]]:
    """(physical line number, object) for every non-blank line."""
    rows = []
    # split("\n"), not splitlines(): a JSON string may hold \x85 or \u2028, which are not line ends here.
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip():
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: invalid JSON ({exc.msg})") from exc
    return rows


def _is_page(row: dict) -> bool:
    return isinstance(row.get("spans"), list)


def _passage(row: dict, **fields) -> dict:
    text = row["text"].strip()
    coverage = sorted(set(row.get("coverage") or []))
    return {
        "id": fields.pop("id"),
        "text": text,
        "label": row["label"],
        "claim_kinds": sorted(set(row.get("claim_kinds") or [])) if row["label"] in FLAG_LABELS else [],
        "genre": row.get("genre") or fields.get("genre") or "unknown",
        "script": script_of(text),
        "hard_negative": bool(row.get("hard_negative")),
        "obfuscated": "obfuscated_ad" in coverage,
        "coverage": coverage,
        "augmented": False,
        **({"second_pass": row["second_pass"]} if "second_pass" in row else {}),
        **fields,
    }


def _standalone(row: dict, writer: str, path: Path, pid: str, split_of, source: str) -> dict:
    """A standalone passage; its family is the writer's topic slug, which decides its split."""
    family = f"{writer}:{row.get('family') or path.stem}"
    return _passage(row, id=pid, family=family, split=split_of(family), article_id=None, source=source)


def _page(row: dict, page_id: str, split: str, source: str, first_passage: int, id_prefix: str):
    spans = [dict(s, text=s["text"].strip()) for s in row["spans"] if s.get("text", "").strip()]
    text = "\n".join(s["text"] for s in spans)
    passages, cursor = [], 0
    for k, s in enumerate(spans):
        pid = f"{id_prefix}{first_passage + k:05d}"
        passages.append(
            _passage(s, id=pid, family=page_id, split=split, article_id=page_id, source=source, genre=row.get("genre"))
            | {"start": cursor, "end": cursor + len(s["text"])}
        )
        cursor += len(s["text"]) + 1
    article = {
        "id": page_id,
        "title": row.get("title") or spans[0]["text"],
        "text": text,
        "verdict": derive_verdict({s["label"] for s in spans}),
        "genre": row.get("genre") or "unknown",
        "family": page_id,
        "split": split,
        "source": source,
        "notes": row.get("notes", ""),
        "passages": [
            {
                "passage_id": p["id"],
                "start": p.pop("start"),
                "end": p.pop("end"),
                "label": p["label"],
                "claim_kinds": p["claim_kinds"],
            }
            for p in passages
        ],
    }
    return article, passages


def _files(root: Path) -> list[tuple[str, Path]]:
    return [(f.relative_to(root).parts[0], f) for f in sorted(root.rglob("*.jsonl"))]


def second_pass() -> dict[tuple, dict]:
    """The checker's corrections, keyed by (writer, file, line, span index or None)."""
    out = {}
    for path in sorted(SECOND_PASS.glob("*.jsonl")):
        for _, c in _read(path):
            out[(c["writer"], c["file"], int(c["line"]), c.get("span"))] = c
    return out


def _corrected(row: dict, fix: dict | None) -> dict:
    if fix is None:
        return row
    return dict(row, label=fix["label"], claim_kinds=fix.get("claim_kinds", []), second_pass=fix.get("reason", ""))


def build_challenge() -> tuple[list[dict], list[dict], dict]:
    passages, pages = [], []
    report = {"near_duplicates_dropped": 0, "second_pass_corrections": 0}
    fixes = second_pass()
    index = NearDuplicateIndex(NEAR_DUPLICATE_JACCARD)
    for writer, path in _files(CHALLENGE_SOURCE):
        rel = f"{path.parent.name}/{path.name}"
        for line, row in _read(path):
            source = f"challenge:{writer}:{rel}"
            if _is_page(row):
                page_id = f"ch-{row.get('id') or f'{writer}-{path.stem}-{line}'}"
                spans = [_corrected(s, fixes.get((writer, rel, line, k))) for k, s in enumerate(row["spans"])]
                report["second_pass_corrections"] += sum("second_pass" in s for s in spans)
                article, built = _page(dict(row, spans=spans), page_id, challenge_split(page_id), source, 0, "chp")
                for k, s in enumerate(built):
                    s["id"] = f"{page_id}-s{k:02d}"
                for ref, s in zip(article["passages"], built, strict=True):
                    ref["passage_id"] = s["id"]
                pages.append(article)
                passages.extend(built)
            else:
                if not index.add_if_new(row["text"]):
                    report["near_duplicates_dropped"] += 1
                    continue
                row = _corrected(row, fixes.get((writer, rel, line, None)))
                report["second_pass_corrections"] += "second_pass" in row
                pid = f"ch-{writer}-{path.parent.name}-{path.stem}-L{line}"
                passages.append(_standalone(row, writer, path, pid, challenge_split, source))
    return passages, pages, report


class RunCap:
    """Admits a text unless one of its 15-character runs (quotations aside) is already in ``limit``
    admitted texts: the sixth passage sharing a run is a template, not a new passage."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: collections.Counter = collections.Counter()

    def admit(self, text: str) -> bool:
        grams = diversity.runs_of(text)
        if any(self.counts[g] >= self.limit for g in grams):
            return False
        self.counts.update(grams)
        return True


def build_corpus(challenge_texts: list[str]) -> tuple[list[dict], list[dict], dict]:
    leak = NearDuplicateIndex(CHALLENGE_LEAK_JACCARD)
    for text in challenge_texts:
        leak.add(text)
    seen = NearDuplicateIndex(NEAR_DUPLICATE_JACCARD)
    runs = RunCap(CorpusTargets().max_passages_per_run)
    passages, articles = [], []
    report = {
        "near_duplicates_dropped": 0,
        "challenge_leaks_dropped": 0,
        "page_lines_dropped_as_leaks": 0,
        "page_lines_dropped_as_duplicates": 0,
        "dropped_for_repeated_runs": 0,
        "page_lines_dropped_for_repeated_runs": 0,
        "pages_dropped": 0,
    }
    for writer, path in _files(WRITTEN):
        for n, row in _read(path):
            source = f"written:{writer}/{path.name}"
            if _is_page(row):
                page_id = f"art-{row.get('id') or f'{writer}-{path.stem}-{n}'}"
                # A line too close to a challenge passage (often boilerplate two writers both
                # thought of) would leak it: the line leaves the page, the rest of the page stays.
                kept = [s for s in row["spans"] if not (long_enough(s["text"]) and leak.matches(s["text"]))]
                report["page_lines_dropped_as_leaks"] += len(row["spans"]) - len(kept)
                # A paragraph that repeats one of another page or passage goes too; repeats inside
                # one page (a 目录 line and its heading) stay.
                unique = [s for s in kept if not (long_enough(s["text"]) and seen.matches(s["text"]))]
                report["page_lines_dropped_as_duplicates"] += len(kept) - len(unique)
                kept = [s for s in unique if runs.admit(s["text"])]
                report["page_lines_dropped_for_repeated_runs"] += len(unique) - len(kept)
                if len(kept) < 3:
                    report["pages_dropped"] += 1
                    continue
                article, spans = _page(
                    dict(row, spans=kept), page_id, corpus_split(page_id), source, len(passages), "p"
                )
                articles.append(article)
                passages.extend(spans)
                for sp in spans:
                    if long_enough(sp["text"]) and not seen.matches(sp["text"]):
                        seen.add(sp["text"])
            else:
                text = row["text"].strip()
                if long_enough(text) and leak.matches(text):
                    report["challenge_leaks_dropped"] += 1
                    continue
                if seen.matches(text):
                    report["near_duplicates_dropped"] += 1
                    continue
                if not runs.admit(text):
                    report["dropped_for_repeated_runs"] += 1
                    continue
                seen.add(text)
                passages.append(_standalone(row, writer, path, f"p{len(passages):05d}", corpus_split, source))
    return passages, articles, report


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> int:
    ch_passages, ch_pages, ch_report = build_challenge()
    _write(CHALLENGE_DIR / "passages.jsonl", ch_passages)
    _write(CHALLENGE_DIR / "pages.jsonl", ch_pages)
    passages, articles, report = build_corpus([p["text"] for p in ch_passages])
    _write(PASSAGES, passages)
    _write(ARTICLES, articles)
    print(f"challenge: {len(ch_passages)} passages ({len(ch_pages)} pages) {ch_report}")
    print(f"corpus: {len(passages)} passages, {len(articles)} articles {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
