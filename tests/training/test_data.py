"""The corpus validator: passes on the shipped corpus and challenge set, and fails on each defect.

Defects are planted in a tiny fixture corpus (built here), so each check runs in milliseconds; one
test validates the real corpus, targets included.
"""

import copy
import dataclasses

import pytest

from training import diversity
from training.data import (
    CHALLENGE_PAGES,
    CHALLENGE_PASSAGES,
    PASSAGES,
    CorpusTargets,
    challenge_leaks,
    load_splits,
    main,
    read_jsonl,
    validate,
)
from training.dedup import jaccard, near_duplicate_pairs, shingles

NO_TARGETS = CorpusTargets(
    min_per_label={},
    min_hard_negatives=0,
    min_articles=0,
    min_share_over_100=0,
    min_share_over_200=0,
    max_top_10gram_share=1.0,
    max_passages_per_run=10**6,
    min_page_chars=10,
)


def _row(i, text, label="neutral", kinds=(), split="train", family=None, article_id=None):
    return {
        "id": f"t{i}",
        "text": text,
        "label": label,
        "claim_kinds": list(kinds),
        "genre": "forum_post",
        "family": family or f"f{i}",
        "split": split,
        "article_id": article_id,
        "source": "written:test/001.jsonl",
        "hard_negative": False,
        "augmented": False,
    }


@pytest.fixture
def tiny():
    passages = [
        _row(0, "高价回收医保卡余额，当天结算，有意者私信我，长期有效。", "advertises_cashout", ["card_lending"]),
        _row(
            1,
            "退休以后医保个人账户里的钱就可以一次性全部取出来了。",
            "presents_withdrawal_legitimate",
            ["personal_account_cash", "false_exit_route"],
        ),
        _row(2, "医保个人账户的钱只能用于支付医疗费用，不能提取现金。", "accurate", split="dev"),
        _row(3, "医保卡里的钱能取出来吗？", family="page", article_id="a1"),
        _row(4, "网传可以取现，医保局回应这是谣言，个人账户资金专款专用。", "accurate", family="page", article_id="a1"),
    ]
    text = f"{passages[3]['text']}\n{passages[4]['text']}"
    article = {
        "id": "a1",
        "title": passages[3]["text"],
        "text": text,
        "verdict": "accurate",
        "split": "train",
        "passages": [
            {"passage_id": "t3", "start": 0, "end": len(passages[3]["text"])},
            {"passage_id": "t4", "start": len(passages[3]["text"]) + 1, "end": len(text)},
        ],
    }
    return passages, [article]


def test_fixture_corpus_is_valid(tiny):
    assert validate(*tiny, targets=NO_TARGETS) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p, a: p[0].update(label="spam"), "unknown label"),
        (lambda p, a: p[0].update(claim_kinds=["made_up"]), "unknown claim kind"),
        (lambda p, a: p[0].pop("genre"), "field 'genre'"),
        (lambda p, a: p[0].update(claim_kinds=[]), "without claim kinds"),
        (lambda p, a: p[2].update(claim_kinds=["card_lending"]), "not flagged"),
        (lambda p, a: p.append(dict(p[1], id="dup-x")), "near duplicate within split"),
        (lambda p, a: p.append(dict(p[1], id="dup-y", split="test", family="other")), "across splits"),
        (lambda p, a: p[1].update(id=p[0]["id"]), "duplicate id"),
        (
            lambda p, a: p.append(
                dict(p[2], id="t9", text="另一段完全不同的文字，讲的是公积金怎么提取。", split="train")
            ),
            "in both",
        ),
        (lambda p, a: p[0].update(text="长" * 700), "over 600"),
        (lambda p, a: a[0].update(text=a[0]["text"] + "\n多出来的一段没有标注的文字。"), "not covered"),
        (lambda p, a: a[0]["passages"][0].update(start=1), "does not hold passage"),
        (lambda p, a: a[0].update(verdict="unrelated"), "passages give"),
        (lambda p, a: p[4].update(article_id=None), "does not name this article"),
    ],
)
def test_validator_catches_each_defect(tiny, mutate, message):
    passages, articles = copy.deepcopy(tiny)
    mutate(passages, articles)
    errors = validate(passages, articles, targets=NO_TARGETS)
    assert any(message in e for e in errors), errors[:5]


