"""Compose the labeled corpus from our hand-written sentence pools.

    python -m labeled_data.source.compose          # writes labeled_data/passages.jsonl, articles.jsonl

Why composed: the pools (pools_*.py) are sentences we wrote, each with its label decided by the
pool it sits in. A seeded composer strings them into passages and articles in the shapes the
web uses (a group-chat ad is opener + offer + terms + contact; a misleading SEO page buries one
false route among true paragraphs). Splits are made at the sentence level *before* composing:
every pool's lines are divided 70/15/15 into train/dev/test, so no test passage contains a
sentence that any training passage contains. Near duplicates (character 5-gram Jaccard >= 0.6)
are rejected while composing, below the 0.7 the validator enforces.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from labeled_data.source import pools_accurate, pools_ads, pools_neutral, pools_presents, slots
from training.data import derive_verdict
from training.dedup import NearDuplicateIndex

OUT_DIR = Path(__file__).resolve().parent.parent
SEED = 20261122
SPLITS = ("train", "dev", "test")
SPLIT_SHARE = {"train": 0.70, "dev": 0.15, "test": 0.15}
DEDUP_THRESHOLD = 0.6

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([a-z_]+)\}")
_END_PUNCT = "。！？!?，,：:；;…"


@dataclass(frozen=True)
class Line:
    text: str
    kinds: tuple[str, ...]


@dataclass
class Scheme:
    name: str
    label: str
    genre: str
    parts: list[str]  # pool names; a leading "?" makes the part optional
    weight: float = 1.0
    obfuscate: float = 0.0  # chance that contact handles are written the way spam hides them
    hard_negative: bool = False
    joiners: tuple[str, ...] = ("",)


def _load_pools() -> dict[str, list[Line]]:
    pools: dict[str, list[Line]] = {}
    for module in (pools_ads, pools_presents, pools_accurate, pools_neutral):
        for name, block in vars(module).items():
            if not name.isupper() or not isinstance(block, str):
                continue
            lines = []
            for raw in block.splitlines():
                raw = raw.strip()
                if not raw:
                    continue
                kinds: tuple[str, ...] = ()
                if "||" in raw:
                    head, raw = raw.split("||", 1)
                    kinds = tuple(k.strip() for k in head.split(",") if k.strip())
                lines.append(Line(raw, kinds))
            pools[name] = lines
    return pools


def split_pool(name: str, lines: list[Line]) -> dict[str, list[Line]]:
    """Divide a pool's lines into train/dev/test, the same way on every run."""
    order = sorted(lines, key=lambda ln: hashlib.sha1(f"{name}|{ln.text}".encode()).hexdigest())
    n = len(order)
    n_test = max(1, round(n * SPLIT_SHARE["test"]))
    n_dev = max(1, round(n * SPLIT_SHARE["dev"]))
    return {"test": order[:n_test], "dev": order[n_test : n_test + n_dev], "train": order[n_test + n_dev :]}


