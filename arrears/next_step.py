"""The case page's next step: the recommendation read as one sentence ("Owes £2,295.46, 17.5 weeks of rent; no
contact for 21 days") and the one control that does it (a letter sent, a form opened, the notice planner).

Pure functions over a recommendation's stored facts: no database, so the worklist can use the same sentence."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from incomeapp.money import format_money

# What the case page's button does for each recommended action (the policies' `action` keys; a call or visit the
# policy wants before a letter is "contact_before_<action>"). "letter": sends the recommended letter; "form:<key>":
# opens that form on the page; "notice" / "court": the legal pages; "diary": the failed letter in the diary.
_ACTION_KINDS = {
    "vulnerability_review": "form:vulnerability",
    "benefit": "form:claim",
    "agreement": "form:agreement",
    "review_broken_agreement": "form:contact",
    "informal_breached_after_letter": "form:contact",
    "court_breach_visit": "form:contact",
    "court_breach_no_payment": "form:contact",
    "address_court_agreement_breach": "form:contact",
    "recommend_nosp": "notice",
    "send_nosp": "notice",
    "recommend_court": "court",
    "apply_for_court_date": "court",
    "apply_for_outright_possession_warrant": "court",
    "update_court_outcome": "court",
    "review_failed_letter": "diary",
    "check_data": "tenancy",
    # Former tenants' and sundry debts (arrears/views/recovery.py).
    "trace_former_tenant": "form:trace",
    "refer_to_agency": "form:agency",
    "prepare_money_claim": "form:money_claim",
    "transfer_to_current_tenancy": "transfer",  # the approvals' transfer request, prefilled (arrears/views/worklist.py)
}
# Steps that ask nothing of the officer now.
NOTHING_TO_DO = {"no_action", "agreement_kept", "technical_arrears_only", "breathing_space_hold"}


@dataclass(frozen=True)
class NextStep:
    kind: str  # "letter", "form", "notice", "court", "diary", "tenancy" or "none"
    button: str  # the button's words ("" when there is nothing to do)
    form: str = ""  # for kind "form": which of the page's forms it opens (contact, agreement, vulnerability, claim)


def next_step(recommendation) -> NextStep:
    """What the page's main button does for `recommendation` (None: not reviewed yet)."""
    if recommendation is None or recommendation.mode == "none":
        return NextStep("none", "")
    label = _without_prefix(recommendation.label)
    if recommendation.letter and recommendation.mode != "approval":
        return NextStep("letter", label)
    if recommendation.action.startswith("contact_before_"):
        return NextStep("form", "Call or visit: record what happened", form="contact")
    if recommendation.action in NOTHING_TO_DO:
        return NextStep("none", "")
    kind = _ACTION_KINDS.get(recommendation.action, "")
    if kind.startswith("form:"):
        return NextStep("form", label, form=kind.removeprefix("form:"))
    if kind:
        return NextStep(kind, label)
    return NextStep("form", label, form="contact")


def _without_prefix(label: str) -> str:
    # Labels under a Breathing Space start "New arrears since the Breathing Space: ", which the page says elsewhere.
    return label.split(": ", 1)[1] if label.startswith("New arrears since") else label


def reason_sentence(recommendation, today: date) -> str:
    """The recommendation's figures as one sentence: what is owed and in weeks, when the tenant last paid, and how
    long since anyone reached or tried to reach them."""
    if recommendation is None:
        return ""
    facts = recommendation.facts or {}
    weeks = recommendation.arrears_weeks
    basis = "weeks of rent" if recommendation.weeks_basis == "rent" else "weeks of rent and charges"
    owed = format_money(recommendation.balance)
    parts = [f"Owes nothing (balance {owed})" if recommendation.balance <= 0 else f"Owes {owed}, {weeks} {basis}"]
    # The weeks count only real arrears (arrears.facts): benefit already due is left out, and the sentence says so.
    expected = _money(facts.get("expected_benefit")) or Decimal(0)
    technical = min(max(recommendation.balance, Decimal(0)), max(expected, Decimal(0)))
    recoverable = _money(facts.get("recoverable_balance"))
    if facts.get("ladder") in ("former", "sundry") and recommendation.balance > 0:
        # Not rent arrears: no weeks of rent; what can still be recovered instead (docs/debts.md, "Ladders").
        parts = [f"Owes {owed}"]
        if recoverable is not None and recoverable != recommendation.balance:
            parts = [f"Owes {owed}, of which {format_money(recoverable)} can still be recovered"]
        technical = Decimal(0)
    if technical > 0:
        parts = [
            f"Owes {owed}, of which {format_money(technical)} is benefit due; the other "
            f"{format_money(recommendation.balance - technical)} is {weeks} {basis}"
        ]
    paid = _date(facts.get("last_payment_date"))
    if paid is not None:
        parts.append(f"last paid {_ago(paid, today)}")
    elif recommendation.balance > 0:
        parts.append("no payment on record")
    contact = _date(facts.get("last_contact_attempt_date")) or _date(facts.get("last_contact_date"))
    parts.append(f"last contact {_ago(contact, today)}" if contact else "no contact on record")
    return "; ".join(parts) + "."


def _ago(on: date, today: date) -> str:
    days = (today - on).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return None


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
