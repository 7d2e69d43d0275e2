"""Label names shared by the library, training and the service.

The names are the ones in the labeling guide; nothing else in the project spells them out.
"""

from __future__ import annotations

# Order matters: it is the id order written into every model's config.json (id2label).
LABELS: tuple[str, ...] = (
    "advertises_cashout",
    "presents_withdrawal_legitimate",
    "accurate",
    "neutral",
)
FLAG_LABELS: tuple[str, ...] = ("advertises_cashout", "presents_withdrawal_legitimate")

CLAIM_KINDS: tuple[str, ...] = (
    "personal_account_cash",
    "pooled_fund_cash",
    "fake_transaction_cashout",
    "drug_resale",
    "card_lending",
    "false_exit_route",
    "non_medical_use",
)
# Reported for a flagged passage in which no claim kind is recognized; never a training label.
UNSPECIFIED_KIND = "unspecified"
REPORTED_CLAIM_KINDS: tuple[str, ...] = (*CLAIM_KINDS, UNSPECIFIED_KIND)

VERDICTS: tuple[str, ...] = ("cashout_ad", "misleading", "accurate", "unrelated")
SUGGESTIONS: tuple[str, ...] = ("block", "review", "pass")

LABEL2ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))


def is_flag(label: str) -> bool:
    return label in FLAG_LABELS