AD_JOIN = ("，", " ", "\n", "！", "～", "。", " ", "，")
SCHEMES: list[Scheme] = [
    # advertises_cashout
    Scheme(
        "ad_card_chat",
        "advertises_cashout",
        "group_chat",
        ["?AD_OPEN", "AD_CARD_CORE", "?AD_TERMS", "AD_CONTACT"],
        3,
        0.5,
        joiners=AD_JOIN,
    ),
    Scheme(
        "ad_card_classified",
        "advertises_cashout",
        "classified_ad",
        ["AD_CARD_CORE", "AD_TERMS", "AD_CONTACT"],
        2,
        0.35,
        joiners=AD_JOIN,
    ),
    Scheme(
        "ad_shop_promo",
        "advertises_cashout",
        "pharmacy_promo",
        ["?AD_OPEN", "AD_SHOP_CORE", "?AD_TERMS", "AD_CONTACT"],
        2.5,
        0.4,
        joiners=AD_JOIN,
    ),
    Scheme(
        "ad_drug",
        "advertises_cashout",
        "classified_ad",
        ["?AD_OPEN", "AD_DRUG_CORE", "?AD_TERMS", "AD_CONTACT"],
        2.5,
        0.45,
        joiners=AD_JOIN,
    ),
    Scheme(
        "ad_recruit",
        "advertises_cashout",
        "recruiting_post",
        ["?AD_OPEN", "AD_RECRUIT_CORE", "?AD_TERMS", "AD_CONTACT"],
        1.5,
        0.35,
        joiners=AD_JOIN,
    ),
    Scheme("ad_short", "advertises_cashout", "comment", ["AD_SHORT"], 1.2, 0.8, joiners=AD_JOIN),
    Scheme(
        "ad_hant",
        "advertises_cashout",
        "forum_post",
        ["AD_HANT_CORE", "?AD_TERMS", "AD_HANT_CONTACT"],
        3,
        0.5,
        joiners=AD_JOIN,
    ),
    # presents_withdrawal_legitimate
    Scheme(
        "p_seo", "presents_withdrawal_legitimate", "seo_article", ["?P_SEO_OPEN", "P_SEO_CLAIM", "?P_ROUTE_DETAIL"], 2.5
    ),
    Scheme(
        "p_guide",
        "presents_withdrawal_legitimate",
        "how_to_guide",
        ["?P_GUIDE_INTRO", "P_GUIDE_STEPS", "?P_GUIDE_TAIL"],
        2.5,
    ),
    Scheme("p_route", "presents_withdrawal_legitimate", "weibo_post", ["P_ROUTE_CLAIM", "?P_ROUTE_DETAIL"], 2.5),
    Scheme("p_nonmed", "presents_withdrawal_legitimate", "wechat_moments", ["?P_SEO_OPEN", "P_NONMED"], 1.5),
    Scheme("p_pooled", "presents_withdrawal_legitimate", "forum_reply", ["P_POOLED", "?P_ROUTE_DETAIL"], 1),
    Scheme(
        "p_mixed", "presents_withdrawal_legitimate", "qa_answer", ["P_WARN_THEN", "P_BUT_ROUTE", "?P_ROUTE_DETAIL"], 2.5
    ),
    Scheme("p_qa", "presents_withdrawal_legitimate", "qa_answer", ["?N_QUESTION", "P_QA_ANSWER"], 1.5),
    Scheme("p_hant", "presents_withdrawal_legitimate", "forum_post", ["P_HANT", "?P_HANT"], 3),
    # accurate
    Scheme("c_explain", "accurate", "seo_article", ["C_EXPLAIN", "?C_USES"], 2.5),
    Scheme("c_uses", "accurate", "official_notice", ["C_USES", "?C_EXPLAIN"], 1.5),
    Scheme("c_exception", "accurate", "legal_qa", ["C_EXCEPTION", "?C_USES"], 2),
    Scheme("c_warn", "accurate", "official_notice", ["C_WARN", "?C_WARN_CONSEQ"], 2.5),
    Scheme("c_rumor", "accurate", "rumor_rebuttal", ["C_RUMOR_QUOTE", "C_REBUT"], 2),
    # A rumor reported with distancing framing, its rebuttal in the next paragraph (GUIDELINES #17).
    Scheme("c_rumor_report", "accurate", "news_report", ["C_RUMOR_QUOTE", "C_RUMOR_TAIL"], 1.2),
    Scheme("c_news", "accurate", "news_report", ["C_NEWS", "?C_NEWS_DETAIL"], 2.5),
    Scheme("c_court", "accurate", "court_case", ["C_COURT", "?C_WARN_CONSEQ"], 1.5),
    Scheme("c_lawyer", "accurate", "legal_qa", ["C_LAWYER", "?C_WARN_CONSEQ"], 1.5),
    Scheme("c_hant", "accurate", "forum_post", ["C_HANT", "?C_HANT"], 3),
    # neutral (hard negatives first)
    Scheme("n_housing", "neutral", "how_to_guide", ["N_HARD_HOUSING", "?N_HARD_HOUSING"], 1.5, hard_negative=True),
    Scheme("n_wallet", "neutral", "qa_answer", ["N_HARD_WALLET", "?N_HARD_WALLET"], 1.5, hard_negative=True),
    Scheme("n_insurance", "neutral", "legal_qa", ["N_HARD_INSURANCE", "?N_HARD_INSURANCE"], 1.2, hard_negative=True),
    Scheme(
        "n_medical",
        "neutral",
        "official_notice",
        ["N_HARD_MEDICAL_NEUTRAL", "?N_HARD_MEDICAL_NEUTRAL"],
        1.8,
        hard_negative=True,
    ),
    Scheme("n_hant", "neutral", "forum_post", ["N_HANT", "?N_HANT"], 3, hard_negative=True),
    Scheme("n_topic", "neutral", "forum_post", ["N_TOPIC", "?N_TOPIC"], 1.5),
    Scheme("n_question", "neutral", "qa_question", ["N_QUESTION", "?N_TOPIC"], 1),
    # SEO openers alone make no claim; in p_seo they precede one (contrast for the model).
    Scheme("n_seo_intro", "neutral", "seo_article", ["P_SEO_OPEN", "?N_TOPIC"], 1.2),
    Scheme("n_offtopic", "neutral", "weibo_post", ["N_OFFTOPIC", "?N_OFFTOPIC"], 1),
]
SCHEME_BY_NAME = {s.name: s for s in SCHEMES}

