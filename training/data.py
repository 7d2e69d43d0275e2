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
from pathlib import Path

from classifier.labels import CLAIM_KINDS, FLAG_LABELS, LABELS, VERDICTS
from training.dedup import near_duplicate_pairs

DATA_DIR = Path(__file__).resolve().parent.parent / "labeled_data"
PASSAGES = DATA_DIR / "passages.jsonl"
ARTICLES = DATA_DIR / "articles.jsonl"
SPLITS = ("train", "dev", "test")
REQUIRED = {"id": str, "text": str, "label": str, "claim_kinds": list, "genre": str, "family": str, "split": str}
NEAR_DUPLICATE_JACCARD = 0.7


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


def validate(passages: list[dict], articles: list[dict]) -> list[str]:
    """Every problem found, as readable lines; an empty list means the corpus is valid."""
    errors: list[str] = []
    ids: set[str] = set()
    family_split: dict[str, str] = {}
    for n, row in enumerate(passages, 1):
        where = f"passages.jsonl line {n} ({row.get('id', '?')})"
        for key, typ in REQUIRED.items():
            if key not in row:
                errors.append(f"{where}: missing field {key!r}")
            elif not isinstance(row[key], typ):
                errors.append(f"{where}: field {key!r} should be {typ.__name__}")
        if errors and errors[-1].startswith(where):
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
        if row["split"] not in SPLITS:
            errors.append(f"{where}: unknown split {row['split']!r}")
        if not row["text"].strip():
            errors.append(f"{where}: empty text")
        previous = family_split.setdefault(row["family"], row["split"])
        if previous != row["split"]:
            errors.append(f"{where}: family {row['family']!r} is in both {previous} and {row['split']}")
    originals = [r for r in passages if not r.get("augmented") and isinstance(r.get("text"), str)]
    for i, j, score in near_duplicate_pairs([r["text"] for r in originals], NEAR_DUPLICATE_JACCARD):
        a, b = originals[i], originals[j]
        scope = "across splits" if a.get("split") != b.get("split") else "within split"
        errors.append(f"near duplicate {scope}: {a['id']} ~ {b['id']} (5-gram Jaccard {score:.2f})")
    by_id = {r["id"]: r for r in passages if "id" in r}
    for article in articles:
        errors.extend(_validate_article(article, by_id))
    return errors


def _validate_article(article: dict, by_id: dict[str, dict]) -> list[str]:
    where = f"article {article.get('id', '?')}"
    errors = []
    for key in ("id", "text", "verdict", "split", "passages"):
        if key not in article:
            return [f"{where}: missing field {key!r}"]
    if not 300 <= len(article["text"]) <= 3000:
        errors.append(f"{where}: {len(article['text'])} characters, outside 300-3,000")
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


def datasheet_counts(passages: list[dict], articles: list[dict]) -> str:
    originals = [r for r in passages if not r.get("augmented")]
    out = [f"Produced by `python -m training.data datasheet` from data hash `{data_hash(PASSAGES, ARTICLES)}`.", ""]

    def table(title: str, counter: collections.Counter, header: str = "value") -> None:
        out.extend([f"### {title}", "", f"| {header} | passages |", "|---|---:|"])
        out.extend(f"| {k} | {v} |" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))))
        out.append("")

    out.append(f"Passages: **{len(originals)}** (augmented rows excluded); articles: **{len(articles)}**.")
    out.append("")
    out.extend(["### Label by split", "", "| label | train | dev | test | total |", "|---|---:|---:|---:|---:|"])
    for label in LABELS:
        c = collections.Counter(r["split"] for r in originals if r["label"] == label)
        out.append(f"| {label} | {c['train']} | {c['dev']} | {c['test']} | {sum(c.values())} |")
    out.append("")
    table(
        "Claim kinds (flagged passages)",
        collections.Counter(k for r in originals for k in r["claim_kinds"]),
        "claim kind",
    )
    table("Genre", collections.Counter(r["genre"] for r in originals), "genre")
    table("Script", collections.Counter(r.get("script", "?") for r in originals), "script")
    ads = [r for r in originals if r["label"] == "advertises_cashout"]
    hard = sum(1 for r in originals if r.get("hard_negative"))
    non_hans = sum(1 for r in originals if r.get("script") != "hans")
    from classifier.normalize import normalize_text

    # 廣州 and 广州 are one city: count names after Traditional -> Simplified.
    cities = sorted({normalize_text(r["city"]) for r in originals if r.get("city")})
    out.extend([
        "### Other counts",
        "",
        f"- `advertises_cashout` passages obfuscated: {sum(1 for r in ads if r.get('obfuscated'))} of {len(ads)}",
        f"- `neutral` hard negatives: {hard}",
        f"- Traditional or mixed script: {non_hans} of {len(originals)} ({non_hans / max(1, len(originals)):.1%})",
        f"- Named cities: {len(cities)}",
        f"- Families: {len({r['family'] for r in originals})}",
        "",
        "### Articles by verdict and split",
        "",
        "| verdict | train | dev | test | total | chars min-max |",
        "|---|---:|---:|---:|---:|---|",
    ])  # fmt: skip
    for verdict in VERDICTS:
        group = [a for a in articles if a["verdict"] == verdict]
        c = collections.Counter(a["split"] for a in group)
        lengths = [len(a["text"]) for a in group] or [0]
        out.append(
            f"| {verdict} | {c['train']} | {c['dev']} | {c['test']} | {len(group)} | {min(lengths)}-{max(lengths)} |"
        )
    out.append("")
    return "\n".join(out)


_BEGIN, _END = "<!-- counts:begin -->", "<!-- counts:end -->"


def write_datasheet(passages: list[dict], articles: list[dict], path: Path = DATA_DIR / "DATASHEET.md") -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(_BEGIN, 1)
    _, tail = rest.split(_END, 1)
    path.write_text(f"{head}{_BEGIN}\n{datasheet_counts(passages, articles)}\n{_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.data")
    parser.add_argument("command", choices=["validate", "datasheet"])
    parser.add_argument("--passages", type=Path, default=PASSAGES)
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    args = parser.parse_args(argv)
    passages, articles = read_jsonl(args.passages), read_jsonl(args.articles)
    if args.command == "validate":
        errors = validate(passages, articles)
        for line in errors[:200]:
            print(line, file=sys.stderr)
        if errors:
            print(f"corpus invalid: {len(errors)} problem(s)", file=sys.stderr)
            return 1
        print(f"corpus valid: {len(passages)} passages, {len(articles)} articles")
        return 0
    write_datasheet(passages, articles)
    print("DATASHEET.md counts updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
