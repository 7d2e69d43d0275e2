"""The Ray Data engine for batch auditing (`--engine ray`; `pip install '.[ray]'`).

Documents become a Ray dataset; `map_batches` runs an actor pool, each actor holding one loaded
Auditor, so a crawl spreads over every node of a cluster. Locally Ray starts in-process; set
RAY_ADDRESS (or call ray.init(address=...)) to use an existing cluster. The driver journals rows
as they stream back, so resume works exactly as with the local engine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator


class AuditActor:
    def __init__(self, model_path: str | None, settings_json: str) -> None:
        from classifier.auditor import Auditor
        from classifier.settings import AuditorSettings

        self.auditor = Auditor.load(model_path, AuditorSettings.model_validate_json(settings_json))

    def __call__(self, batch: dict) -> dict:
        from classifier.batch import Document, _prepare, _worker_init, result_row

        _worker_init(self.auditor.settings.model_dump_json())
        # Empty strings stand for None: Arrow would turn a column of None into NaN floats.
        docs = [Document(str(i), str(u) or None, str(c), str(t), str(e) or None) for i, u, c, t, e in
                zip(batch["id"], batch["url"], batch["content"], batch["content_type"], batch["error"], strict=True)]  # fmt: skip
        prepared = [_prepare(d) for d in docs]
        ok = [(doc, p) for doc, p, err in prepared if err is None]
        results = dict(zip([d.id for d, _ in ok], self.auditor.audit_prepared([p for _, p in ok]), strict=True))
        rows, errors = [], []
        for doc, _, err in prepared:
            rows.append(json.dumps(result_row(doc, results[doc.id]), ensure_ascii=False) if err is None else "")
            errors.append(err or "")
        return {"id": [d.id for d in docs], "row": rows, "error": errors}


def run_ray(docs: Iterable, model_path: str | None, settings, batch_size: int) -> Iterator[tuple]:
    import ray

    from classifier.settings import AuditorSettings

    settings = settings or AuditorSettings()
    if not ray.is_initialized():
        ray.init(address=os.environ.get("RAY_ADDRESS") or None, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)  # fmt: skip
    by_id = {}
    items = []
    for d in docs:
        by_id[d.id] = d
        items.append(
            {
                "id": d.id,
                "url": d.url or "",
                "content": d.content or "",
                "content_type": d.content_type,
                "error": d.error or "",
            }
        )
    if not items:
        return
    dataset = ray.data.from_items(items).map_batches(
        AuditActor,
        fn_constructor_kwargs={"model_path": model_path, "settings_json": settings.model_dump_json()},
        batch_size=batch_size,
        concurrency=int(os.environ.get("MEDCASH_RAY_ACTORS", "1")),
        batch_format="default",
    )
    for out in dataset.iter_rows():
        doc = by_id[out["id"]]
        if out["error"]:
            yield doc, None, out["error"]
        else:
            yield doc, json.loads(out["row"]), None
