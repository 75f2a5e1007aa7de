"""Input facts for many accounts at once, for the arrears review: a fixed number of set-based queries per chunk of
accounts, whatever the number of accounts or the length of their history.

Decisions (docs/arrears-review.md): "posted since Monday" is read as *effective* since Monday of the review week (the
ledger's date index serves it; an import's lines carry the payment's own date); the weekly gross rent is every charge in
effect on the review date as a weekly figure; a vulnerability review is due when none is recorded in the last 12 months.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Q, Sum

from incomeapp.money import ZERO
from rentaccounts.charging import monday_of, weekly_equivalent
from rentaccounts.constants import RECEIPT_TYPES, AccountKind
from rentaccounts.models import Account, Transaction
from tenancies.models import Charge

from .constants import ATTEMPT_KINDS, CaseStatus, ContactKind, ContactOutcome
from .models import ArrearsCase, BreathingSpace, Contact, Pause


def accounts_in_scope(*, account_ids: list[int] | None = None) -> list[int]:
    """Rent accounts the review looks at: those owing, and those with an open case (so a case can close)."""
    accounts = Account.objects.filter(kind=AccountKind.RENT)
    if account_ids is not None:
        accounts = accounts.filter(id__in=account_ids)
    owing = set(accounts.filter(balance__gt=0).values_list("id", flat=True))
    cases = ArrearsCase.objects.filter(status=CaseStatus.OPEN)
    if account_ids is not None:
        cases = cases.filter(account_id__in=account_ids)
    return sorted(owing | set(cases.values_list("account_id", flat=True)))


def facts_for_accounts(*, account_ids: list[int], as_of: date) -> dict[int, dict]:
    """Input facts (see arrears.facts) by account id, plus `_case`, `_tenancy`, `_scheme`, `_patch_officer`."""
    monday = monday_of(as_of)
    accounts = list(
        Account.objects.filter(id__in=account_ids).values(
            "id",
            "balance",
            "tenancy_id",
            "tenancy__tenure_type",
            "tenancy__rent_period",
            "tenancy__property__scheme_id",
            "tenancy__property__patch__officer_id",
        )
    )
    tenancy_ids = [a["tenancy_id"] for a in accounts]
    weekly = _weekly_rent(tenancy_ids, as_of)
    this_week = {
        row["account_id"]: row
        for row in Transaction.objects.filter(
            account_id__in=account_ids, effective_date__gte=monday, effective_date__lte=as_of
        )
        .values("account_id")
        .annotate(net=Sum("amount"), paid=Sum("amount", filter=Q(transaction_type__in=RECEIPT_TYPES, amount__lt=0)))
    }
    last_payment = dict(
        Transaction.objects.filter(
            account_id__in=account_ids, transaction_type__in=RECEIPT_TYPES, amount__lt=0, effective_date__lte=as_of
        )
        .values("account_id")
        .annotate(last=Max("effective_date"))
        .values_list("account_id", "last")
    )
    cases = {
        case.account_id: case for case in ArrearsCase.objects.filter(account_id__in=account_ids, status=CaseStatus.OPEN)
    }
    contacts = _contacts([case.pk for case in cases.values()], as_of)
    pauses = dict(
        Pause.objects.filter(case_id__in=[c.pk for c in cases.values()])
        .values("case_id")
        .annotate(ends=Max("ends_on"))
        .values_list("case_id", "ends")
    )
    moratorium = set(
        BreathingSpace.objects.filter(tenancy_id__in=tenancy_ids, starts_on__lte=as_of)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
        .values_list("tenancy_id", flat=True)
    )
    review_cutoff = as_of - relativedelta(months=12)
    facts = {}
    for account in accounts:
        account_id, tenancy_id = account["id"], account["tenancy_id"]
        case = cases.get(account_id)
        week = this_week.get(account_id, {})
        contact = contacts.get(case.pk, {}) if case else {}
        facts[account_id] = {
            "as_of": as_of,
            "balance": account["balance"],
            "net_since_monday": week.get("net") or ZERO,
            "paid_this_week": -(week.get("paid") or ZERO),
            "weekly_rent": weekly_equivalent(weekly.get(tenancy_id, ZERO), account["tenancy__rent_period"]),
            "expected_benefit": ZERO,
            "last_payment_date": last_payment.get(account_id),
            "last_contact_code": contact.get("code"),
            "last_contact_date": contact.get("date"),
            "last_contact_attempt_date": contact.get("attempt"),
            "last_letter_failed": contact.get("letter_failed", False),
            "nosp_served_date": case.nosp_served_on if case else None,
            "nosp_expiry_date": case.nosp_expires_on if case else None,
            "court_date": case.court_date if case else None,
            "court_outcome": (case.court_outcome or None) if case else None,
            "eviction_date": case.eviction_date if case else None,
            "agreement_state": None,
            "agreement_type": None,
            "agreement_start_date": None,
            "pause_end_date": pauses.get(case.pk) if case else None,
            "breathing_space": tenancy_id in moratorium,
            "vulnerability_review_due": not (
                case and case.vulnerability_reviewed_on and case.vulnerability_reviewed_on > review_cutoff
            ),
            "benefit_claim_pending": False,
            "tenure_type": account["tenancy__tenure_type"],
            "_account_id": account_id,
            "_case": case,
            "_tenancy": tenancy_id,
            "_scheme": account["tenancy__property__scheme_id"],
            "_patch_officer": account["tenancy__property__patch__officer_id"],
        }
    return facts


def _weekly_rent(tenancy_ids: list[int], as_of: date) -> dict[int, Decimal]:
    """Every charge in effect on the review date, summed per tenancy (in the tenancy's own period)."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for tenancy_id, amount in (
        Charge.objects.filter(tenancy_id__in=tenancy_ids, effective_from__lte=as_of)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=as_of))
        .values_list("tenancy_id", "amount")
    ):
        totals[tenancy_id] += amount
    return totals


def _contacts(case_ids: list[int], as_of: date) -> dict[int, dict]:
    """Per case: the latest communication (code and date), the latest call or visit attempt, and whether the latest
    letter failed. Contacts of the last 13 months only: older ones cannot change any stage of a shipped policy."""
    found: dict[int, dict] = defaultdict(dict)
    rows = (
        Contact.objects.filter(
            case_id__in=case_ids, occurred_on__lte=as_of, occurred_on__gte=as_of - timedelta(days=400)
        )
        .exclude(kind=ContactKind.NOTE)
        .order_by("case_id", "occurred_on", "id")
        .values_list("case_id", "kind", "code", "outcome", "occurred_on")
    )
    for case_id, kind, code, outcome, occurred_on in rows:
        entry = found[case_id]
        entry["code"], entry["date"] = code or kind, occurred_on
        if kind in ATTEMPT_KINDS:
            entry["attempt"] = occurred_on
        if kind == ContactKind.LETTER:
            entry["letter_failed"] = outcome == ContactOutcome.FAILED
    return found