# Standalone passages per label; articles add their passages on top.
STANDALONE_TARGET = {
    "advertises_cashout": 580,
    "presents_withdrawal_legitimate": 660,
    "accurate": 700,
    "neutral": 520,
}

ARTICLE_TITLES = {
    "misleading": [
        "医保卡里的钱能取出来吗？全面解析{year}最新政策",
        "医保个人账户余额怎么提现？一文讲清楚",
        "{city}医保卡余额提取攻略（{year}版）",
        "退休后医保卡的钱怎么处理？看完就明白了",
        "医保卡用不完的钱别浪费，这几个用法很多人不知道",
        "辞职后医保怎么办？个人账户的钱还能用吗",
    ],
    "cashout_ad": [
        "【{city}同城】便民信息汇总",
        "{city}二手交易群每日信息",
        "求助：家里老人医保卡的问题（{n}楼）",
        "{city}本地生活服务帖，长期更新",
        "退休群里大家都在聊的事",
    ],
    "accurate": [
        "{city}市医疗保障局关于防范医保诈骗的提示",
        "医保卡能不能取现？官方回应来了",
        "警惕！“医保卡套现”背后的法律风险",
        "{city}通报{n}起欺诈骗保典型案例",
        "律师说法：出借医保卡要承担什么责任",
        "医保个人账户怎么用？这份指南请收好",
    ],
    "unrelated": [
        "{city}住房公积金提取指南（{year}年）",
        "微信、支付宝提现手续费对比",
        "商业保险退保前必须知道的几件事",
        "新参保人员医保卡激活与查询指南",
        "{city}周末生活随笔",
    ],
}

# Passage plans per article verdict: each entry is a list of slots, each slot a tuple of
# scheme names to choose from. "*" marks the body filler repeated until the article is long enough.
ARTICLE_PLANS = {
    "misleading": [
        [
            ("n_question", "n_topic"),
            ("c_explain", "c_uses"),
            ("p_route", "p_guide", "p_seo", "p_mixed", "p_nonmed", "p_pooled"),
            ("*c_uses", "*c_explain", "*n_medical", "*n_topic"),
            ("n_medical", "c_warn"),
        ],
        [
            ("n_question",),
            ("p_qa", "p_mixed"),
            ("c_explain", "c_exception"),
            ("*n_topic", "*c_uses", "*n_medical"),
            ("p_route", "p_nonmed", "n_topic"),
        ],
        [
            ("n_topic",),
            ("c_uses",),
            ("*n_medical", "*c_explain"),
            ("p_guide", "p_seo", "p_hant", "p_route"),
            ("n_medical",),
        ],
    ],
    "cashout_ad": [
        [
            ("n_offtopic", "n_topic"),
            ("ad_card_chat", "ad_shop_promo", "ad_drug"),
            ("*n_offtopic", "*n_topic", "*n_question"),
            ("ad_short", "ad_recruit", "ad_card_classified", "ad_hant"),
        ],
        [
            ("n_question",),
            ("c_warn", "n_topic"),
            ("ad_card_chat", "ad_drug", "ad_short"),
            ("*n_offtopic", "*n_wallet", "*n_topic"),
        ],
    ],
    "accurate": [
        [
            ("c_news", "c_court"),
            ("c_warn",),
            ("*c_lawyer", "*c_explain", "*n_medical", "*c_uses"),
            ("c_exception", "c_uses"),
        ],
        [("n_question",), ("c_rumor",), ("c_explain", "c_exception"), ("*c_uses", "*n_medical", "*c_warn")],
        [
            ("c_rumor_report",),
            ("c_rumor", "c_explain"),
            ("c_exception", "c_uses"),
            ("*c_warn", "*n_medical", "*c_uses"),
        ],
        [("c_explain",), ("c_uses", "c_exception"), ("*n_medical", "*c_warn", "*c_hant"), ("c_lawyer",)],
    ],
    "unrelated": [
        [
            ("n_housing", "n_wallet", "n_insurance"),
            ("*n_housing", "*n_wallet", "*n_insurance", "*n_medical", "*n_topic", "*n_offtopic"),
        ],
        [("n_medical",), ("n_question", "n_topic"), ("*n_medical", "*n_topic", "*n_hant", "*n_insurance")],
    ],
}
ARTICLE_TARGET = {"misleading": 66, "cashout_ad": 46, "accurate": 66, "unrelated": 56}


