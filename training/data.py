"""Loading and validating the labeled corpus.

python -m training.data validate      # exit 1 and a list of problems if the corpus is broken
python -m training.data datasheet     # rewrite the counts section of labeled_data/DATASHEET.md
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from classifier.labels import CLAIM_KINDS, FLAG_LABELS, LABELS, VERDICTS
from training import diversity
from training.dedup import NearDuplicateIndex, near_duplicate_pairs

DATA_DIR = Path(__file__).resolve().parent.parent / "labeled_data"
PASSAGES = DATA_DIR / "passages.jsonl"
ARTICLES = DATA_DIR / "articles.jsonl"
CHALLENGE_DIR = DATA_DIR / "challenge"
CHALLENGE_PASSAGES = CHALLENGE_DIR / "passages.jsonl"
CHALLENGE_PAGES = CHALLENGE_DIR / "pages.jsonl"
CHALLENGE_FROZEN = CHALLENGE_DIR / "FROZEN"
SPLITS = ("train", "dev", "test")
CHALLENGE_SPLITS = ("challenge-dev", "challenge-test")
REQUIRED = {
    "id": str,
    "text": str,
    "label": str,
    "claim_kinds": list,
    "genre": str,
    "family": str,
    "split": str,
    "source": str,
}
NEAR_DUPLICATE_JACCARD = 0.7
# A training passage this close to a challenge passage would leak the challenge set into training.
CHALLENGE_LEAK_JACCARD = 0.5
# Near-duplicate and leak checks skip passages this short: headings such as 相关推荐 or 三、注意事项
# recur across pages without carrying any claim.
MIN_DEDUP_CHARS = 20
MAX_PASSAGE_CHARS = 600


@dataclass(frozen=True)
class CorpusTargets:
    """The numbers issue 9 sets for the training corpus; `validate` fails below any of them."""

    min_per_label: dict = field(
        default_factory=lambda: {
            "advertises_cashout": 1000,
            "presents_withdrawal_legitimate": 1200,
            "accurate": 1400,
            "neutral": 1400,
        }
    )
    min_hard_negatives: int = 600
    max_composed_share: float = 0.30
    min_articles: int = 300
    # Pages of 600-4,000 characters count towards min_articles; shorter ones (a classified ad, a
    # short thread) are valid down to min_page_chars but are not counted.
    article_chars: tuple[int, int] = (600, 4000)
    min_page_chars: int = 200
    min_share_over_100: float = 0.30
    min_share_over_200: float = 0.10
    max_top_10gram_share: float = 0.10
    max_passages_per_run: int = 5


@dataclass(frozen=True)
class ChallengeTargets:
    min_passages: int = 800
    min_pages: int = 80
    article_chars: tuple[int, int] = (200, 4000)


def long_enough(text: str) -> bool:
    """Whether a passage is long enough for the near-duplicate and leak checks."""
    return len("".join(text.split())) >= MIN_DEDUP_CHARS


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return rows


def data_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def load_splits(path: Path = PASSAGES, include_augmented: bool = True):
    """The corpus as a `datasets.DatasetDict` keyed by the corpus' own split (never re-drawn)."""
    import datasets

    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    if not include_augmented:
        ds = ds.filter(lambda r: not r["augmented"])
    return datasets.DatasetDict({s: ds.filter(lambda r, s=s: r["split"] == s) for s in SPLITS})


def validate(passages: list[dict], articles: list[dict], targets: CorpusTargets | None = None) -> list[str]:
    """Every problem found in the training corpus, as readable lines; empty means valid."""
    targets = targets or CorpusTargets()
    errors = _validate_rows(passages, "passages.jsonl", SPLITS)
    by_id = {r["id"]: r for r in passages if "id" in r}
    for article in articles:
        errors.extend(_validate_article(article, by_id, (targets.min_page_chars, targets.article_chars[1])))
    if errors:
        return errors
    errors.extend(_check_targets(passages, articles, targets))
    return errors


