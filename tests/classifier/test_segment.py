import pytest

from classifier.segment import extract_html, is_heading, segment


def _texts(text, **kw):
    return [text[s.start : s.end] for s in segment(text, **kw)]


def test_paragraphs_become_passages_with_exact_offsets():
    text = "第一段：医保卡里的钱不能取现，只能看病。\n\n第二段，讲一讲家庭共济到底怎么用。\n第三段是一个很普通很普通的句子。"
    spans = segment(text)
    assert [text[s.start : s.end] for s in spans] == [
        "第一段：医保卡里的钱不能取现，只能看病。",
        "第二段，讲一讲家庭共济到底怎么用。",
        "第三段是一个很普通很普通的句子。",
    ]


def test_long_paragraph_is_cut_at_sentence_ends_within_limit():
    sentence = "医保个人账户的钱只能用于看病买药，不能提取现金。"
    text = sentence * 30
    spans = segment(text, max_chars=100)
    assert len(spans) > 1
    assert all(s.end - s.start <= 100 for s in spans)
    assert all(text[s.end - 1] == "。" for s in spans)
    assert "".join(text[s.start : s.end] for s in spans) == text  # nothing lost


def test_single_sentence_longer_than_limit_is_cut_hard():
    text = "字" * 250
    spans = segment(text, max_chars=100)
    assert [s.end - s.start for s in spans] == [100, 100, 50]


def test_handle_split_across_lines_joins_previous_passage():
    text = "高价回收医保卡，加微信\nab12\n34"
    assert _texts(text) == [text]


def test_headings_join_the_section_they_introduce():
    text = (
        "一、医保卡基础知识:了解你的账户\n医保个人账户的钱用于看病买药，不能提取现金。\n"
        "- 4.1 误区一:医保卡等于储蓄卡\n很多人以为医保卡和银行卡一样可以取钱，这是误解。"
    )
    assert _texts(text) == [
        "一、医保卡基础知识:了解你的账户\n医保个人账户的钱用于看病买药，不能提取现金。",
        "- 4.1 误区一:医保卡等于储蓄卡\n很多人以为医保卡和银行卡一样可以取钱，这是误解。",
    ]


def test_no_fragment_under_15_characters_is_a_passage_of_its_own():
    text = "医保卡的钱不能取现，只能看病买药。\n网友评论：\n说得对。\n医保个人账户余额可以依法继承，家属去经办机构办理。\n收医保卡"
    texts = _texts(text)
    assert all(len(t) >= 15 for t in texts), texts
    assert texts[1].startswith("网友评论：\n说得对。\n医保个人账户")
    assert texts[-1].endswith("收医保卡")  # a trailing fragment joins the passage before it
    assert "".join(texts).replace("\n", "") == text.replace("\n", "")


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("三、注意事项", True),
        ("图表:医保账户资金流向示意图", True),
        ("1.2 退休后个人账户怎么用", True),
        ("退休以后医保卡里的钱可以一次性全部取出来。", False),
        ("医保个人账户的钱，只能用于支付本人及家属的医疗费用", False),
    ],
)
def test_heading_detection(line, heading):
    assert is_heading(line) is heading


def test_markdown_markers_are_outside_the_passage():
    text = "# 医保卡能取现吗\n\n- 个人账户只能用于看病买药，不能取现。\n---\n> 引用：有人说医保卡可以取现，这是谣言"
    assert _texts(text, markdown=True) == [
        # The heading joins the section it introduces; the list marker inside stays as written.
        "医保卡能取现吗\n\n- 个人账户只能用于看病买药，不能取现。",
        "引用：有人说医保卡可以取现，这是谣言",
    ]


def test_blank_input_gives_no_passages():
    assert segment("  \n\n \t") == []
    with pytest.raises(ValueError):
        segment("abc", max_chars=5)


def test_html_main_text_and_title_are_extracted():
    html = (
        "<html><head><title>医保新闻</title></head><body><nav>首页 新闻 关于</nav>"
        "<article><h1>医保新闻</h1><p>医保个人账户的钱不能提取现金，只能用于支付医疗费用。这是市医保局给出的明确答复。</p>"
        "<p>参保人去世后，个人账户余额可以依法继承，家属可以到经办机构办理相关手续。</p></article>"
        "<footer>版权所有</footer></body></html>"
    )
    doc = extract_html(html)
    assert "不能提取现金" in doc.text
    assert "可以依法继承" in doc.text
    assert doc.title == "医保新闻"


def test_broken_html_falls_back_to_visible_text():
    doc = extract_html("<div><p>医保卡余额不能取现<script>var x=1</script>")
    assert "医保卡余额不能取现" in doc.text
    assert "var x" not in doc.text


def test_pack_sentences_covers_the_text_in_runs_of_whole_sentences():
    from classifier.segment import pack_sentences

    sentence = "医保个人账户的钱只能用于看病买药。"  # 17 characters
    text = sentence * 7
    runs = pack_sentences(text, 40)
    assert [(s.start, s.end) for s in runs] == [(i * 34, min(i * 34 + 34, len(text))) for i in range(4)]
    assert "".join(text[s.start : s.end] for s in runs) == text
    assert pack_sentences("", 40) == []
