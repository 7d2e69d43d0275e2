"""Claim kinds of a flagged passage: a transparent rule layer over the normalized text.

Each rule below is a readable pattern a moderator can check
against the passage, and the evaluation report measures its F1 per claim kind on the test split.
The rules only run on passages the model has already flagged; they decide *which* claim, not
*whether* there is one. A flagged passage that matches no rule is ``unspecified``.

The shipped model decides claim kinds with a learned head (classifier/claim_head.py), which reads
the sentence better (measured in reports/evaluation.md); the rules here remain the transparent
alternative and, for every model, name the route of an exit-route claim and the actor whose
penalty provisions an ad carries (classifier/legal.py).
"""

from __future__ import annotations

import re

from classifier.labels import CLAIM_KINDS, UNSPECIFIED_KIND, is_flag

_CASH = r"(?:取现|提现|套现|变现|退现|现金|取出|提出|提取|支取|取走|提走|弄出来|换钱|转出|t现|返现|到账)"

RULES: dict[str, list[re.Pattern[str]]] = {
    "pooled_fund_cash": [re.compile(r"统筹(?:基金|账户|部分|这块|的钱|那部分)")],
    "drug_resale": [
        re.compile(r"(?:回收|收购|收|高价收|长期收)[^，。！？\n]{0,8}药"),
        re.compile(r"回流药|卖药|药[^，。！？\n]{0,4}换(?:钱|现金)|收药|药我收|药归我|转卖药"),
    ],
    "card_lending": [
        re.compile(
            r"(?:收|收购|回收|求购|租|出租|出借|借|借用|租用|卖)[^，。！？\n]{0,6}(?:医保卡|社保卡|医保码|电子凭证|医保电子凭证|卡)"
        ),
        re.compile(r"(?:医保卡|医保码|电子凭证)[^，。！？\n]{0,6}(?:授权|借给|租给|出租|出借|回收|收购)"),
        re.compile(r"(?:有|持|拿|带)医保卡的|用你的医保卡|医保卡[^，。！？\n]{0,4}(?:跑腿|开药)"),
    ],
    "fake_transaction_cashout": [
        re.compile(r"刷[^，。！？\n]{0,8}(?:换|买|拿|返|纸巾|洗衣液|洗发水|保健品|护肤品|面膜|蛋白粉|零食)"),
        re.compile(r"(?:购物卡|超市卡|加油卡|米面油|粮油|日用品|化妆品)"),
        re.compile(r"返现|小票|票据[^，。！？\n]{0,4}(?:处理|来开)|当药开"),
    ],
    "false_exit_route": [
        re.compile(
            r"(?:离职|辞职|退休|大病|重病|重大疾病|失业|没工作|停保|断缴|不交了|换工作|换城市|没用过|没使用|没用|满\d+岁|到了\d+岁|年满\d+岁|\d+岁|绑定|关联)[^。！？\n]{0,60}"
            + _CASH
        ),
    ],
    "non_medical_use": [
        re.compile(
            r"(?:健身|养生|保健品|蛋白粉|美容|按摩|足疗|化妆品|护肤品|面膜|洗发水|洗衣液|纸巾|牛奶|日用品|生活用品|米面油|零食)"
        ),
    ],
    "personal_account_cash": [
        re.compile(r"(?:个人账户|个账|余额|医保卡里的钱|卡里的钱|账户里的钱|医保卡)[^。！？\n]{0,20}" + _CASH),
        re.compile(_CASH + r"[^。！？\n]{0,12}(?:个人账户|个账|余额)"),
        re.compile(r"(?:余额|个人账户|个账)[^，。！？\n]{0,6}(?:收|回收|收购)"),
        re.compile(r"医保[^。！？\n]{0,6}(?:套现|提现|取现|变现|t现)"),
    ],
}

assert set(RULES) == set(CLAIM_KINDS), "every claim kind needs a rule"

# Words that cancel a claim standing in the same clause ("统筹基金不能提取", "并不能取现",
# "别信能提现").
_NEGATION = re.compile(
    r"(?:不能|不可|不得|不会|无法|没法|没有|并非|不是|不允许|禁止|严禁|别信|谨防|警惕|切勿|千万别|千万不要|谣言|骗局|假的)"
)
_CLAUSE = re.compile(r"[，,。！？!?；;\n]")


def _negated(text: str, match: re.Match[str]) -> bool:
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, match.start())), default=0)
    after = _CLAUSE.search(text, match.end())
    return bool(_NEGATION.search(text, clause_start, after.start() if after else len(text)))


