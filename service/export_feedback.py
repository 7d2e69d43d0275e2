"""Write every stored moderator decision as JSON lines, with every field.

    python -m service.export_feedback --output feedback.jsonl
    python -m service.export_feedback --database-url postgresql+psycopg://.../medcash --output -

The database defaults to the service's own (MEDCASH_SERVICE_DATABASE_URL, else the default
SQLite file). Each row has all stored columns plus `label`: the label the decision asserts (the
corrected one for a disagreement, the predicted one for an agreement), for passage and page rows
alike. Rows for retraining are made from these after review; nothing is dropped here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from service.feedback import FeedbackStore


def export_rows(database_url: str, out: TextIO) -> int:
    rows = 0
    for fb in FeedbackStore(database_url).all():
        row = fb.to_dict()
        row["label"] = fb.corrected_label if fb.decision == "disagree" and fb.corrected_label else fb.predicted_label
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        rows += 1
    return rows


def export(database_url: str, output: Path | str) -> int:
    if str(output) == "-":
        return export_rows(database_url, sys.stdout)
    with open(output, "w", encoding="utf-8") as fh:
        return export_rows(database_url, fh)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.export_feedback", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: the service's database)")
    parser.add_argument("--output", default="-", help="JSONL file, or - for stdout (default)")
    args = parser.parse_args(argv)
    if args.database_url is None:
        from service.settings import ServiceSettings

        # The service's own setting (env or default), resolved the same way; keys are not needed here.
        args.database_url = ServiceSettings(auth_enabled=False).database_url
    count = export(args.database_url, args.output)
    print(f"exported {count} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
