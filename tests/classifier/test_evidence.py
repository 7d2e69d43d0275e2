"""Evidence: exact linear attribution (classifier/linear.py, classifier/evidence.py)."""

import numpy as np
import pytest

from classifier.evidence import FUNCTION_WORDS, candidate_words, linear_evidence
from classifier.labels import LABEL2ID
from classifier.linear import HashedLinear, feature_spans, hashed_counts
from classifier.normalize import normalize

AD = LABEL2ID["advertises_cashout"]
TEXTS = ["高价回收医保卡，联系我", "回收医保药，上门收", "医保卡不能取现", "今天天气很好", "回收旧家电", "医保报销比例"]
LABEL_IDS = np.array([AD, AD, LABEL2ID["accurate"], LABEL2ID["neutral"], LABEL2ID["neutral"], LABEL2ID["neutral"]])


@pytest.fixture(scope="module", params=["char", "word"])
def member(request):
    return HashedLinear.fit(request.param, TEXTS, LABEL_IDS, c=10.0)


@pytest.mark.parametrize("text", ["医保卡回收  八折\n\n到账ABC", "İstanbul 医保", "", "回收回收回收"])
@pytest.mark.parametrize("kind", ["char", "word"])
def test_feature_spans_are_what_the_vectorizer_counts(kind, text):
    counts = hashed_counts(kind, [text])
    spans = feature_spans(kind, text)
    found = {}
    for start, end, f in spans:
        assert 0 <= start < end <= len(text)
        found[f] = found.get(f, 0) + 1
    assert found == dict(zip(counts.indices.tolist(), counts.data.astype(int).tolist(), strict=True))


@pytest.mark.parametrize("text", ["高价回收医保卡余额，八折  到账，回收回收", "医保卡不能取现"])
def test_char_attribution_adds_up_to_the_logit(member, text):
    direction = np.array([1.0, -0.5, -0.25, -0.25])
    shares = member.char_attribution(text, direction)
    assert shares.shape == (len(text),)
    expected = float(direction @ (member.logits([text])[0] - member.intercept))
    assert shares.sum() == pytest.approx(expected, abs=1e-4)


def test_linear_evidence_names_the_ad_words_even_when_the_flag_is_saturated(member):
    norm = normalize("高价回收医保卡，我们都联系你")
    saturated = np.array([1.0 - 3e-9, 1e-9, 1e-9, 1e-9])
    (found,) = linear_evidence({member.kind: member}, {member.kind: 1.0}, 1.0, [(norm, AD, saturated, 10)], 5, 64, 0.1)
    assert found, "a saturated flag still has evidence"
    texts = [e.text for e in found]
    assert any("回收" in t for t in texts)
    assert not set(texts) & FUNCTION_WORDS
    for e in found:
        assert norm.original[e.start - 10 : e.end - 10] == e.text  # offsets are in the article


def test_no_evidence_when_not_asked(member):
    norm = normalize("高价回收医保卡")
    probs = np.array([0.9, 0.05, 0.03, 0.02])
    assert linear_evidence({member.kind: member}, {member.kind: 1.0}, 1.0, [(norm, AD, probs, 0)], 0, 64, 0.0) == [[]]


def test_candidate_words_skip_function_words():
    words = [("我们都可以回收"[s:e]) for s, e in candidate_words("我们都可以回收", 64)]
    assert "回收" in words and "我们" not in words and "都" not in words