def rule_kinds(normalized_text: str, label: str) -> list[str]:
    """Claim kinds by the rules alone (a non-negated match in the passage), for a flagged label;
    ``unspecified`` when none matches. The shipped model uses the learned head
    (classifier/claim_head.py); these rules are its measured alternative and name routes and actors."""
    if not is_flag(label):
        return []
    found = [
        kind
        for kind in CLAIM_KINDS
        if any(not _negated(normalized_text, m) for p in RULES[kind] for m in p.finditer(normalized_text))
    ]
    if label == "presents_withdrawal_legitimate":
        # Ads ("收卡", "刷卡换购物卡") are not what a withdrawal article claims; keep the kinds that
        # describe a claim about the funds themselves.
        found = [k for k in found if k not in ("card_lending", "drug_resale")] or found
    return found or [UNSPECIFIED_KIND]


# Routes a false exit-route claim names (legal-reference.md 7(f) "per route"). Each is looked for in
# a sentence that also speaks of taking money out, so "退休后继续享受待遇" is not a retirement route.
ROUTES: dict[str, re.Pattern[str]] = {
    "retirement": re.compile(r"退休|退了休|养老"),
    "job_change": re.compile(
        r"离职|辞职|换工作|跳槽|失业|断缴|停保|停缴|不交了|没工作|离开.{0,4}(?:城市|本地)|换城市|回老家|转走|解除劳动"
    ),
    "illness": re.compile(r"大病|重病|重大疾病|癌|住院|手术|慢性病|特殊病"),
    "non_use": re.compile(r"清零|用不完|没用过|没怎么用|不用就|作废|过期|闲置|攒着|余额(?:多|太多)|年底"),
    # The mechanism, not the destination: "打到银行卡" alone names no route.
    "bank_card": re.compile(r"绑定|绑卡|绑银行卡|关联银行卡|电子凭证|医保码|零钱|余额宝"),
    "death_abroad": re.compile(r"去世|死亡|身故|过世|出国|定居|移民|出境|国外"),
}
_MONEY_OUT = re.compile(
    r"取现|提现|套现|变现|退现|现金|取出|提出|提取|提到|支取|领取|领出|取走|拿出|退还|退回|退到|退钱|返还|结算|结出|一次性|打到|打一笔|汇到|汇往|转到|转入|转出|到账|换钱|t现"
)
_SENTENCE = re.compile(r"[^。！？!?；;\n]+")

# Who acts, for the penalty provisions an ad carries (legal-reference.md 7(c)-(e)). An institution
# speaks of itself ("本店", "到店"); a pharmacy merely named as the place of a swipe is not the actor.
_INSTITUTION = re.compile(
    r"本店|我店|本药房|本药店|我们药店|我们药房|本诊所|我们诊所|本门店|我们门店|店内|店里|到店|进店|大药房|门店|直收"
    r"|欢迎选购|^.{0,3}(?:药房|药店|诊所|养生馆)"
)
_BUYING = re.compile(r"收|求购|拿来|我这|上门")
_OWN_CARD = re.compile(
    r"(?:我|爸|妈|我家|家里老人|老人|本人|自己)的?(?:医保)?(?:卡|电子凭证|医保码)|转让|出租|出借|借给|租给"
)
ACTORS = ("organizer", "institution", "drug_buyer", "individual")


def routes(normalized_text: str) -> list[str]:
    """Routes named in sentences that also speak of money coming out (none: an empty list)."""
    out = []
    for sentence in _SENTENCE.findall(normalized_text):
        if not _MONEY_OUT.search(sentence):
            continue
        out += [r for r, p in ROUTES.items() if r not in out and p.search(sentence)]
    return out


def actor(normalized_text: str, label: str, kinds: list[str]) -> str | None:
    """Who the passage shows acting, for its penalty provisions; None for an unflagged passage."""
    if not is_flag(label):
        return None
    if label == "presents_withdrawal_legitimate":
        # An article telling readers to use an agent ("找代办") points at a cash-out service.
        return "organizer" if re.search(r"代办|中介|代取|代提", normalized_text) else "individual"
    if "drug_resale" in kinds:
        # Buying drugs up is the drug buyer's offence; selling one's own is the individual's.
        return "drug_buyer" if _BUYING.search(normalized_text) else "individual"
    if _INSTITUTION.search(normalized_text) and {"fake_transaction_cashout", "non_medical_use"} & set(kinds):
        return "institution"
    if "card_lending" in kinds and _OWN_CARD.search(normalized_text) and not _BUYING.search(normalized_text):
        return "individual"
    return "organizer"
