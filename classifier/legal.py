"""Legal annotation: the provisions a flagged claim conflicts with, chosen per sub-claim.

The choice is data, versioned (``classifier/data/citation_rules.json``, ``rules_version``), built
from legal-reference.md section 7: each claim kind (and, for exit-route claims, each route) lists
its provisions most specific first, and each actor (individual, institution, organizer of a
cash-out service, drug buyer) its penalty provisions. A flag gets at most ``max_citations``:
an ad always carries its actor's penalties, an article presenting a withdrawal carries the
individual's penalties only for claims that are themselves fraud (swiping, drug resale, card
lending) and the organizer's when it points readers to an agent; the rest of the room goes to the
most specific kind first (for an exit-route claim: each named route's first provision, then the
rest of the routes' lists, then the kind's general list). Social Insurance Law provisions then move
to the front, keeping their order.

Statute texts come from ``classifier/data/statutes.json`` (copied from the reference file by
``training/statutes.py``) and are returned once per result, not under every passage. Social
Insurance Law article 14 (pension chapter) is deliberately absent: it governs the pension
personal account, not the medical one. An unflagged passage, or a flag whose claim is
``unspecified``, gets no citation: nothing is asserted that the passage was not found to claim.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from classifier.labels import CLAIM_KINDS, is_flag
from classifier.schemas import Citation, Provision

DATA = Path(__file__).resolve().parent / "data"
STATUTES_FILE = DATA / "statutes.json"
RULES_FILE = DATA / "citation_rules.json"


@lru_cache(maxsize=1)
def load_statutes() -> dict:
    with open(STATUTES_FILE, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def load_rules() -> dict:
    """The citation rules, checked against the statute file and the claim kinds."""
    with open(RULES_FILE, encoding="utf-8") as fh:
        rules = json.load(fh)
    provisions = load_statutes()["provisions"]
    lists = [*rules["kinds"].values(), *rules["routes"].values(), *rules["penalties"].values()]
    missing = {key for rows in lists for key, _ in rows} - set(provisions)
    if missing:
        raise ValueError(f"{RULES_FILE.name} cites provisions the statute file lacks: {sorted(missing)}")
    if set(rules["kind_order"]) != set(CLAIM_KINDS) or not set(CLAIM_KINDS) <= set(rules["kinds"]):
        raise ValueError(f"{RULES_FILE.name} must order and map every claim kind {CLAIM_KINDS}")
    if "SIL-14" in provisions or any(key == "SIL-14" for rows in lists for key, _ in rows):
        raise ValueError("社会保险法第十四条 governs the pension account; it is never cited for medical funds")
    return rules


def statutes_version() -> str:
    return load_statutes()["version"]


def rules_version() -> str:
    return load_rules()["rules_version"]


def provision(key: str) -> Provision:
    return Provision(**load_statutes()["provisions"][key])


def all_provisions() -> dict[str, Provision]:
    return {key: Provision(**p) for key, p in load_statutes()["provisions"].items()}


def provisions_for(citations: Iterable[Citation]) -> dict[str, Provision]:
    """The statute text of each cited provision, once, in order of first citation."""
    return {c.provision_id: provision(c.provision_id) for c in citations}


def _is_sil(key: str) -> bool:
    return key.startswith("SIL-")


def citations_for(label: str, kinds: list[str], routes: list[str], actor: str | None) -> list[Citation]:
    """At most ``max_citations`` provisions for one passage, Social Insurance Law first."""
    known = [k for k in load_rules()["kind_order"] if k in kinds]  # most specific kind first
    if not is_flag(label) or not known:
        return []
    rules = load_rules()
    penalties: list[tuple[str, str]] = []
    if label == "advertises_cashout":
        penalties = rules["penalties"][actor or "organizer"]
    elif actor == "organizer":
        penalties = rules["penalties"]["organizer"]
    elif set(known) & set(rules["individual_penalty_kinds"]):
        penalties = rules["penalties"]["individual"]

    def rows_of(kind: str) -> list[tuple[str, str]]:
        if kind == "false_exit_route" and routes:
            # Each route's most specific provision first (so two routes cite both route articles),
            # then the rest of each route's list, then the kind's general list.
            lists = [rules["routes"][r] for r in routes]
            by_depth = [
                row for depth in range(max(map(len, lists))) for rows in lists for row in rows[depth : depth + 1]
            ]
            return by_depth + rules["kinds"][kind]
        return rules["kinds"].get(f"{kind}@{actor}", rules["kinds"][kind])

    chosen: dict[str, str] = dict(penalties)
    room = rules["max_citations"]
    for kind in known:
        for key, why in rows_of(kind):
            if len(chosen) >= room:
                break
            chosen.setdefault(key, why)
    # Substantive provisions before penalties within each law group; Social Insurance Law first.
    listed = [k for k in chosen if k not in dict(penalties)] + list(dict(penalties))
    ranked = sorted(listed, key=lambda k: (not _is_sil(k), listed.index(k)))
    return [
        Citation(
            provision_id=key,
            reason=chosen[key],
            claim_kinds=[k for k in known if key in {row[0] for row in rows_of(k)}] or known[:1],
        )
        for key in ranked
    ]
