"""Turn stored moderator decisions into corpus rows for retraining.

    python -m training.export_feedback --database-url sqlite:///medcash_feedback.db --output feedback.jsonl

Passage decisions become rows with the corrected label (or the agreed label). They go to the
train split in a family of their own; review them and give flagged rows claim kinds before
merging them into labeled_data/.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from classifier.labels import LABELS


def export(database_url: str, output: Path) -> int:
    from service.feedback import FeedbackStore

    rows = 0
    with open(output, "w", encoding="utf-8") as fh:
        for fb in FeedbackStore(database_url).all():
            if fb.target != "passage":
                continue
            label = fb.corrected_label if fb.decision == "disagree" else fb.predicted_label
            if label not in LABELS:
                continue
            fh.write(json.dumps({
                "id": f"feedback-{fb.id}", "text": fb.text, "label": label, "claim_kinds": [],
                "genre": "moderator_feedback", "family": f"feedback/{fb.id}", "split": "train",
                "article_id": fb.article_id, "augmented": False, "source": "moderator_feedback",
                "needs_review": True, "note": fb.note, "model_version": fb.model_version,
            }, ensure_ascii=False) + "\n")  # fmt: skip
            rows += 1
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.export_feedback")
    parser.add_argument("--database-url", default="sqlite:///medcash_feedback.db")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    print(f"exported {export(args.database_url, args.output)} rows to {args.output}")


if __name__ == "__main__":
    main()
