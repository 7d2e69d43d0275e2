"""The corpus validator: passes on the shipped corpus, and fails on each kind of defect."""

import copy

import pytest

from training.data import ARTICLES, PASSAGES, load_splits, main, read_jsonl, validate
from training.dedup import jaccard, near_duplicate_pairs, shingles


@pytest.fixture(scope="module")
def corpus():
    return read_jsonl(PASSAGES), read_jsonl(ARTICLES)


def test_shipped_corpus_is_valid():
    assert main(["validate"]) == 0


def test_corpus_meets_the_issue_counts(corpus):
    passages, articles = corpus
    counts = {}
    for r in passages:
        if not r["augmented"]:
            counts[r["label"]] = counts.get(r["label"], 0) + 1
    assert counts["advertises_cashout"] >= 600
    assert counts["presents_withdrawal_legitimate"] >= 700
    assert counts["accurate"] >= 900
    assert counts["neutral"] >= 800
    assert sum(1 for r in passages if r["hard_negative"]) >= 300
    verdicts = [a["verdict"] for a in articles]
    assert verdicts.count("misleading") >= 60 and verdicts.count("accurate") >= 60
    assert verdicts.count("cashout_ad") >= 40 and verdicts.count("unrelated") >= 40
    assert all(300 <= len(a["text"]) <= 3000 for a in articles)


def _first(passages, label):
    return next(i for i, r in enumerate(passages) if r["label"] == label and r["article_id"] is None)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p[0].update(label="spam"), "unknown label"),
        (lambda p: p[_first(p, "advertises_cashout")].update(claim_kinds=["made_up"]), "unknown claim kind"),
        (lambda p: p[0].pop("genre"), "missing field 'genre'"),
        (lambda p: p[_first(p, "advertises_cashout")].update(claim_kinds=[]), "without claim kinds"),
        (lambda p: p.append(dict(p[5], id="dup-x")), "near duplicate"),
        (
            lambda p: p.append(
                dict(p[5], id="dup-y", split="test" if p[5]["split"] != "test" else "train", family="other")
            ),
            "across splits",
        ),
        (lambda p: p[1].update(id=p[0]["id"]), "duplicate id"),
    ],
)
def test_validator_catches_each_defect(corpus, mutate, message):
    passages, articles = copy.deepcopy(corpus)
    mutate(passages)
    errors = validate(passages, articles)
    assert any(message in e for e in errors), errors[:5]


def test_validator_catches_articles_that_do_not_tile(corpus):
    passages, articles = copy.deepcopy(corpus)
    art = articles[0]
    art["text"] = art["text"] + "\n\n多出来的一段没有标注的文字。"
    assert any("not covered" in e for e in validate(passages, articles))
    passages, articles = copy.deepcopy(corpus)
    articles[0]["passages"][0]["start"] += 1
    assert any("does not hold passage" in e for e in validate(passages, articles))
    passages, articles = copy.deepcopy(corpus)
    articles[0]["verdict"] = "unrelated" if articles[0]["verdict"] != "unrelated" else "accurate"
    assert any("passages give" in e for e in validate(passages, articles))


def test_near_duplicate_search_is_exact():
    texts = ["医保卡余额高价回收，微信ab123，当天到账", "医保卡余额高价回收，微信ab124，当天到账", "公积金提取流程"]
    pairs = near_duplicate_pairs(texts, 0.5)
    brute = [(i, j) for j in range(3) for i in range(j) if jaccard(shingles(texts[i]), shingles(texts[j])) >= 0.5]
    assert [(i, j) for i, j, _ in pairs] == brute == [(0, 1)]


def test_loads_through_datasets_with_the_corpus_split():
    splits = load_splits()
    assert set(splits) == {"train", "dev", "test"}
    assert all(row == "test" for row in splits["test"]["split"])
    families = {s: set(splits[s]["family"]) for s in splits}
    assert not (families["train"] & families["test"])
    assert not (families["train"] & families["dev"])
