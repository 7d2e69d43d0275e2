"""Pages, WARC writing and output readers shared by the batch tests."""

from __future__ import annotations

import io
import json
from pathlib import Path

AD = (
    "<html><head><title>便民信息</title></head><body><article><p>高价回收医保卡，余额八五折，微信ab123，"
    "当天到账。</p></article></body></html>"
)
TRUE = "医保卡里的钱不能提现，只能用于看病买药。"


def write_warc(path: Path, records, gzip: bool = True) -> None:
    """records: (url, body bytes or str, content type[, status line[, warc date]])."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        for url, body, ctype, *rest in records:
            status = rest[0] if rest else "200 OK"
            data = body.encode("utf-8") if isinstance(body, str) else body
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": rest[1]} if len(rest) > 1 else None
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(data), http_headers=headers, warc_headers_dict=warc_headers
            )
            writer.write_record(record)


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
