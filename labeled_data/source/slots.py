"""Slot fillers for the corpus composer: cities, handles, prices, drugs and so on.

Everything here is written by us. Phone numbers are masked in the middle (138****6620), the way
many real posts show them, so no composed passage carries a real person's full number.
"""

from __future__ import annotations

import random

CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "天津",
    "重庆",
    "成都",
    "武汉",
    "西安",
    "杭州",
    "南京",
    "苏州",
    "郑州",
    "长沙",
    "济南",
    "青岛",
    "沈阳",
    "大连",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "合肥",
    "南昌",
    "福州",
    "厦门",
    "泉州",
    "南宁",
    "昆明",
    "贵阳",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "呼和浩特",
    "海口",
    "三亚",
    "宁波",
    "温州",
    "无锡",
    "东莞",
    "佛山",
    "珠海",
    "中山",
    "惠州",
    "汕头",
    "洛阳",
    "徐州",
    "烟台",
    "潍坊",
    "保定",
    "唐山",
    "威海",
    "绵阳",
    "宜昌",
    "襄阳",
    "赣州",
    "柳州",
    "桂林",
    "遵义",
    "常州",
    "南通",
    "扬州",
    "芜湖",
    "临沂",
    "邯郸",
    "包头",
    "大庆",
]

# The same cities as a Taiwanese or Hong Kong writer, or an old-style poster, would type them.
CITIES_HANT = [
    "北京",
    "上海",
    "廣州",
    "深圳",
    "天津",
    "重慶",
    "成都",
    "武漢",
    "西安",
    "杭州",
    "南京",
    "蘇州",
    "鄭州",
    "長沙",
    "濟南",
    "青島",
    "瀋陽",
    "大連",
    "廈門",
    "福州",
    "東莞",
    "佛山",
    "珠海",
    "中山",
    "惠州",
    "汕頭",
    "溫州",
    "無錫",
    "寧波",
    "昆明",
    "貴陽",
    "蘭州",
]

DRUGS = [
    "阿托伐他汀",
    "瑞舒伐他汀",
    "氨氯地平",
    "硝苯地平控释片",
    "二甲双胍",
    "阿卡波糖",
    "格列美脲",
    "胰岛素笔芯",
    "恩替卡韦",
    "替格瑞洛",
    "氯吡格雷",
    "利伐沙班",
    "甲钴胺",
    "缬沙坦",
    "厄贝沙坦",
    "安宫牛黄丸",
    "片仔癀",
    "达格列净",
    "西格列汀",
    "奥美拉唑",
    "孟鲁司特",
    "来氟米特",
    "骨化三醇",
    "复方丹参滴丸",
]

