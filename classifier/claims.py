"""Claim kinds of a flagged passage: a transparent rule layer over the normalized text.

Why rules and not a model head: each rule below is a readable pattern a moderator can check
against the passage, and the evaluation report measures its F1 per claim kind on the test split.
The rules only run on passages the model has already flagged; they decide *which* claim, not
*whether* there is one. A flagged passage that matches no rule gets the label's default kind.
"""

from __future__ import annotations

import re

from classifier.labels import CLAIM_KINDS

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

DEFAULT_KIND = {
    "advertises_cashout": "fake_transaction_cashout",
    "presents_withdrawal_legitimate": "personal_account_cash",
}

assert set(RULES) == set(CLAIM_KINDS), "every claim kind needs a rule"


def claim_kinds(normalized_text: str, label: str) -> list[str]:
    """Claim kinds for a passage the model labelled ``label``; empty unless it is a flag."""
    if label not in DEFAULT_KIND:
        return []
    found = [kind for kind in CLAIM_KINDS if any(p.search(normalized_text) for p in RULES[kind])]
    if label == "presents_withdrawal_legitimate":
        # Ads ("收卡", "刷卡换购物卡") are not what a withdrawal article claims; keep the kinds that
        # describe a claim about the funds themselves.
        found = [k for k in found if k not in ("card_lending", "drug_resale")] or found
    return found or [DEFAULT_KIND[label]]
