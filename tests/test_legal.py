import json
from pathlib import Path

import pytest

from classifier.labels import CLAIM_KINDS
from classifier.legal import CLAIM_PROVISIONS, STATUTES_FILE, citations_for, load_statutes

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "legal-reference.md"
SIL = "中华人民共和国社会保险法"


@pytest.mark.parametrize("kind", CLAIM_KINDS)
def test_every_claim_kind_has_citations_with_exact_text(kind):
    citations = citations_for([kind])
    assert citations, kind
    provisions = load_statutes()["provisions"]
    for c in citations:
        assert c.text == provisions[c.provision_id]["text"]
        assert c.explanation and c.claim_kinds == [kind]
        assert c.confidence in ("high", "medium-high", "medium", "low")


@pytest.mark.parametrize("kind", CLAIM_KINDS)
def test_social_insurance_law_comes_first(kind):
    citations = citations_for([kind])
    laws = [c.law for c in citations]
    assert laws[0] == SIL
    first_other = next((i for i, law in enumerate(laws) if law != SIL), len(laws))
    assert all(law != SIL for law in laws[first_other:])


def test_pension_article_14_is_never_cited():
    for kind in CLAIM_KINDS:
        assert all(not (c.law == SIL and c.article.startswith("第十四条")) for c in citations_for([kind]))


@pytest.mark.parametrize(
    ("kind", "must", "must_not"),
    [
        ("drug_resale", {"REG-19", "CL-312"}, {"SIL-27", "SIL-32", "REG-17"}),
        ("card_lending", {"REG-17", "REG-41"}, {"CL-312", "SIL-27"}),
        ("false_exit_route", {"SIL-27", "SIL-32"}, {"CL-266", "REG-19"}),
        ("pooled_fund_cash", {"SIL-29", "SIL-64-2"}, {"REG-19", "SIL-27"}),
        ("non_medical_use", {"GOV14-5"}, {"CL-266", "SIL-32"}),
        ("fake_transaction_cashout", {"SIL-87", "REG-40", "CL-266"}, {"SIL-27", "CL-312"}),
        ("personal_account_cash", {"SIL-28", "REG-21"}, {"CL-312", "REG-17"}),
    ],
)
def test_citations_follow_the_claim_kind(kind, must, must_not):
    ids = {c.provision_id for c in citations_for([kind])}
    assert must <= ids
    assert not (must_not & ids)


def test_several_kinds_are_merged_without_duplicates():
    citations = citations_for(["personal_account_cash", "false_exit_route"])
    ids = [c.provision_id for c in citations]
    assert len(ids) == len(set(ids))
    sil28 = next(c for c in citations if c.provision_id == "SIL-28")
    assert sil28.claim_kinds == ["personal_account_cash", "false_exit_route"]


def test_no_claim_no_citation():
    assert citations_for([]) == []


def test_statute_file_covers_the_mapping():
    data = json.loads(STATUTES_FILE.read_text(encoding="utf-8"))
    needed = {key for rows in CLAIM_PROVISIONS.values() for key, _ in rows}
    assert needed <= set(data["provisions"])


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/legal-reference.md is not beside this checkout")
def test_statute_texts_are_verbatim_from_the_reference():
    reference = REFERENCE.read_text(encoding="utf-8")
    for key, p in load_statutes()["provisions"].items():
        for paragraph in p["text"].split("\n"):
            assert paragraph in reference, key