BANKS = ["工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "邮储银行", "交通银行", "农商银行"]
SURNAMES = [
    "张",
    "王",
    "李",
    "赵",
    "刘",
    "陈",
    "杨",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "胡",
    "朱",
    "高",
    "林",
    "何",
    "郭",
    "马",
    "罗",
    "梁",
    "宋",
    "郑",
    "谢",
    "韩",
    "唐",
    "冯",
    "于",
    "董",
    "萧",
]
TITLES = ["女士", "先生", "阿姨", "大爷", "师傅", "老人"]
SHOP_GOODS = [
    "米面油",
    "洗衣液",
    "化妆品",
    "购物卡",
    "超市卡",
    "蛋白粉",
    "保健品",
    "纸巾",
    "牛奶",
    "鸡蛋",
    "加油卡",
    "手机话费",
    "日用品",
]
APPS = ("国家医保服务平台App", "支付宝医保小程序", "微信医保电子凭证", "本地医保公众号", "掌上12333")
CN_DIGITS = "零一二三四五六七八九"
CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
FULLWIDTH = "０１２３４５６７８９"
_LETTERS = "abcdefghjkmnpqrstuvwxyz"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _wechat_id(rng: random.Random) -> str:
    head = "".join(rng.choice(_LETTERS) for _ in range(rng.randint(2, 5)))
    return head + _digits(rng, rng.randint(3, 6))


def _masked_phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + _digits(rng, 1) + "****" + _digits(rng, 4)


def _obfuscated_number(rng: random.Random, digits: str) -> str:
    style = rng.random()
    if style < 0.3:
        return "".join(CN_DIGITS[int(d)] for d in digits)
    if style < 0.55:
        return "".join(CIRCLED[int(d)] for d in digits)
    if style < 0.8:
        return "".join(FULLWIDTH[int(d)] for d in digits)
    cut = rng.randint(2, len(digits) - 2)
    return digits[:cut] + rng.choice(["\n", " ", "-", "·"]) + digits[cut:]


def handle(rng: random.Random, obfuscate: bool) -> str:
    """A contact line as spam writes it."""
    if not obfuscate:
        kind = rng.random()
        if kind < 0.45:
            return (
                rng.choice(["微信", "微信号", "加微信", "VX", "V信"]) + rng.choice(["：", ":", " "]) + _wechat_id(rng)
            )
        if kind < 0.7:
            return rng.choice(["QQ", "扣扣", "QQ号"]) + rng.choice(["：", ":"]) + _digits(rng, rng.randint(8, 10))
        if kind < 0.9:
            return rng.choice(["电话", "手机", "热线", "联系电话"]) + rng.choice(["：", ":"]) + _masked_phone(rng)
        return rng.choice(["私信", "私聊", "看主页", "滴滴我", "评论区扣1"])
    kind = rng.random()
    if kind < 0.5:
        prefix = rng.choice(["薇信", "威信", "V❤", "➕V", "＋Ｖ", "ＶＸ", "v x", "徽信", "wx", "加薇"])
        return prefix + rng.choice(["：", ":", " ", "→"]) + _wechat_id(rng)
    if kind < 0.8:
        prefix = rng.choice(["扣扣", "企鹅号", "QQ", "抠抠", "🐧"])
        return prefix + rng.choice(["：", ":", " "]) + _obfuscated_number(rng, _digits(rng, rng.randint(8, 10)))
    return (
        rng.choice(["☎", "📞", "电话", "tel"])
        + " "
        + _obfuscated_number(rng, "1" + rng.choice("3589") + _digits(rng, 9))
    )


def discount(rng: random.Random) -> str:
    return rng.choice(
        ["七折", "七五折", "八折", "八五折", "九折", "6.5折", "7折", "8折", "8.5折", "九二折", "85折", "88折"]
    )


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(TITLES)


def fill_value(slot: str, rng: random.Random, obfuscate: bool) -> str:
    """The value of one slot; raises KeyError for an unknown slot name."""
    makers = {
        "city": lambda: rng.choice(CITIES),
        "city_hant": lambda: rng.choice(CITIES_HANT),
        "handle": lambda: handle(rng, obfuscate),
        "phone": lambda: _masked_phone(rng),
        "disc": lambda: discount(rng),
        "pct": lambda: str(rng.choice([60, 65, 70, 75, 80, 85, 88, 90, 92])),
        "fee": lambda: str(rng.choice([5, 8, 10, 12, 15, 18, 20])),
        "amount": lambda: str(rng.choice([800, 1200, 1500, 2000, 2600, 3000, 4500, 5000, 6800, 8000, 12000, 20000])),
        "big": lambda: str(rng.choice([3.2, 5.6, 8.7, 12.4, 18, 26.5, 41, 73.8, 120])),
        "drug": lambda: rng.choice(DRUGS),
        "bank": lambda: rng.choice(BANKS),
        "goods": lambda: rng.choice(SHOP_GOODS),
        "app": lambda: rng.choice(APPS),
        "age": lambda: str(rng.choice([45, 50, 55, 58, 60, 62, 65, 68, 70, 72, 75])),
        "year": lambda: str(rng.choice(range(2019, 2027))),
        "month": lambda: str(rng.randint(1, 12)),
        "day": lambda: str(rng.randint(1, 28)),
        "n": lambda: str(rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 15, 17, 21, 26, 34])),
        "months": lambda: str(rng.choice([3, 6, 9, 10, 12, 18, 30, 36])),
        "person": lambda: person(rng),
        "surname": lambda: rng.choice(SURNAMES),
        "days": lambda: str(rng.choice([3, 5, 7, 10, 15, 20, 30])),
    }
    return makers[slot]()
