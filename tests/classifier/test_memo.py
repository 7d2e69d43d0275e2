"""Per-call sharing: jieba runs once per distinct text inside memo.per_call(), gives the same
words as outside it, and nothing is kept after the block."""

from classifier import memo, words


def test_segmentation_runs_once_per_text_inside_a_call_and_is_forgotten_after(monkeypatch):
    calls: list[str] = []
    real = words._segment

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(words, "_segment", counting)
    with memo.per_call():
        first = words.word_spans("回收医保卡高价秒结")
        with memo.per_call():  # nested: the outer memo serves
            assert words.word_spans("回收医保卡高价秒结") == first
        words.word_spans("公积金提取")
    assert calls == ["回收医保卡高价秒结", "公积金提取"]
    assert words.word_spans("回收医保卡高价秒结") == first  # outside: segmented again, same words
    assert calls.count("回收医保卡高价秒结") == 2
    assert "".join(w for w, _, _ in first) == "回收医保卡高价秒结"