def _validate_rows(passages: list[dict], name: str, splits: tuple[str, ...]) -> list[str]:
    errors: list[str] = []
    ids: set[str] = set()
    family_split: dict[str, str] = {}
    for n, row in enumerate(passages, 1):
        where = f"{name} line {n} ({row.get('id', '?')})"
        bad = [key for key, typ in REQUIRED.items() if not isinstance(row.get(key), typ)]
        if bad:
            errors.extend(f"{where}: missing or mistyped field {key!r}" for key in bad)
            continue
        if row["id"] in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(row["id"])
        if row["label"] not in LABELS:
            errors.append(f"{where}: unknown label {row['label']!r}")
        for kind in row["claim_kinds"]:
            if kind not in CLAIM_KINDS:
                errors.append(f"{where}: unknown claim kind {kind!r}")
        if row["label"] in FLAG_LABELS and not row["claim_kinds"]:
            errors.append(f"{where}: flagged passage without claim kinds")
        if row["label"] not in FLAG_LABELS and row["claim_kinds"]:
            errors.append(f"{where}: claim kinds on a passage that is not flagged")
        if row["split"] not in splits:
            errors.append(f"{where}: unknown split {row['split']!r}")
        if not row["text"].strip():
            errors.append(f"{where}: empty text")
        if len(row["text"]) > MAX_PASSAGE_CHARS:
            errors.append(f"{where}: {len(row['text'])} characters, over {MAX_PASSAGE_CHARS}")
        previous = family_split.setdefault(row["family"], row["split"])
        if previous != row["split"]:
            errors.append(f"{where}: family {row['family']!r} is in both {previous} and {row['split']}")
    # Short lines (headings, 相关推荐, a copyright line) legitimately recur across pages.
    originals = [r for r in passages if not r.get("augmented") and long_enough(r["text"])]
    for i, j, score in near_duplicate_pairs([r["text"] for r in originals], NEAR_DUPLICATE_JACCARD):
        a, b = originals[i], originals[j]
        if a.get("article_id") and a.get("article_id") == b.get("article_id"):
            continue  # a page may repeat itself (a 目录 line and the heading it points to)
        scope = "across splits" if a.get("split") != b.get("split") else "within split"
        errors.append(f"near duplicate {scope}: {a['id']} ~ {b['id']} (5-gram Jaccard {score:.2f})")
    return errors


def _check_targets(passages: list[dict], articles: list[dict], t: CorpusTargets) -> list[str]:
    """The corpus issue's numbers: written passages per label, lengths, pages, diversity."""
    errors = []
    written = [r for r in passages if r["source"].startswith("written:") and not r.get("augmented")]
    counts = collections.Counter(r["label"] for r in written)
    for label, minimum in t.min_per_label.items():
        if counts[label] < minimum:
            errors.append(f"targets: {counts[label]} written {label} passages, fewer than {minimum}")
    hard = sum(1 for r in written if r["label"] == "neutral" and r.get("hard_negative"))
    if hard < t.min_hard_negatives:
        errors.append(f"targets: {hard} hard negatives, fewer than {t.min_hard_negatives}")
    composed = sum(1 for r in passages if not r["source"].startswith("written:") and r["split"] == "train")
    train = sum(1 for r in passages if r["split"] == "train")
    if composed > t.max_composed_share * train:
        errors.append(f"targets: {composed} of {train} training passages are not individually written")
    counted = sum(t.article_chars[0] <= len(a["text"]) <= t.article_chars[1] for a in articles)
    if counted < t.min_articles:
        errors.append(
            f"targets: {counted} articles of {t.article_chars[0]}-{t.article_chars[1]} characters, "
            f"fewer than {t.min_articles}"
        )
    # Lengths are a property of standalone passages: page spans are headings and lines by design.
    d = diversity.measure([r["text"] for r in written if r["article_id"] is None])
    if d.share_over_100 < t.min_share_over_100:
        errors.append(
            f"targets: {d.share_over_100:.1%} of passages over 100 characters, under {t.min_share_over_100:.0%}"
        )
    if d.share_over_200 < t.min_share_over_200:
        errors.append(
            f"targets: {d.share_over_200:.1%} of passages over 200 characters, under {t.min_share_over_200:.0%}"
        )
    d = diversity.measure([r["text"] for r in written])
    if d.top_10gram_passage_share > t.max_top_10gram_share:
        errors.append(
            f"diversity: {d.top_10gram_passage_share:.1%} of passages contain one of the 200 most frequent "
            f"10-grams, over {t.max_top_10gram_share:.0%}"
        )
    for run, count in diversity.shared_runs([r["text"] for r in written], t.max_passages_per_run)[:20]:
        errors.append(
            f"diversity: the 15-character run {run!r} is in {count} passages (limit {t.max_passages_per_run})"
        )
    return errors


