"""The facts of the former tenants' and sundry ladders (issue 16), for a chunk of accounts at once: a fixed number of
set-based queries whatever the chunk's size, and none at all for a chunk of current tenants' rent accounts untouched
by an insolvency order (the weekly review's usual chunk), so the 250,000-account review stays fast.

Which ladder an account is on (`ladder_of`): a rechargeable repairs or sundry account is on the sundry ladder; a rent
account is on the former tenants' ladder once its tenancy has ended, else on the current ladder. Court costs are not
laddered: costs awarded by a possession order are recovered with the rent under the order's terms (docs/debts.md).

What part of a debt may be pursued comes from `rentaccounts.selectors_debts.debt_positions`: for the former and sundry
ladders the thresholds read `recoverable_balance` (the balance less the part out of time and the part covered by a
bankruptcy or debt relief order). For a current tenant only an order's part is taken off: limitation is not worked for
a current tenancy, whose regular payments and charges keep the account's debt within time (each payment restarts the
six years, R-DP-02), and the account page shows the limitation date all the same.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Min, Q

from incomeapp.money import ZERO, to_money
from rentaccounts.constants import AccountKind
from rentaccounts.models import InsolvencyOrder, Invoice, Transaction
from rentaccounts.selectors_debts import debt_positions
from tenancies.constants import TenancyStatus
from tenancies.models import TenancyTenant

from .constants import Ladder, ReferralStatus
from .models import DebtAgencyReferral

SUNDRY_KINDS = (AccountKind.RECHARGEABLE_REPAIRS, AccountKind.SUNDRY)
LADDER_KINDS = (AccountKind.RENT, *SUNDRY_KINDS)  # court costs: recovered with the rent under the order
# Steps of these ladders recorded on a case by their own services (tracing, the agency, the money claim, invoices):
# each is the case's latest ladder step (`last_stage_code`) whatever kind of contact carries it, a note included.
LADDER_STEP_CODES = (
    "trace_found",
    "trace_not_found",
    "referred_to_agency",
    "agency_returned",
    "money_claim_pack",
    "invoice_sent",
)


def ladder_of(kind: str, ended: bool) -> str:
    if kind in SUNDRY_KINDS:
        return Ladder.SUNDRY
    return Ladder.FORMER if ended else Ladder.CURRENT


def ladder_facts(accounts: list[dict], case_ids: dict[int, int], last_payment: dict, stage_dates: dict, as_of: date):
    """The ladder facts by account id. `accounts` are the review's account rows (with `_ladder`), `case_ids` each
    account's open case, `last_payment` each account's newest payment date, `stage_dates` each account's latest ladder
    step date. Every account gets every fact (a current tenant's are mostly "not recorded")."""
    worked = [a for a in accounts if a["_ladder"] != Ladder.CURRENT]
    current_tenancies = {a["tenancy_id"] for a in accounts if a["_ladder"] == Ladder.CURRENT}
    touched = _tenancies_with_orders(current_tenancies, as_of) if current_tenancies else set()
    positions_for = [a["id"] for a in worked] + [
        a["id"] for a in accounts if a["_ladder"] == Ladder.CURRENT and a["tenancy_id"] in touched
    ]
    positions = debt_positions(account_ids=positions_for, on=as_of) if positions_for else {}
    people = _people(worked)
    elsewhere = _current_tenancies_of({p for rows in people.values() for p, _ in rows}, as_of)
    referrals = _referrals([case_ids[a["id"]] for a in worked if a["id"] in case_ids])
    invoices = _oldest_unpaid([a for a in worked if a["_ladder"] == Ladder.SUNDRY], as_of)
    facts = {}
    for account in accounts:
        account_id, ladder = account["id"], account["_ladder"]
        balance = account["balance"]
        position = positions.get(account_id)
        last_paid = last_payment.get(account_id)
        stage_date = stage_dates.get(account_id)
        row = {
            "ladder": str(ladder),
            "recoverable_balance": balance,
            "out_of_time_amount": ZERO,
            "insolvency_covered_amount": ZERO,
            "days_since_last_payment": Decimal((as_of - last_paid).days) if last_paid else None,
            "paid_since_last_stage": bool(last_paid and stage_date and last_paid >= stage_date),
            "_insolvency_covered": ZERO,
        }
        if position is not None:
            covered = to_money(min(max(position.insolvency_covered, ZERO), max(balance, ZERO)))
            row["insolvency_covered_amount"] = row["_insolvency_covered"] = covered
            if ladder == Ladder.CURRENT:
                row["recoverable_balance"] = max(balance - covered, ZERO)
            else:
                row["recoverable_balance"] = to_money(min(position.recoverable, max(balance, ZERO)))
                row["out_of_time_amount"] = to_money(position.out_of_time)
        if ladder != Ladder.CURRENT:
            tenancy_id = account["tenancy_id"]
            named = people.get(tenancy_id, [])
            own = [elsewhere[p] for p, _ in named if p in elsewhere and elsewhere[p][0] != tenancy_id]
            ended_on = account["tenancy__end_date"]
            case_id = case_ids.get(account_id)
            live, returned = referrals.get(case_id, (False, False)) if case_id else (False, False)
            oldest = invoices.get(account_id)
            row |= {
                "forwarding_address_known": bool(account["tenancy__forwarding_address"].strip())
                or any(address for _, address in named),
                "current_tenancy_elsewhere": bool(own),
                "current_tenancy_elsewhere_reference": own[0][1] if own else None,
                "months_since_ended": Decimal(_months(ended_on, as_of)) if ended_on and ended_on < as_of else None,
                "agency_referral_live": live,
                "agency_returned_unpaid": returned,
                "oldest_unpaid_invoice_date": oldest,
                "invoice_age_days": Decimal((as_of - oldest).days) if oldest else None,
            }
        facts[account_id] = row
    return facts


def _months(since: date, as_of: date) -> int:
    delta = relativedelta(as_of, since)
    return delta.years * 12 + delta.months


def _tenancies_with_orders(tenancy_ids: set[int], as_of: date) -> set[int]:
    """Current tenancies a named tenant of which has a bankruptcy or debt relief order made by the review date (one
    query on the small orders table; almost always empty)."""
    people = InsolvencyOrder.objects.filter(made_on__lte=as_of).values("person_id")
    return set(
        TenancyTenant.every_row.filter(tenancy_id__any=tenancy_ids, person_id__in=people).values_list(
            "tenancy_id", flat=True
        )
    )


def _people(accounts: list[dict]) -> dict[int, list[tuple[int, str]]]:
    """Each tenancy's named tenants now, with their correspondence address (where letters go; lifecycle makes it the
    forwarding address when a tenancy ends)."""
    found = defaultdict(list)
    tenancy_ids = {a["tenancy_id"] for a in accounts}
    if not tenancy_ids:
        return found
    for tenancy_id, person_id, address in TenancyTenant.objects.filter(tenancy_id__any=tenancy_ids).values_list(
        "tenancy_id", "person_id", "person__correspondence_address"
    ):
        found[tenancy_id].append((person_id, (address or "").strip()))
    return found


def _current_tenancies_of(person_ids: set[int], as_of: date) -> dict[int, tuple[int, str]]:
    """For each person who is a named tenant of a current tenancy: (that tenancy's id, payment reference)."""
    if not person_ids:
        return {}
    rows = (
        TenancyTenant.objects.filter(person_id__any=person_ids, tenancy__status=TenancyStatus.CURRENT)
        .filter(Q(tenancy__end_date__isnull=True) | Q(tenancy__end_date__gte=as_of))
        .order_by("person_id", "-tenancy__start_date", "-tenancy_id")
        .values_list("person_id", "tenancy_id", "tenancy__payment_reference")
    )
    found = {}
    for person_id, tenancy_id, reference in rows:
        found.setdefault(person_id, (tenancy_id, reference))
    return found


def _referrals(case_ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """(a referral is live, the latest came back not collected in full) by case."""
    found: dict[int, tuple[bool, bool]] = {}
    if not case_ids:
        return found
    live_states = (ReferralStatus.REFERRED, ReferralStatus.SENT)
    for case_id, status in (
        DebtAgencyReferral.objects.filter(case_id__any=case_ids)
        .order_by("case_id", "referred_on", "id")
        .values_list("case_id", "status")
    ):
        was_live = found.get(case_id, (False, False))[0]
        found[case_id] = (was_live or status in live_states, status == ReferralStatus.RETURNED)
    return found


def _oldest_unpaid(accounts: list[dict], as_of: date) -> dict[int, date]:
    """The date of each sundry account's oldest unpaid invoice, payments taken oldest first (FIFO): walking back from
    the newest invoice until the invoices add up to the balance. An account with debts but no invoice (loaded from an
    older system) takes the date of its oldest debit."""
    owing = {a["id"]: a["balance"] for a in accounts if a["balance"] > 0}
    if not owing:
        return {}
    found: dict[int, date] = {}
    running: dict[int, object] = defaultdict(lambda: ZERO)
    oldest: dict[int, date] = {}
    for account_id, dated, amount in (
        Invoice.objects.filter(account_id__any=list(owing), dated__lte=as_of)
        .order_by("account_id", "-dated", "-id")
        .values_list("account_id", "dated", "amount")
    ):
        oldest[account_id] = dated  # newest first: the last one seen is the oldest
        if account_id in found:
            continue
        running[account_id] += amount
        if running[account_id] >= owing[account_id]:
            found[account_id] = dated
    without = [account_id for account_id in owing if account_id not in found and account_id not in running]
    if without:
        found.update(
            Transaction.objects.filter(account_id__any=without, amount__gt=0, effective_date__lte=as_of)
            .values("account_id")
            .annotate(first=Min("effective_date"))
            .values_list("account_id", "first")
        )
    # Invoices that add up to less than the balance: the oldest invoice is unpaid.
    for account_id in running:
        found.setdefault(account_id, oldest[account_id])
    return found