def _expand(template: str, rng: random.Random, obfuscate: bool, found: dict[str, str]) -> str:
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)

    def fill(m: re.Match[str]) -> str:
        value = slots.fill_value(m.group(1), rng, obfuscate)
        if m.group(1) in ("city", "city_hant"):
            found.setdefault("city", value)
        return value

    return _SLOT.sub(fill, text)


class Composer:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.pools = {name: split_pool(name, lines) for name, lines in _load_pools().items()}
        self.index = NearDuplicateIndex(DEDUP_THRESHOLD)
        self.rows: list[dict] = []

    def compose(self, scheme: Scheme, split: str) -> dict:
        rng = self.rng
        obfuscate = rng.random() < scheme.obfuscate
        found: dict[str, str] = {}
        pieces: list[str] = []
        kinds: set[str] = set()
        used: set[Line] = set()
        for part in scheme.parts:
            optional = part.startswith("?")
            name = part.lstrip("?")
            if optional and rng.random() < 0.45:
                continue
            options = [ln for ln in self.pools[name][split] if ln not in used] or self.pools[name][split]
            line = rng.choice(options)
            used.add(line)
            kinds.update(line.kinds)
            pieces.append(_expand(line.text, rng, obfuscate, found))
        text = pieces[0]
        for piece in pieces[1:]:
            if text[-1] in _END_PUNCT or text[-1] == "\n":
                text += piece
            elif scheme.label == "advertises_cashout":
                text += rng.choice(scheme.joiners) + piece
            else:
                text += "。" + piece
        return {
            "text": text.strip(),
            "label": scheme.label,
            "claim_kinds": sorted(kinds)
            if scheme.label in ("advertises_cashout", "presents_withdrawal_legitimate")
            else [],
            "genre": scheme.genre,
            "scheme": scheme.name,
            "split": split,
            "hard_negative": scheme.hard_negative,
            "city": found.get("city"),
        }

    def try_add(self, row: dict) -> bool:
        return self.index.add_if_new(row["text"])

    def standalone(self) -> list[dict]:
        out = []
        for label, total in STANDALONE_TARGET.items():
            schemes = [s for s in SCHEMES if s.label == label]
            weights = [s.weight for s in schemes]
            for split in SPLITS:
                target = round(total * SPLIT_SHARE[split])
                made, attempts = 0, 0
                while made < target and attempts < target * 60:
                    attempts += 1
                    scheme = self.rng.choices(schemes, weights)[0]
                    row = self.compose(scheme, split)
                    if self.try_add(row):
                        row["family"] = f"{scheme.name}/{split}"
                        out.append(row)
                        made += 1
        return out

    def articles(self) -> tuple[list[dict], list[dict]]:
        articles, members = [], []
        for verdict, total in ARTICLE_TARGET.items():
            for k in range(total):
                split = "train" if k % 20 < 14 else ("dev" if k % 20 < 17 else "test")
                article_id = f"art-{verdict}-{k:03d}"
                for _ in range(8):  # small test pools sometimes run dry; try another plan
                    made = self._article(article_id, verdict, split)
                    if made is not None:
                        break
                else:
                    continue
                article, rows = made
                articles.append(article)
                members.extend(rows)
        return articles, members

    def _article(self, article_id: str, verdict: str, split: str) -> tuple[dict, list[dict]] | None:
        rng = self.rng
        plan = rng.choice(ARTICLE_PLANS[verdict])
        found: dict[str, str] = {}
        title = _expand(rng.choice(ARTICLE_TITLES[verdict]), rng, False, found)
        rows: list[dict] = []

        def add(name: str) -> bool:
            for _ in range(40):
                row = self.compose(SCHEME_BY_NAME[name], split)
                if self.try_add(row):
                    rows.append(row)
                    return True
            return False

        filler: tuple[str, ...] = ()
        for slot in plan:
            if slot[0].startswith("*"):
                filler = tuple(s.lstrip("*") for s in slot)
                add(rng.choice(filler))
                continue
            add(rng.choice(slot))
        # Grow the body with filler passages until the article reads like a real page.
        length = len(title) + sum(len(r["text"]) + 2 for r in rows)
        goal = rng.randint(320, 900)
        while filler and length < goal:
            if not add(rng.choice(filler)):
                break
            rows.insert(rng.randint(1, max(1, len(rows) - 1)), rows.pop())
            length += len(rows[-1]["text"]) + 2
        labels = {r["label"] for r in rows}
        derived = derive_verdict(labels)
        if derived != verdict or length < 300:
            return None
        text = title
        spans = []
        for i, row in enumerate(rows):
            text += "\n\n"
            start = len(text)
            text += row["text"]
            row.update(family=article_id, article_id=article_id, genre=row["genre"])
            spans.append({"passage_id": None, "start": start, "end": len(text), "index": i})
        if not 300 <= len(text) <= 3000:
            return None
        article = {
            "id": article_id,
            "title": title,
            "text": text,
            "verdict": verdict,
            "genre": _ARTICLE_GENRE[verdict],
            "family": article_id,
            "split": split,
            "city": found.get("city"),
            "passages": spans,
        }
        return article, rows