def _validate_article(article: dict, by_id: dict[str, dict], chars: tuple[int, int]) -> list[str]:
    where = f"article {article.get('id', '?')}"
    errors = []
    for key in ("id", "text", "verdict", "split", "passages"):
        if key not in article:
            return [f"{where}: missing field {key!r}"]
    if not chars[0] <= len(article["text"]) <= chars[1]:
        errors.append(f"{where}: {len(article['text'])} characters, outside {chars[0]:,}-{chars[1]:,}")
    if article["verdict"] not in VERDICTS:
        errors.append(f"{where}: unknown verdict {article['verdict']!r}")
    text = article["text"]
    cursor = None
    labels = set()
    for span in sorted(article["passages"], key=lambda s: s["start"]):
        row = by_id.get(span["passage_id"])
        if row is None:
            errors.append(f"{where}: passage {span['passage_id']} not in passages.jsonl")
            continue
        if text[span["start"] : span["end"]] != row["text"]:
            errors.append(f"{where}: span {span['start']}-{span['end']} does not hold passage {row['id']}")
        if row.get("article_id") != article["id"]:
            errors.append(f"{where}: passage {row['id']} does not name this article")
        if row["split"] != article["split"]:
            errors.append(f"{where}: passage {row['id']} is in split {row['split']}")
        if cursor is not None and text[cursor : span["start"]].strip():
            errors.append(f"{where}: text between passages at {cursor}-{span['start']} is not covered")
        cursor = span["end"]
        labels.add(row["label"])
    if cursor is not None and text[cursor:].strip():
        errors.append(f"{where}: text after the last passage is not covered")
    if article["passages"]:
        first = min(s["start"] for s in article["passages"])
        head = text[:first].strip()
        if head and head != article.get("title", "").strip():
            errors.append(f"{where}: text before the first passage is neither covered nor the title")
    expected = derive_verdict(labels)
    if expected != article["verdict"]:
        errors.append(f"{where}: verdict {article['verdict']} but passages give {expected}")
    return errors


def derive_verdict(labels: set[str]) -> str:
    if "advertises_cashout" in labels:
        return "cashout_ad"
    if "presents_withdrawal_legitimate" in labels:
        return "misleading"
    if "accurate" in labels:
        return "accurate"
    return "unrelated"


def validate_challenge(
    passages: list[dict], pages: list[dict], training: list[dict], targets: ChallengeTargets | None = None
) -> list[str]:
    """Problems in the challenge set: fields, tiling, size, the frozen hash, and leaks into training."""
    t = targets or ChallengeTargets()
    errors = _validate_rows(passages, "challenge/passages.jsonl", CHALLENGE_SPLITS)
    by_id = {r["id"]: r for r in passages if "id" in r}
    for page in pages:
        errors.extend(_validate_article(page, by_id, t.article_chars))
    standalone = sum(1 for r in passages if r.get("article_id") is None)
    if standalone < t.min_passages:
        errors.append(f"challenge: {standalone} standalone passages, fewer than {t.min_passages}")
    if len(pages) < t.min_pages:
        errors.append(f"challenge: {len(pages)} pages, fewer than {t.min_pages}")
    frozen = CHALLENGE_FROZEN.read_text(encoding="utf-8").split()[0] if CHALLENGE_FROZEN.exists() else None
    actual = challenge_hash()
    if frozen != actual:
        errors.append(f"challenge: files hash to {actual} but FROZEN says {frozen}; the challenge set is frozen")
    errors.extend(challenge_leaks(training, passages))
    return errors


