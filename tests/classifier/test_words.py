"""Word segmentation: one jieba pass per distinct text inside shared_segmentation(), none kept after."""

from classifier import words


def test_shared_segmentation_segments_each_text_once_and_forgets_after(monkeypatch):
    calls: list[str] = []
    real = words._segment

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(words, "_segment", counting)
    with words.shared_segmentation():
        first = words.word_spans("回收医保卡高价秒结")
        with words.shared_segmentation():  # nested: the outer memo serves
            assert words.word_spans("回收医保卡高价秒结") == first
        words.word_spans("公积金提取")
    assert calls == ["回收医保卡高价秒结", "公积金提取"]
    assert words.word_spans("回收医保卡高价秒结") == first  # outside: segmented again, same words
    assert calls.count("回收医保卡高价秒结") == 2
    assert "".join(w for w, _, _ in first) == "回收医保卡高价秒结"
