"""Legal annotation: the provisions a flagged claim conflicts with, quoted from statutes.json.

Citations follow the claim kind (legal-reference.md section 7, "core" rows), Social Insurance
Law first, then the regulation, then the State Council operating regulation, criminal law and
policy. Each citation carries one sentence saying why the claim conflicts with it.
Social Insurance Law article 14 (pension chapter) is deliberately absent: it governs the
pension personal account, not the medical one.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from classifier.schemas import Citation

STATUTES_FILE = Path(__file__).resolve().parent / "data" / "statutes.json"

# Order of laws in a citation list.
_LAW_RANK = {"SIL": 0, "REG": 1, "SIOR": 2, "CL": 3, "NPCSC": 4, "GOV14": 5}

# claim kind -> [(provision key, why this claim conflicts with it)]
CLAIM_PROVISIONS: dict[str, list[tuple[str, str]]] = {
    "personal_account_cash": [
        ("SIL-28", "基本医疗保险基金只支付符合规定的医疗费用，个人账户资金不能作为现金领取、用于一般消费。"),
        ("SIL-64-2", "医保基金专款专用，把个人账户的钱提取为现金属于把基金挪作他用。"),
        ("REG-8", "医保基金的使用必须在国家规定的支付范围内，提现不在任何支付范围之中。"),
        ("REG-21", "条例重申医疗保障基金专款专用，任何个人不得侵占或者挪用。"),
        ("GOV14-5", "国家规定个人账户用于支付本人及家人的医疗自付费用，没有提取现金的途径。"),
    ],
    "pooled_fund_cash": [
        ("SIL-28", "统筹基金只支付符合目录的医疗费用，不存在由个人提取的额度。"),
        ("SIL-29", "统筹基金应付部分由经办机构与医院、药店直接结算，不经过参保人之手，更不能提现。"),
        ("SIL-64-2", "社会保险基金专款专用，任何组织和个人不得侵占或者挪用统筹基金。"),
        ("REG-8", "统筹基金的支付范围由国家规定，提现不在其中。"),
        ("REG-21", "医疗保障基金专款专用，统筹基金不能被个人领取。"),
    ],
    "fake_transaction_cashout": [
        ("SIL-87", "药店、诊所以刷卡换现金、换购物卡等虚假交易骗取基金支出的，须退回并处二至五倍罚款、解除服务协议。"),
        ("SIL-88", "参保人通过虚假交易骗取医保待遇的，须退回并处二至五倍罚款。"),
        ("SIL-94", "刷卡套现构成犯罪的，依法追究刑事责任，不只是行政违规。"),
        ("REG-15", "定点医药机构不得串换药品或诱导、协助他人虚假购药，刷卡换物正是串换。"),
        ("REG-20", "虚构医药服务项目、伪造票据骗取医保基金，对参保人同样禁止。"),
        ("REG-40", "定点医药机构以虚开单据、虚构服务骗取基金的，处二至五倍罚款并暂停或解除协议。"),
        ("REG-41", "个人以骗取基金为目的参与套现的，除退回外还要处二至五倍罚款。"),
        ("CL-266", "骗取医保基金按诈骗罪追究刑事责任。"),
        ("NPCSC-2014", "全国人大常委会解释明确：骗取医疗保险金属于刑法第二百六十六条规定的诈骗公私财物。"),
    ],
    "drug_resale": [
        ("SIL-88", "利用医保待遇购药转卖换钱属于骗取社会保险待遇，须退回并处二至五倍罚款。"),
        ("REG-19", "参保人不得利用医保待遇转卖药品、接受返还现金，定点医药机构也不得为此提供便利。"),
        ("REG-41", "转卖医保药品的个人会被暂停联网结算三至十二个月，以骗保为目的的还要罚款。"),
        ("CL-312", "明知是骗保所得药品而收购、销售的，可构成掩饰、隐瞒犯罪所得罪。"),
        ("CL-266", "组织、指使他人骗保购药再回收的，以诈骗罪论处。"),
        ("NPCSC-2014", "骗取医疗保险待遇属于诈骗公私财物的行为。"),
    ],
    "card_lending": [
        ("SIL-88", "冒用他人医保卡就医购药属于骗取社会保险待遇，须退回并处二至五倍罚款。"),
        (
            "REG-17",
            "参保人应当持本人医疗保障凭证就医购药，并妥善保管、防止他人冒名使用；出借、出租、出售都违反这一义务。",
        ),
        (
            "REG-41",
            "把本人医保凭证交由他人冒名使用的，暂停联网结算三至十二个月；使用他人凭证冒名就医购药的，另处二至五倍罚款。",
        ),
        ("CL-266", "收购、租用他人医保卡冒名购药骗取基金的，按诈骗罪追究刑事责任。"),
        ("NPCSC-2014", "骗取医疗保险金或其他社会保障待遇属于诈骗公私财物的行为。"),
    ],
    "false_exit_route": [
        ("SIL-27", "退休只免除继续缴费的义务，参保人继续按规定享受医保待遇，并没有把余额领取为现金的规定。"),
        ("SIL-32", "跨地区就业时医保关系随本人转移，账户跟着转，不是结清取现。"),
        ("SIL-28", "大病、失业或长期未用都不会改变基金只支付医疗费用的规定。"),
        ("SIOR-13", "职工医保关系随同转移，离职、换城市不产生提现的权利。"),
        ("GOV14-5", "个人账户只用于医疗自付费用和家庭共济，国家政策中没有离职、退休或大病提现的途径。"),
    ],
    "non_medical_use": [
        ("SIL-28", "医保基金只支付符合目录的医疗费用，日用品、保健品、健身不在其列。"),
        ("REG-8", "医保基金的使用必须在规定支付范围内，非医疗消费不在范围内。"),
        ("REG-15", "药店把日用品、保健品当作药品结算属于串换，被条例明令禁止。"),
        ("GOV14-5", "国家明文规定个人账户不得用于体育健身、养生保健等不属于基本医疗保险保障范围的支出。"),
    ],
}


@lru_cache(maxsize=1)
def load_statutes(path: str | None = None) -> dict:
    with open(path or STATUTES_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    missing = {key for rows in CLAIM_PROVISIONS.values() for key, _ in rows} - set(data["provisions"])
    if missing:
        raise ValueError(f"statute file lacks provisions {sorted(missing)}")
    return data


def statutes_version() -> str:
    return load_statutes()["version"]


def citations_for(claim_kinds: list[str]) -> list[Citation]:
    """The citations for a passage's claim kinds: deduplicated, Social Insurance Law first."""
    provisions = load_statutes()["provisions"]
    chosen: dict[str, Citation] = {}
    for kind in claim_kinds:
        for key, why in CLAIM_PROVISIONS.get(kind, ()):
            if key in chosen:
                if kind not in chosen[key].claim_kinds:
                    chosen[key].claim_kinds.append(kind)
                continue
            p = provisions[key]
            chosen[key] = Citation(
                provision_id=key,
                law=p["law"],
                article=p["article"],
                text=p["text"],
                confidence=p["confidence"],
                explanation=why,
                claim_kinds=[kind],
            )
    return sorted(chosen.values(), key=_order)


def _order(citation: Citation) -> tuple[int, int]:
    law, _, number = citation.provision_id.partition("-")
    first = number.split("-")[0]
    return _LAW_RANK.get(law, 99), int(first) if first.isdigit() else 0