def challenge_hash() -> str:
    return data_hash(CHALLENGE_PASSAGES, CHALLENGE_PAGES)


def challenge_leaks(training: list[dict], challenge: list[dict]) -> list[str]:
    """Training passages with 5-gram Jaccard >= CHALLENGE_LEAK_JACCARD to a challenge passage."""
    index = NearDuplicateIndex(CHALLENGE_LEAK_JACCARD)
    long_challenge = [r for r in challenge if long_enough(r["text"])]
    for row in long_challenge:
        index.add(row["text"])
    errors = []
    for row in training:
        if long_enough(row["text"]):
            for idx, score in index.matches(row["text"]):
                errors.append(
                    f"leak: training passage {row['id']} ~ challenge {long_challenge[idx]['id']} "
                    f"(5-gram Jaccard {score:.2f} >= {CHALLENGE_LEAK_JACCARD})"
                )
    return errors


def _table(out: list[str], title: str, counter: collections.Counter, header: str) -> None:
    out.extend([f"### {title}", "", f"| {header} | passages |", "|---|---:|"])
    out.extend(f"| {k} | {v} |" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))))
    out.append("")


def diversity_section(texts: list[str]) -> list[str]:
    d = diversity.measure(texts)
    out = ["### Length and diversity", "", "| length (characters) | passages | share |", "|---|---:|---:|"]
    out.extend(f"| {band} | {n} | {n / max(1, d.n):.1%} |" for band, n in d.bands.items())
    out.extend(
        [
            "",
            f"- Over 100 characters: {d.share_over_100:.1%}; over 200: {d.share_over_200:.1%}.",
            f"- Distinct character 5-grams per 1,000 characters: {d.distinct_5grams_per_1000_chars:.0f}.",
            f"- Passages containing one of the 200 most frequent 10-grams: {d.top_10gram_passage_share:.1%}"
            " (limit 10%).",
            f"- Most passages sharing one 15-character run (statute quotations excluded): {d.max_run_passages}"
            f" (`{d.max_run}`; limit 5).",
            "- The ten most frequent 10-grams: " + ", ".join(f"`{g}` ({c})" for g, c in d.top_10grams[:10]) + ".",
            "",
        ]
    )
    return out


def datasheet_counts(passages: list[dict], articles: list[dict]) -> str:
    out = [f"Produced by `python -m training.data datasheet` from data hash `{data_hash(PASSAGES, ARTICLES)}`.", ""]
    originals = [r for r in passages if not r.get("augmented")]
    out.append(
        f"Passages: **{len(originals)}** ({sum(r['article_id'] is None for r in originals)} standalone, "
        f"{sum(r['article_id'] is not None for r in originals)} inside articles); articles: **{len(articles)}**."
    )
    out.extend(["", "### Label by split", "", "| label | train | dev | test | total |", "|---|---:|---:|---:|---:|"])
    for label in LABELS:
        c = collections.Counter(r["split"] for r in originals if r["label"] == label)
        out.append(f"| {label} | {c['train']} | {c['dev']} | {c['test']} | {sum(c.values())} |")
    out.append("")
    hard = sum(1 for r in originals if r["label"] == "neutral" and r.get("hard_negative"))
    out.append(
        f"`neutral` hard negatives: {hard}. Traditional or mixed script (computed): "
        f"{sum(r.get('script') != 'hans' for r in originals)}. Families: {len({r['family'] for r in originals})}."
    )
    out.append("")
    out.extend(diversity_section([r["text"] for r in originals]))
    alone = diversity.measure([r["text"] for r in originals if r["article_id"] is None])
    out.extend(
        [
            "Standalone passages only (the length targets apply to them; page spans are headings and lines"
            f" by design): {alone.share_over_100:.1%} over 100 characters, {alone.share_over_200:.1%} over 200; "
            + ", ".join(f"{band} {n}" for band, n in alone.bands.items())
            + ".",
            "",
        ]
    )
    _table(
        out,
        "Claim kinds (flagged passages)",
        collections.Counter(k for r in originals for k in r["claim_kinds"]),
        "claim kind",
    )
    _table(out, "Genre", collections.Counter(r["genre"] for r in originals), "genre")
    _table(
        out,
        "Coverage items (issue 9, point 3; tagged by the writers)",
        collections.Counter(c for r in originals for c in r.get("coverage", [])),
        "coverage item",
    )
    _table(
        out,
        "Source (writer and file group)",
        collections.Counter(r["source"].split("/")[0] for r in originals),
        "source",
    )
    out.extend(
        [
            "### Articles by verdict and split",
            "",
            "| verdict | train | dev | test | total | chars min-max |",
            "|---|---:|---:|---:|---:|---|",
        ]
    )
    for verdict in VERDICTS:
        group = [a for a in articles if a["verdict"] == verdict]
        c = collections.Counter(a["split"] for a in group)
        lengths = [len(a["text"]) for a in group] or [0]
        out.append(
            f"| {verdict} | {c['train']} | {c['dev']} | {c['test']} | {len(group)} | {min(lengths)}-{max(lengths)} |"
        )
    out.append("")
    _table(out, "Articles by genre", collections.Counter(a["genre"] for a in articles), "genre")
    return "\n".join(out)


