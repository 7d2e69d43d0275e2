"""Citation policy (classifier/legal.py + data/citation_rules.json) and the statute file."""

import json
from pathlib import Path

import pytest

from classifier.labels import CLAIM_KINDS
from classifier.legal import (
    RULES_FILE,
    all_provisions,
    citations_for,
    load_rules,
    load_statutes,
    provisions_for,
    rules_version,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "legal-reference.md"
AD, PW = "advertises_cashout", "presents_withdrawal_legitimate"
PENALTIES = {
    "individual": {"SIL-88", "REG-41"},
    "institution": {"SIL-87", "REG-40"},
    "organizer": {"CL-266", "NPCSC-2014"},
    "drug_buyer": {"CL-312", "DRUG2022-13"},
}


def ids(label, kinds, routes=(), actor=None):
    return [c.provision_id for c in citations_for(label, list(kinds), list(routes), actor)]


@pytest.mark.parametrize("kind", CLAIM_KINDS)
@pytest.mark.parametrize(("label", "actor"), [(AD, a) for a in PENALTIES] + [(PW, "individual"), (PW, "organizer")])
def test_every_flag_gets_at_most_four_citations_social_insurance_law_first(kind, label, actor):
    cited = ids(label, [kind], [], actor)
    assert 1 <= len(cited) <= load_rules()["max_citations"]
    assert len(set(cited)) == len(cited)
    sil = [i for i, key in enumerate(cited) if key.startswith("SIL-")]
    assert sil == list(range(len(sil))), cited  # all Social Insurance Law provisions lead


@pytest.mark.parametrize("kind", CLAIM_KINDS)
@pytest.mark.parametrize("actor", list(PENALTIES))
def test_every_ad_carries_the_penalty_of_its_actor(kind, actor):
    assert PENALTIES[actor] <= set(ids(AD, [kind], [], actor))


@pytest.mark.parametrize("kind", ["personal_account_cash", "pooled_fund_cash", "false_exit_route", "non_medical_use"])
def test_a_withdrawal_article_about_the_funds_carries_no_criminal_provision(kind):
    cited = set(ids(PW, [kind], [], "individual"))
    assert not cited & (PENALTIES["organizer"] | PENALTIES["drug_buyer"] | PENALTIES["institution"])


def test_a_withdrawal_article_sending_readers_to_an_agent_carries_the_organizer_penalty():
    assert PENALTIES["organizer"] <= set(ids(PW, ["false_exit_route"], ["job_change"], "organizer"))


@pytest.mark.parametrize(
    ("route", "first"),
    [("retirement", "SIL-27"), ("job_change", "SIL-32"), ("illness", "SIL-28"), ("non_use", "SIL-64-2"),
     ("bank_card", "SIL-64-2"), ("death_abroad", "SIL-64-2")],
)  # fmt: skip
def test_exit_routes_cite_what_the_route_contradicts(route, first):
    cited = ids(PW, ["false_exit_route"], [route], "individual")
    assert cited[0] == first
    if route != "retirement":
        assert "SIL-27" not in cited  # the retirement article only for retirement claims
    if route not in ("job_change",):
        assert "SIL-32" not in cited and "SIOR-13" not in cited


def test_unknown_route_falls_to_the_kind_list_not_to_every_route():
    assert ids(PW, ["false_exit_route"], [], "individual") == ["SIL-64-2", "GOV14-5"]


def test_pharmacy_duty_only_when_an_institution_acts():
    assert "REG-15" not in ids(AD, ["non_medical_use"], [], "organizer")
    assert "REG-15" in ids(AD, ["non_medical_use"], [], "institution")


def test_drug_buyers_get_the_2022_interpretation():
    cited = ids(AD, ["drug_resale"], [], "drug_buyer")
    assert cited == ["SIL-88", "REG-19", "CL-312", "DRUG2022-13"]


def test_most_specific_kind_leads_a_multi_kind_flag():
    # card lending is more specific than the generic personal-account claim
    cited = citations_for(AD, ["personal_account_cash", "card_lending"], [], "organizer")
    assert [c.provision_id for c in cited] == ["SIL-88", "REG-17", "CL-266", "NPCSC-2014"]
    assert cited[1].claim_kinds == ["card_lending"]


def test_no_citation_for_unflagged_or_unspecified_passages():
    assert citations_for("accurate", ["personal_account_cash"], [], None) == []
    assert citations_for("neutral", [], [], None) == []
    assert citations_for(AD, ["unspecified"], [], "organizer") == []


def test_reasons_are_one_line_and_hedged_where_criminal():
    for c in citations_for(AD, ["card_lending"], [], "organizer") + citations_for(
        AD, ["drug_resale"], [], "drug_buyer"
    ):
        assert c.reason and "\n" not in c.reason and len(c.reason) <= 80
        if c.provision_id in ("CL-266", "CL-312"):
            assert "可能构成" in c.reason and "按诈骗罪" not in c.reason


def test_statutes_come_once_per_result():
    cited = citations_for(AD, ["card_lending"], [], "organizer") + citations_for(
        AD, ["fake_transaction_cashout"], [], "organizer"
    )
    texts = provisions_for(cited)
    assert list(texts) == list(dict.fromkeys(c.provision_id for c in cited))
    assert texts["SIL-88"].text == load_statutes()["provisions"]["SIL-88"]["text"]


def test_rules_are_versioned_and_only_cite_known_provisions():
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert rules_version() == data["rules_version"]
    cited = {key for group in ("kinds", "routes", "penalties") for rows in data[group].values() for key, _ in rows}
    assert cited <= set(all_provisions())
    assert "SIL-14" not in cited  # the pension article never applies to medical funds


def test_reconstructed_texts_say_so():
    drug = all_provisions()["DRUG2022-13"]
    assert drug.confidence == "medium" and drug.note and "重建" in drug.note
    assert all(p.note is None for key, p in all_provisions().items() if key != "DRUG2022-13")


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/legal-reference.md is not beside this checkout")
def test_statute_texts_are_verbatim_from_the_reference():
    from training.statutes import build

    rebuilt = build(REFERENCE)["provisions"]
    reference = REFERENCE.read_text(encoding="utf-8")
    for key, p in load_statutes()["provisions"].items():
        assert p == rebuilt[key], f"{key} differs from a rebuild (run `make statutes`)"
        for paragraph in p["text"].split("\n"):
            assert paragraph in reference, key
