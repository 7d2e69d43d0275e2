"""The keyword baseline. (The TF-IDF + logistic-regression baselines are the ensemble's own linear
members fitted alone, classifier/linear.py; training/evaluate.py compares them.)"""

from __future__ import annotations

import re

import numpy as np

from classifier.labels import LABEL2ID
from classifier.normalize import normalize_text

_AD = re.compile(r"回收|收购|高价收|收医保|收药|回流药|出租|租卡|刷卡换|换现金|秒到|到账|几折|\d折|手续费|代办")
_CONTACT = re.compile(r"微信|qq|电话|私信|私聊|联系|加我")
_WITHDRAW = re.compile(r"取现|提现|取出|提取|套现|变现|一次性支取|退现")
_DENY = re.compile(r"不能|不得|不可以|无法|谣言|违法|违规|禁止|严禁|处罚|诈骗|举报|不存在|并非|不是")
_MEDICAL = re.compile(r"医保|个人账户|个账|统筹")


class KeywordBaseline:
    """What a keyword filter does: ad words + a contact -> ad; withdrawal words -> claim unless denied."""

    name = "keyword rules"

    def predict(self, texts: list[str]) -> np.ndarray:
        out = []
        for raw in texts:
            text = normalize_text(raw)
            if _AD.search(text) and _CONTACT.search(text):
                label = "advertises_cashout"
            elif _MEDICAL.search(text) and _WITHDRAW.search(text):
                label = "accurate" if _DENY.search(text) else "presents_withdrawal_legitimate"
            elif _MEDICAL.search(text) and _DENY.search(text):
                label = "accurate"
            else:
                label = "neutral"
            out.append(LABEL2ID[label])
        return np.array(out)
