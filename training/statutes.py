"""Build classifier/data/statutes.json from the project's legal reference file.

    python -m training.statutes ../shared/legal-reference.md

The statute texts are copied character for character from the quotation blocks of the reference
file (never retyped), together with the confidence the file gives them. Only the provisions the
claim-kind mapping (its section 7) uses are extracted.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "classifier" / "data" / "statutes.json"

SIL = "中华人民共和国社会保险法"
REG = "医疗保障基金使用监督管理条例"
SIOR = "社会保险经办条例"
CL = "中华人民共和国刑法"
NPCSC = "全国人民代表大会常务委员会关于《中华人民共和国刑法》第二百六十六条的解释"
DRUG2022 = "最高人民法院、最高人民检察院关于办理危害药品安全刑事案件适用法律若干问题的解释（2022）"
GOV14 = "国务院办公厅关于建立健全职工基本医疗保险门诊共济保障机制的指导意见（国办发〔2021〕14号）"

# key: (law, section of the reference file that holds it, article as printed, paragraph or None,
#       confidence as the reference file states it, short name)
WANTED = {
    "SIL-27": (SIL, "## 1.", "第二十七条", None, "high"),
    "SIL-28": (SIL, "## 1.", "第二十八条", None, "high"),
    "SIL-29": (SIL, "## 1.", "第二十九条", 1, "high"),
    "SIL-32": (SIL, "## 1.", "第三十二条", None, "high"),
    "SIL-64-2": (SIL, "## 1.", "第六十四条", 2, "high"),
    "SIL-87": (SIL, "## 1.", "第八十七条", None, "high"),
    "SIL-88": (SIL, "## 1.", "第八十八条", None, "high"),
    "SIL-91": (SIL, "## 1.", "第九十一条", None, "high"),
    "SIL-94": (SIL, "## 1.", "第九十四条", None, "high"),
    "REG-8": (REG, "## 2.", "第八条", None, "medium-high"),
    "REG-15": (REG, "## 2.", "第十五条", 1, "medium-high"),
    "REG-17": (REG, "## 2.", "第十七条", None, "high"),
    "REG-19": (REG, "## 2.", "第十九条", None, "high"),
    "REG-20": (REG, "## 2.", "第二十条", None, "medium-high"),
    "REG-21": (REG, "## 2.", "第二十一条", None, "medium-high"),
    "REG-38": (REG, "## 2.", "第三十八条", None, "medium-high"),
    "REG-40": (REG, "## 2.", "第四十条", None, "high"),
    "REG-41": (REG, "## 2.", "第四十一条", None, "high"),
    "REG-44": (REG, "## 2.", "第四十四条", None, "medium-high"),
    "SIOR-13": (SIOR, "### 5.3", "第十三条", 1, "medium"),
    "SIOR-55": (SIOR, "### 5.3", "第五十五条", None, "medium"),
    "CL-266": (CL, "### 3.1", "第二百六十六条", None, "high"),
    "CL-312": (CL, "### 3.4", "第三百一十二条", 1, "high"),
}
# Quotations in the reference that carry no article header.
UNHEADED = {
    "NPCSC-2014": (NPCSC, "### 3.2", "以欺诈、伪造证明材料", "解释（2014年4月24日）", "high"),
    "GOV14-5": (GOV14, "### 5.1", "个人账户主要用于支付", "（五）规范个人账户使用范围", "medium"),
}
# Provisions the reference gives only as a reconstructed substance (its full text was not read):
# key -> (law, section, article, confidence, note shown with the text).
SUBSTANCE = {
    "DRUG2022-13": (
        DRUG2022,
        "### 3.5",
        "第十三条",
        "medium",
        "要旨：据多处逐字部分引文重建，非全文；“指使、教唆、授意”一句的措辞未经核实（legal-reference.md 3.5）",
    ),
}
_CN_PARA = "一二三四五六七八九十"


def _section(text: str, heading: str) -> str:
    start = text.index("\n" + heading)
    level = heading.split(" ")[0]
    nxt = re.search(rf"\n{re.escape(level)} ", text[start + 1 :])
    return text[start : start + 1 + nxt.start()] if nxt else text[start:]


def _quote_blocks(section: str) -> list[list[str]]:
    """Consecutive '>' lines, as a list of paragraphs per block."""
    blocks, current = [], []
    for line in section.splitlines():
        if line.startswith(">"):
            current.append(line[1:].strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [[p for p in block if p] for block in blocks]


def build(reference: Path) -> dict:
    text = reference.read_text(encoding="utf-8")
    provisions = {}
    for key, (law, heading, article, paragraph, confidence) in WANTED.items():
        for block in _quote_blocks(_section(text, heading)):
            head = f"**{article}**"
            if block and block[0].startswith(head):
                paragraphs = [block[0][len(head) :].strip(), *block[1:]]
                break
        else:
            raise SystemExit(f"{key}: {article} not found under {heading}")
        if paragraph is not None:
            body = paragraphs[paragraph - 1]
            cited = f"{article}第{_CN_PARA[paragraph - 1]}款"
        else:
            body = "\n".join(paragraphs)
            cited = article
        provisions[key] = {"law": law, "article": cited, "text": body, "confidence": confidence}
    for key, (law, heading, starts, article, confidence) in UNHEADED.items():
        for block in _quote_blocks(_section(text, heading)):
            if block and block[0].startswith(starts):
                provisions[key] = {"law": law, "article": article, "text": "\n".join(block), "confidence": confidence}
                break
        else:
            raise SystemExit(f"{key}: quotation starting {starts!r} not found under {heading}")
    for key, (law, heading, article, confidence, note) in SUBSTANCE.items():
        lines = [line for line in _section(text, heading).splitlines() if line.startswith("- Substance: ")]
        if len(lines) != 1:
            raise SystemExit(f"{key}: expected one '- Substance:' line under {heading}, found {len(lines)}")
        body = lines[0].removeprefix("- Substance: ").strip()
        provisions[key] = {"law": law, "article": article, "text": body, "confidence": confidence, "note": note}
    return {
        "source": "shared/legal-reference.md (project legal reference file)",
        "source_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        "version": hashlib.sha256(json.dumps(provisions, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12],
        "provisions": provisions,
    }


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    reference = Path(args[0] if args else "../shared/legal-reference.md")
    data = build(reference)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(data['provisions'])} provisions to {OUT} (version {data['version']})")


if __name__ == "__main__":
    main()
