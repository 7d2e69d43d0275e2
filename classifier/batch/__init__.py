"""Batch auditing of crawls: `python -m classifier audit-batch INPUT... --output results.jsonl`.

Inputs: directories (recursively; pages by suffix, `.html .htm .xhtml .shtml .txt .md`, gzipped or
not, and extension-less files by content), JSONL rows (`id`, `url`, and `text`, `html` or
`markdown`), WARC/WARC.gz files (2xx HTML responses), and single files. Every input ends up
audited, skipped (with a reason) or an error (with a reason).

Modules, imported one way (run -> ray_engine -> audit/journal/readers -> rows/encoding):

- `readers`: plan the inputs, read them into documents with ids unique by construction;
- `encoding`: BOM, HTTP header, `<meta charset>`, then charset-normalizer, then GB18030;
- `audit`: what both engines do per document (prepare, build the typed row);
- `rows`: the typed rows (pydantic) of every output;
- `journal`: resume and re-run without stale results (keyed by content, model and settings);
- `run`: the run, the local engine, progress and the summary;
- `outputs`, `report` (+ `templates/`): JSONL, CSV, HTML;
- `ray_engine`: the same audit on Ray Data.
"""

from classifier.batch.readers import Document, plan_inputs, read_inputs, read_unit
from classifier.batch.run import BatchStats, run_batch

__all__ = ["BatchStats", "Document", "plan_inputs", "read_inputs", "read_unit", "run_batch"]
