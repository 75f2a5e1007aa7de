"""Input facts for many accounts at once, for the arrears review: a fixed number of set-based queries per chunk of
accounts, whatever the number of accounts or the length of their history.

Decisions (docs/arrears-review.md): "posted since Monday" is read as *effective* since Monday of the review week (the
ledger's date index serves it; an import's lines carry the payment's own date); the weekly rent is read on both bases
(tenancies.selectors.weekly_rent) and the review takes the one its policy names (`weeks_basis`); a vulnerability
review is due when none is recorded in the last 12 months.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Max, OuterRef, Q, Subquery, Sum

from incomeapp.law import NoThreshold
from incomeapp.money import ZERO
from messaging.addresses import mobile_or_blank, normalise_email
from messaging.services import suppressed_addresses
from rentaccounts.charging import monday_of
from rentaccounts.constants import RECEIPT_TYPES, AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from tenancies.constants import TenancyStatus
from tenancies.models import TenancyTenant
from tenancies.selectors import WeeklyRent, weekly_rent

from .agreements import agreement_check
from .benefits import ClaimTerms, expected_benefit
from .constants import (
    ATTEMPT_KINDS,
    DIARY_ONLY_CODES,
    AgreementState,
    CaseStatus,
    ClaimStatus,
    ContactKind,
    ContactOutcome,
)
from .models import Agreement, ArrearsCase, BenefitClaim, BreathingSpace, Contact, Pause
from .moratorium import Moratorium, MoratoriumLaw, deadline_moved
from .review_facts_ladders import LADDER_KINDS, LADDER_STEP_CODES, SUNDRY_KINDS, ladder_facts, ladder_of
from .selectors import moratorium_law
from .services import agreement_terms

BENEFIT_TYPES = (TransactionType.HOUSING_BENEFIT, TransactionType.UC_MANAGED_PAYMENT)
# The keys of an account's facts that are the review's own, not the policy's inputs (`arrears.review._inputs` leaves
# them out): every key `facts_for_accounts` gives that starts with "_" (tests/arrears/test_debt_ladders.py checks it).
REVIEW_KEYS = (
    "_weekly",
    "_case",
    "_reference",
    "_tenancy",
    "_scheme",
    "_patch_officer",
    "_ended",
    "_ladder",
    "_days_since_ended",
    "_insolvency_covered",
)


@dataclass(frozen=True, slots=True)
class OpenCase:
    """The parts of an open case the review reads (a plain object: 200,000 model instances cost seconds)."""

    pk: int
    account_id: int
    nosp_served_on: date | None
    nosp_expires_on: date | None
    court_date: date | None
    court_outcome: str
    eviction_date: date | None
    vulnerability_reviewed_on: date | None
    ladder: str
    latest_recommendation_id: int | None  # what the case pointed at when its facts were read, and its action
    latest_action: str | None


def tenancy_ended(as_of: date | None, prefix: str = "tenancy__") -> Q:
    """Tenancies that have ended: marked former, or (for records loaded without the status) past their last day."""
    ended = Q(**{f"{prefix}status": TenancyStatus.FORMER})
    if as_of is not None:
        ended |= Q(**{f"{prefix}end_date__lt": as_of})
    return ended


def accounts_in_scope(
    *,
    account_ids: list[int] | None = None,
    as_of: date | None = None,
    former_after_days: int = 0,
    id_range: tuple[int, int | None] | None = None,
) -> list[int]:
    """Accounts the review looks at: current tenancies' rent accounts owing (the current ladder), ended tenancies' rent
    accounts owing once `former_after_days` have passed since the last day (the former tenants' ladder), every
    rechargeable repairs and sundry account owing (the sundry ladder), and any account with an open case (so a case
    can close: an ended tenancy's current-ladder case is closed, its balance now former-tenant arrears). With
    `id_range` (first, last or None for no upper end), only the accounts whose ids fall in it (a review part)."""
    accounts = Account.objects.all()
    cases = ArrearsCase.objects.filter(status=CaseStatus.OPEN)
    if account_ids is not None:
        accounts = accounts.filter(id__any=account_ids)
        cases = cases.filter(account_id__any=account_ids)
    if id_range is not None:
        first, last = id_range
        accounts, cases = accounts.filter(id__gte=first), cases.filter(account_id__gte=first)
        if last is not None:
            accounts, cases = accounts.filter(id__lte=last), cases.filter(account_id__lte=last)
    ladders = Q(kind=AccountKind.RENT) & ~tenancy_ended(as_of) | Q(kind__in=SUNDRY_KINDS)
    if as_of is not None:
        settled = Q(tenancy__end_date__lte=as_of - timedelta(days=former_after_days)) | Q(
            tenancy__status=TenancyStatus.FORMER, tenancy__end_date__isnull=True
        )
        ladders |= Q(settled, kind=AccountKind.RENT)
    ids = set(accounts.filter(ladders, balance__gt=0).values_list("id", flat=True))  # one pass over the accounts
    return sorted(ids | set(cases.values_list("account_id", flat=True)))


def _among(field: str, ids: list[int]) -> Q:
    """Rows whose `field` is one of `ids`, as one array parameter (`__any`): each account is then one index probe,
    where an id range read every account between the chunk's first and last (three times as many at 36% owing)."""
    return Q(**{f"{field}__any": set(ids)})


def facts_for_accounts(*, account_ids: list[int], as_of: date) -> dict[int, dict]:
    """Input facts (see arrears.facts) by account id, plus `_case`, `_reference`, `_tenancy`, `_scheme`,
    `_patch_officer` and `_ended` (the tenancy has ended) for the review itself."""
    monday = monday_of(as_of)
    # Per account, the newest receipt found by walking the account's date index backwards: usually a row or two,
    # where MAX() over the whole history read every line (3.9 s per 5,000 accounts at 250,000 tenancies).
    newest_receipt = Transaction.objects.filter(
        account_id=OuterRef("pk"), transaction_type__in=RECEIPT_TYPES, amount__lt=0, effective_date__lte=as_of
    ).order_by("-effective_date", "-id")
    accounts = list(
        Account.objects.filter(_among("id", account_ids), kind__in=LADDER_KINDS)
        .annotate(last_payment=Subquery(newest_receipt.values("effective_date")[:1]))
        .values(
            "id",
            "kind",
            "balance",
            "last_payment",
            "tenancy_id",
            "tenancy__tenure_type",
            "tenancy__rent_period",
            "tenancy__property__scheme_id",
            "tenancy__property__patch__officer_id",
            "tenancy__payment_reference",
            "tenancy__status",
            "tenancy__end_date",
            "tenancy__forwarding_address",
        )
    )
    last_payment = {account["id"]: account["last_payment"] for account in accounts}
    for account in accounts:
        account["_ended"] = account["tenancy__status"] == TenancyStatus.FORMER or (
            account["tenancy__end_date"] is not None and account["tenancy__end_date"] < as_of
        )
        account["_ladder"] = ladder_of(account["kind"], account["_ended"])
    weekly = weekly_rent(tenancy_ids={account["tenancy_id"] for account in accounts}, on=as_of)
    this_week = {
        row["account_id"]: row
        for row in Transaction.objects.filter(
            _among("account__id", account_ids), effective_date__gte=monday, effective_date__lte=as_of
        )
        .values("account_id")
        .annotate(net=Sum("amount"), paid=Sum("amount", filter=Q(transaction_type__in=RECEIPT_TYPES, amount__lt=0)))
    }
    cases = {
        row[1]: OpenCase(*row)
        for row in ArrearsCase.objects.filter(_among("account__id", account_ids), status=CaseStatus.OPEN).values_list(
            "id", *OpenCase.__slots__[1:-1], "latest_recommendation__action"
        )
    }
    contacts = _contacts(account_ids, as_of)
    stage_dates = {a: contacts.get(c.pk, {}).get("stage_date") for a, c in cases.items()}
    ladders = ladder_facts(accounts, {a: c.pk for a, c in cases.items()}, last_payment, stage_dates, as_of)
    agreements = _agreements(account_ids, as_of)
    benefit = _benefit_facts(account_ids, as_of)
    pauses = dict(
        Pause.objects.filter(_among("case__account__id", account_ids), case__status=CaseStatus.OPEN)
        .values("case_id")
        .annotate(ends=Max("ends_on"))
        .values_list("case_id", "ends")
    )
    moratoria = _moratoria(account_ids, as_of)
    law = _moratorium_law(as_of) if moratoria else None
    reachable = tenancies_reachable({account["tenancy_id"] for account in accounts})
    review_cutoff = as_of - relativedelta(months=12)
    facts = {}
    for account in accounts:
        account_id, tenancy_id = account["id"], account["tenancy_id"]
        case = cases.get(account_id)
        week = this_week.get(account_id, {})
        contact = contacts.get(case.pk, {}) if case else {}
        agreement = agreements.get(case.pk) if case else None
        agreement_state = (
            agreement_check(agreement_terms(agreement), balance=account["balance"], on=as_of).state
            if agreement and agreement.state in (AgreementState.LIVE, AgreementState.BREACHED)
            else agreement.state
            if agreement
            else None
        )
        tenancy_moratoria = moratoria.get(tenancy_id, [])
        active = next((m for m in reversed(tenancy_moratoria) if m.covers(as_of)), None)
        nosp_expiry = case.nosp_expires_on if case else None
        if nosp_expiry is not None and tenancy_moratoria:
            # R-BS-14: a lapse date inside a moratorium moves to 8 weeks after it ends. While a crisis one's end is not
            # known, the notice is still in time on the review date: the earliest the moved date can be is used.
            moved, _ = deadline_moved(nosp_expiry, tenancy_moratoria, law)
            nosp_expiry = moved or as_of + timedelta(weeks=law.deadline_extension_weeks)
        facts[account_id] = {
            "as_of": as_of,
            "balance": account["balance"],
            "net_since_monday": week.get("net") or ZERO,
            "paid_this_week": -(week.get("paid") or ZERO),
            "_weekly": weekly.get(tenancy_id, WeeklyRent()),  # weekly_rent is set on the policy's weeks basis
            "expected_benefit": benefit.get(account_id, (ZERO, False))[0],
            "last_payment_date": last_payment.get(account_id),
            "last_contact_code": contact.get("code"),
            "last_contact_date": contact.get("date"),
            "last_contact_attempt_date": contact.get("attempt"),
            "last_stage_code": contact.get("stage"),
            "last_stage_date": contact.get("stage_date"),
            "last_letter_failed": contact.get("letter_failed", False),
            "last_letter_returned": contact.get("letter_returned", False),
            "nosp_served_date": case.nosp_served_on if case else None,
            "nosp_expiry_date": nosp_expiry,
            "court_date": case.court_date if case else None,
            "court_outcome": (case.court_outcome or None) if case else None,
            "eviction_date": case.eviction_date if case else None,
            "agreement_state": agreement_state,
            "agreement_type": agreement.agreement_type if agreement else None,
            "agreement_start_date": agreement.starts_on if agreement else None,
            "pause_end_date": pauses.get(case.pk) if case else None,
            "breathing_space": active is not None,
            "moratorium_debt": active.debt if active else ZERO,
            "moratorium_start_date": active.starts_on if active else None,
            "moratorium_end_date": active.ends_on if active else None,
            "vulnerability_review_due": not (
                case and case.vulnerability_reviewed_on and case.vulnerability_reviewed_on > review_cutoff
            ),
            "benefit_claim_pending": benefit.get(account_id, (ZERO, False))[1],
            "tenure_type": account["tenancy__tenure_type"],
            "can_message": tenancy_id in reachable,
            "_case": case,
            "_reference": account["tenancy__payment_reference"],
            "_tenancy": tenancy_id,
            "_scheme": account["tenancy__property__scheme_id"],
            "_patch_officer": account["tenancy__property__patch__officer_id"],
            "_ended": account["_ended"],
            "_ladder": account["_ladder"],
            "_days_since_ended": (as_of - account["tenancy__end_date"]).days
            if account["tenancy__end_date"] is not None
            else None,
            **ladders[account_id],
        }
    return facts


def _email_or_blank(raw: str) -> str:
    try:
        return normalise_email(raw)
    except ValidationError:
        return ""


def tenancies_reachable(tenancy_ids: set) -> set[int]:
    """The tenancies (of `tenancy_ids`) with a named tenant who can be sent a text or an email now (the `can_message`
    fact): agreed to texts, with a UK mobile number not marked wrong; or agreed to emails, with an address; and that
    number or address not opted out. Two queries, whatever the number of tenancies."""
    if not tenancy_ids:
        return set()
    candidates: dict[int, set[str]] = defaultdict(set)
    for tenancy_id, mobile, texts, wrong_on, email, emails in TenancyTenant.objects.filter(
        Q(person__texts_allowed=True, person__mobile_wrong_on__isnull=True) & ~Q(person__mobile="")
        | Q(person__emails_allowed=True) & ~Q(person__email=""),
        tenancy_id__any=tenancy_ids,
    ).values_list(
        "tenancy_id",
        "person__mobile",
        "person__texts_allowed",
        "person__mobile_wrong_on",
        "person__email",
        "person__emails_allowed",
    ):
        if texts and wrong_on is None and (number := mobile_or_blank(mobile)):
            candidates[tenancy_id].add(number)
        if emails and (address := _email_or_blank(email)):
            candidates[tenancy_id].add(address)
    blocked = suppressed_addresses({address for addresses in candidates.values() for address in addresses})
    return {tenancy_id for tenancy_id, addresses in candidates.items() if addresses - set(blocked)}


def _moratoria(account_ids: list[int], as_of: date) -> dict[int, list[Moratorium]]:
    """Every moratorium begun by the review date, by tenancy, oldest first (one query): the active one is held by the
    engine, and any of them may move a deadline (R-BS-14)."""
    found: dict[int, dict[int, Moratorium]] = defaultdict(dict)
    for row in (
        BreathingSpace.objects.filter(
            _among("tenancy__accounts__id", account_ids),
            tenancy__accounts__kind__in=LADDER_KINDS,  # a moratorium covers all the debtor's debts to us
            starts_on__lte=as_of,
        )
        .order_by("starts_on", "id")
        .values("id", "tenancy_id", "starts_on", "ends_on", "kind", "debt_covered")
    ):
        found[row["tenancy_id"]][row["id"]] = Moratorium(
            starts_on=row["starts_on"], ends_on=row["ends_on"], kind=row["kind"], debt=row["debt_covered"]
        )
    return {tenancy_id: list(rows.values()) for tenancy_id, rows in found.items()}


def _moratorium_law(as_of: date) -> MoratoriumLaw:
    """The Breathing Space figures on the review date; the shipped ones if none are in force (a review is never
    stopped by a missing figure; the service that records a moratorium refuses one without them)."""
    try:
        return moratorium_law(as_of)
    except NoThreshold:
        return MoratoriumLaw()


def _benefit_facts(account_ids: list[int], as_of: date) -> dict[int, tuple[Decimal, bool]]:
    """(expected benefit, a complete claim pending) per account that has a claim: two queries, only for those."""
    claims: dict[int, list] = defaultdict(list)
    for claim in BenefitClaim.objects.filter(
        _among("tenancy__accounts__id", account_ids), tenancy__accounts__kind=AccountKind.RENT
    ).values(
        "tenancy__accounts__id",
        "benefit",
        "status",
        "weekly_amount",
        "paid_to_landlord",
        "evidence_complete",
        "started_on",
    ):
        claims[claim["tenancy__accounts__id"]].append(claim)
    if not claims:
        return {}
    newest_credit = Transaction.objects.filter(
        account_id=OuterRef("pk"), transaction_type__in=BENEFIT_TYPES, amount__lt=0, effective_date__lte=as_of
    ).order_by("-effective_date", "-id")
    paid_up_to = {
        account_id: period_end or paid_on
        for account_id, period_end, paid_on in Account.objects.filter(id__any=list(claims))
        .annotate(
            period_end=Subquery(newest_credit.values("period_end")[:1]),
            paid_on=Subquery(newest_credit.values("effective_date")[:1]),
        )
        .values_list("id", "period_end", "paid_on")
    }
    facts = {}
    for account_id, rows in claims.items():
        expected = sum(
            (
                expected_benefit(
                    ClaimTerms(r["benefit"], r["status"], r["weekly_amount"], r["paid_to_landlord"], r["started_on"]),
                    paid_up_to=paid_up_to.get(account_id),
                    as_of=as_of,
                )
                for r in rows
            ),
            ZERO,
        )
        pending = any(r["status"] == ClaimStatus.PENDING and r["evidence_complete"] for r in rows)
        facts[account_id] = (expected, pending)
    return facts


def _agreements(account_ids: list[int], as_of: date) -> dict:
    """The most recent agreement of each open case (not a cancelled one), its state checked live against today's
    balance, so a payment made this morning counts."""
    latest = {}
    for agreement in (
        Agreement.objects.filter(
            _among("case__account__id", account_ids), case__status=CaseStatus.OPEN, starts_on__lte=as_of
        )
        .exclude(state=AgreementState.CANCELLED)
        .order_by("case_id", "starts_on", "id")
    ):
        latest[agreement.case_id] = agreement
    return latest


def _contacts(account_ids: list[int], as_of: date) -> dict[int, dict]:
    """Per case: the latest communication (code and date), the latest ladder step (a contact with a stage code), the
    latest call or visit attempt, and whether the latest letter failed. Contacts of the last 13 months only: older
    ones cannot change any stage of a shipped policy."""
    found: dict[int, dict] = defaultdict(dict)
    rows = (
        Contact.objects.filter(
            _among("case__account__id", account_ids),
            case__status=CaseStatus.OPEN,
            occurred_on__lte=as_of,
            occurred_on__gte=as_of - timedelta(days=400),
        )
        # A note is not communication, but a ladder step recorded as one (a trace, an agency referral) counts.
        .exclude(Q(kind=ContactKind.NOTE) & ~Q(code__in=LADDER_STEP_CODES))
        .exclude(outcome=ContactOutcome.WITHHELD)  # a letter a Breathing Space kept back was never a step taken
        .order_by("case_id", "occurred_on", "id")
        .values_list("case_id", "kind", "code", "outcome", "occurred_on")
    )
    for case_id, kind, code, outcome, occurred_on in rows:
        entry = found[case_id]
        if kind == ContactKind.NOTE:
            entry["stage"], entry["stage_date"] = code, occurred_on
            continue
        entry["code"], entry["date"] = code or kind, occurred_on
        if code and code not in DIARY_ONLY_CODES:
            entry["stage"], entry["stage_date"] = code, occurred_on
        if kind in ATTEMPT_KINDS:
            entry["attempt"] = occurred_on
        if kind == ContactKind.LETTER:
            entry["letter_failed"] = outcome == ContactOutcome.FAILED
            entry["letter_returned"] = outcome == ContactOutcome.RETURNED
    return found
