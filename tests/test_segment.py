import pytest

from classifier.segment import extract_html, segment


def _texts(text, **kw):
    return [text[s.start : s.end] for s in segment(text, **kw)]


def test_paragraphs_become_passages_with_exact_offsets():
    text = "第一段：医保卡的钱不能取现。\n\n第二段，讲家庭共济的用法。\n第三段是一个很普通的句子。"
    spans = segment(text)
    assert [text[s.start : s.end] for s in spans] == [
        "第一段：医保卡的钱不能取现。",
        "第二段，讲家庭共济的用法。",
        "第三段是一个很普通的句子。",
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


def test_short_line_after_finished_sentence_stays_separate():
    text = "医保卡的钱不能取现。\n收医保卡"
    assert _texts(text) == ["医保卡的钱不能取现。", "收医保卡"]


def test_markdown_markers_are_outside_the_passage():
    text = "# 医保卡能取现吗\n\n- 个人账户只能用于看病买药。\n---\n> 引用：有人说医保卡可以取现，这是谣言"
    assert _texts(text, markdown=True) == [
        "医保卡能取现吗",
        "个人账户只能用于看病买药。",
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
