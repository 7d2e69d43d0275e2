import pytest

from classifier.normalize import normalize, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("医.保.套.现", "医保套现"),  # separators between characters
        ("医 保 卡", "医保卡"),  # spaces
        ("医*保-卡_回/收", "医保卡回收"),
        ("医💰保💰卡", "医保卡"),  # emoji as separators
        ("ＶＸ：ａｂ１２３", "微信:ab123"),  # full-width letters, digits, colon
        ("薇信号", "微信号"),
        ("威信 ab12", "微信 ab12"),
        ("加v：k88", "加微信:k88"),
        ("➕V abc", "加微信 abc"),
        ("扣扣：12345678", "qq:12345678"),
        ("qq①②③④⑤⑥", "qq123456"),  # circled digits
        ("扣扣一二三四五六七八", "qq12345678"),  # digits written in Chinese in a handle
        ("醫保卡裏的錢", "医保卡里的钱"),  # Traditional -> Simplified
        ("yibao taoxian", "医保 套现"),  # pinyin
        ("医宝卡余额", "医保卡余额"),  # homophone
        ("一保卡回收", "医保卡回收"),
        ("零\u200b宽\u200d字\ufeff符", "零宽字符"),  # zero-width characters
        ("控制\x07字符", "控制字符"),
        ("1️⃣2️⃣3️⃣", "123"),  # keycap emoji digits
    ],
)
def test_each_obfuscation_trick_is_undone(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("三五天就到账了", "三五天就到账了"),  # short Chinese numbers in prose stay words
        ("统一保障", "统一保障"),  # 一保 not followed by a card word is not a homophone
        ("医保卡，高价回收", "医保卡,高价回收"),  # Chinese comma is real punctuation, kept (half-width)
    ],
)
def test_ordinary_text_is_not_mangled(raw, expected):
    # One exact output per case: an OR of the cases passed with 统一保障 turned into 统医保障.
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["医.保.套.现，加ＶＸ：①②③④⑤⑥", "醫保卡 回收 薇信 yibao", "普通文本", "扣扣一二三四五六七八九", "a\u200bb  c\td"],
)
def test_offset_map_round_trip(raw):
    norm = normalize(raw)
    assert len(norm.spans) == len(norm.text)
    for i, (s, e) in enumerate(norm.spans):
        assert 0 <= s < e <= len(raw), (i, s, e)
    # Spans never go backwards, so any normalized span maps to one contiguous original span.
    starts = [s for s, _ in norm.spans]
    assert starts == sorted(starts)
    if norm.text:
        s, e = norm.to_original(0, len(norm.text))
        assert raw[s:e].strip() == raw[s:e]


def test_evidence_span_maps_back_to_obfuscated_original():
    raw = "本店可以医.保.套.现，速来"
    norm = normalize(raw)
    i = norm.text.index("套现")
    s, e = norm.to_original(i, i + 2)
    assert raw[s:e] == "套.现"


def test_empty_and_bad_types():
    assert normalize("").text == ""
    assert normalize("\u200b\u200b").text == ""
    with pytest.raises(TypeError):
        normalize(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        normalize("abc").to_original(2, 1)