def test_targets_are_enforced(tiny):
    passages, articles = tiny
    errors = validate(passages, articles, targets=CorpusTargets(min_page_chars=10))
    assert any("written advertises_cashout passages, fewer than 1000" in e for e in errors)
    assert any("articles of 600-4000 characters, fewer than 300" in e for e in errors)
    assert any("over 100 characters" in e for e in errors)


def test_repeated_runs_fail_the_diversity_check(tiny):
    passages, articles = copy.deepcopy(tiny)
    shared = "加我微信详细聊，价格绝对公道，童叟无欺"
    for i in range(6):
        passages.append(_row(100 + i, f"第{i}种说法各不相同{'甲乙丙丁戊己'[i] * (i + 3)}。{shared}", family=f"r{i}"))
    targets = dataclasses.replace(NO_TARGETS, max_passages_per_run=5)
    errors = validate(passages, articles, targets=targets)
    assert any("is in 6 passages (limit 5)" in e for e in errors), errors
    passages.pop()
    assert not any("limit 5" in e for e in validate(passages, articles, targets=targets))


def test_statute_quotations_and_law_titles_are_not_counted_as_repeats():
    quote = "参加职工基本医疗保险的个人，达到法定退休年龄时累计缴费达到国家规定年限的"
    texts = [f"第{i}位律师说：依据《医疗保障基金使用监督管理条例》，{quote}。" for i in range(8)]
    assert diversity.measure(texts).max_run_passages <= 1


def test_measures_on_known_texts():
    d = diversity.measure(["短", "长" * 150, "中" * 250])
    assert d.bands["1-60"] == 1 and d.bands["101-200"] == 1 and d.bands["201-500"] == 1
    assert d.share_over_100 == pytest.approx(2 / 3) and d.share_over_200 == pytest.approx(1 / 3)


def test_a_training_passage_close_to_a_challenge_passage_is_a_leak():
    challenge = [{"id": "c1", "text": "退休以后医保个人账户里的钱就可以一次性全部取出来了，去社保局办。"}]
    close = [{"id": "t1", "text": "退休以后医保个人账户里的钱就可以一次性全部取出来了，去银行办理。"}]
    far = [{"id": "t2", "text": "医保个人账户的钱只能用于支付医疗费用，不能提取现金，也不能套现。"}]
    assert challenge_leaks(close, challenge) and "t1 ~ challenge c1" in challenge_leaks(close, challenge)[0]
    assert challenge_leaks(far, challenge) == []


@pytest.mark.slow  # about 20 s: near-duplicate and leak search over the whole corpus
def test_shipped_corpus_and_challenge_set_are_valid():
    assert main(["validate"]) == 0


def test_challenge_set_is_split_by_family_and_never_in_training():
    challenge = read_jsonl(CHALLENGE_PASSAGES)
    families = {}
    for r in challenge:
        assert families.setdefault(r["family"], r["split"]) == r["split"]
    assert {r["split"] for r in challenge} == {"challenge-dev", "challenge-test"}
    pages = read_jsonl(CHALLENGE_PAGES)
    assert {p["split"] for p in pages} == {"challenge-dev", "challenge-test"}
    training_ids = {r["id"] for r in read_jsonl(PASSAGES)}
    assert not training_ids & {r["id"] for r in challenge}


def test_near_duplicate_search_is_exact():
    texts = ["医保卡余额高价回收，微信ab123，当天到账", "医保卡余额高价回收，微信ab124，当天到账", "公积金提取流程"]
    pairs = near_duplicate_pairs(texts, 0.5)
    brute = [(i, j) for j in range(3) for i in range(j) if jaccard(shingles(texts[i]), shingles(texts[j])) >= 0.5]
    assert [(i, j) for i, j, _ in pairs] == brute == [(0, 1)]


@pytest.mark.slow  # imports `datasets` and loads the whole corpus
def test_loads_through_datasets_with_the_corpus_split():
    splits = load_splits()
    assert set(splits) == {"train", "dev", "test"}
    assert all(row == "test" for row in splits["test"]["split"])
    families = {s: set(splits[s]["family"]) for s in splits}
    assert not (families["train"] & families["test"])
    assert not (families["train"] & families["dev"])