_ARTICLE_GENRE = {
    "misleading": "seo_article",
    "cashout_ad": "forum_thread",
    "accurate": "news_report",
    "unrelated": "how_to_guide",
}


def _script(text: str) -> str:
    from classifier.normalize import _t2s

    simplified = _t2s()(text)
    if simplified == text:
        return "hans"
    changed = sum(a != b for a, b in zip(simplified, text, strict=True)) if len(simplified) == len(text) else len(text)
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "hant" if changed >= max(2, han * 0.08) else "mixed"


def _obfuscated(text: str) -> bool:
    """Whether the text hides words the way spam does (what normalize() has to undo)."""
    import unicodedata

    from classifier.normalize import normalize

    plain = unicodedata.normalize("NFKC", text).lower()
    plain = re.sub(r"\s+", " ", plain)
    norm = re.sub(r"\s+", " ", normalize(text).text)
    return _script(text) != "hans" or norm.replace(" ", "") != plain.replace(" ", "")


def build(seed: int = SEED) -> tuple[list[dict], list[dict]]:
    composer = Composer(seed)
    standalone = composer.standalone()
    articles, members = composer.articles()
    passages = []
    for i, row in enumerate(standalone + members):
        row["id"] = f"p{i:05d}"
        row.setdefault("article_id", None)
        row["script"] = _script(row["text"])
        row["obfuscated"] = _obfuscated(row["text"])
        row["augmented"] = False
        row["source"] = "composed_from_authored_pools"
        passages.append(row)
    by_article: dict[str, list[dict]] = {}
    for row in members:
        by_article.setdefault(row["article_id"], []).append(row)
    for article in articles:
        for span, row in zip(article["passages"], by_article[article["id"]], strict=True):
            span["passage_id"] = row["id"]
            span["label"] = row["label"]
            span["claim_kinds"] = row["claim_kinds"]
            del span["index"]
    return passages, articles


FIELD_ORDER = ("id", "text", "label", "claim_kinds", "genre", "family", "split", "article_id", "scheme",
               "script", "obfuscated", "hard_negative", "city", "augmented", "source")  # fmt: skip


def main() -> None:
    passages, articles = build()
    with open(OUT_DIR / "passages.jsonl", "w", encoding="utf-8") as fh:
        for row in passages:
            fh.write(json.dumps({k: row[k] for k in FIELD_ORDER}, ensure_ascii=False) + "\n")
    with open(OUT_DIR / "articles.jsonl", "w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps(article, ensure_ascii=False) + "\n")
    print(f"wrote {len(passages)} passages and {len(articles)} articles to {OUT_DIR}")


if __name__ == "__main__":
    main()