def challenge_datasheet_counts(passages: list[dict], pages: list[dict]) -> str:
    out = [f"Produced by `python -m training.data datasheet`. Frozen hash: `{challenge_hash()}`.", ""]
    out.extend(["| label | challenge-dev | challenge-test | total |", "|---|---:|---:|---:|"])
    for label in LABELS:
        c = collections.Counter(r["split"] for r in passages if r["label"] == label)
        out.append(f"| {label} | {c['challenge-dev']} | {c['challenge-test']} | {sum(c.values())} |")
    standalone = sum(r["article_id"] is None for r in passages)
    out.extend(
        ["", f"Passages: {len(passages)} ({standalone} standalone, {len(passages) - standalone} inside pages).", ""]
    )
    out.extend(["| page verdict | challenge-dev | challenge-test |", "|---|---:|---:|"])
    for verdict in VERDICTS:
        c = collections.Counter(p["split"] for p in pages if p["verdict"] == verdict)
        out.append(f"| {verdict} | {c['challenge-dev']} | {c['challenge-test']} |")
    out.append("")
    out.extend(diversity_section([r["text"] for r in passages]))
    _table(out, "Genre", collections.Counter(r["genre"] for r in passages), "genre")
    return "\n".join(out)


_BEGIN, _END = "<!-- counts:begin -->", "<!-- counts:end -->"


def _replace_counts(path: Path, counts: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(_BEGIN, 1)
    _, tail = rest.split(_END, 1)
    path.write_text(f"{head}{_BEGIN}\n{counts}\n{_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.data")
    parser.add_argument("command", choices=["validate", "datasheet", "freeze-challenge"])
    parser.add_argument("--passages", type=Path, default=PASSAGES)
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    args = parser.parse_args(argv)
    passages, articles = read_jsonl(args.passages), read_jsonl(args.articles)
    ch_passages, ch_pages = read_jsonl(CHALLENGE_PASSAGES), read_jsonl(CHALLENGE_PAGES)
    if args.command == "validate":
        errors = validate(passages, articles) + validate_challenge(ch_passages, ch_pages, passages)
        for line in errors[:200]:
            print(line, file=sys.stderr)
        if errors:
            print(f"corpus invalid: {len(errors)} problem(s)", file=sys.stderr)
            return 1
        print(
            f"corpus valid: {len(passages)} passages, {len(articles)} articles; "
            f"challenge: {len(ch_passages)} passages, {len(ch_pages)} pages, frozen"
        )
        return 0
    if args.command == "freeze-challenge":
        CHALLENGE_FROZEN.write_text(challenge_hash() + "\n", encoding="utf-8")
        print(f"challenge set frozen at {challenge_hash()}")
        return 0
    _replace_counts(DATA_DIR / "DATASHEET.md", datasheet_counts(passages, articles))
    _replace_counts(CHALLENGE_DIR / "DATASHEET.md", challenge_datasheet_counts(ch_passages, ch_pages))
    print("DATASHEET.md counts updated (corpus and challenge)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
