"""The corpus files are exactly what the build makes from the written sources."""

import json

import pytest

from labeled_data.build import build_challenge, build_corpus, challenge_split, corpus_split, script_of
from training.data import ARTICLES, CHALLENGE_PAGES, CHALLENGE_PASSAGES, PASSAGES, read_jsonl


def _same(rows, path):
    return [json.loads(json.dumps(r, ensure_ascii=False)) for r in rows] == read_jsonl(path)


@pytest.mark.slow  # about 20 s: near-duplicate and leak search over the whole corpus
def test_committed_files_are_the_build_of_the_sources():
    ch_passages, ch_pages, _ = build_challenge()
    assert _same(ch_passages, CHALLENGE_PASSAGES) and _same(ch_pages, CHALLENGE_PAGES)
    passages, articles, _ = build_corpus([p["text"] for p in ch_passages])
    assert _same(passages, PASSAGES) and _same(articles, ARTICLES)


def test_splits_are_stable_functions_of_the_family():
    assert corpus_split("W1:ads-01") == corpus_split("W1:ads-01") in ("train", "dev", "test")
    assert {challenge_split(f"CA:f{i}") for i in range(50)} == {"challenge-dev", "challenge-test"}


def test_script_detection():
    assert script_of("医保卡里的钱不能取现") == "hans"
    assert script_of("醫保卡裡的錢不能取現") == "hant"
    assert script_of("医保卡裡的钱") == "mixed"
