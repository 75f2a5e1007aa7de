"""Ending a tenancy, and the moves that end one tenancy or change who holds it: transfers, mutual exchanges, successions
and assignments. Each is recorded as what it is (a TenancyEvent of its own kind) and the decisions are written down in
docs/ending-tenancies.md.

Ending (`tenancy_end`): the tenancy gets its last day, reason and forwarding address and becomes former; its charges
stop on the last day; the last part period is apportioned by day and anything already posted for later days is reversed
(`rentaccounts.services.tenancy_charges.tenancy_charges_true_up`); active direct debits are cancelled; the open arrears
case is closed, so a debit balance is now former-tenant arrears and a credit is offered for refund or transfer (a
request someone else approves). Ending again with the same details changes nothing; with different details it is
refused: that is `tenancy_end_correct`.

Every service here is keyword-only, one transaction, checks `tenancies.end_tenancy` (`by=None` is the system: the
nightly load), and `dry_run=True` works everything out, postings included, and keeps nothing (the check-your-answers
pages)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.services import case_close_for_account
from incomeapp.money import ZERO, apportion, format_money
from incomeapp.roles import staff_require
from rentaccounts.charging import (
    ChargeLine,
    TenancyTerms,
    chargeable_days,
    monday_of,
    periods_starting_in_week,
)
from rentaccounts.constants import MandateStatus, RequestKind, RequestStatus
from rentaccounts.models import Account, AdjustmentRequest
from rentaccounts.services import account_get_or_create
from rentaccounts.services.approvals import adjustment_request_create
from rentaccounts.services.direct_debits import direct_debit_mandate_cancel
from rentaccounts.services.tenancy_charges import ChargeDifference, rent_run_reached, tenancy_charges_true_up
from tenancies.constants import (
    LICENCE_TENURES,
    EndReason,
    PaymentMethod,
    RentPeriod,
    TenancyEventKind,
    TenancyStatus,
)
from tenancies.history import DATA_LOAD_REASON
from tenancies.models import Person, Property, RentFreeWeek, Tenancy, TenancyEvent, TenancyTenant
from tenancies.selectors import charges_in_effect
from tenancies.services_people import person_update
from tenancies.specs import ChargeSpec

from .charges import CHARGE_LABELS, _opening_balance_date
from .signup import sign_up_charges_default, tenancy_sign_up

END_PERMISSION = "tenancies.end_tenancy"
# How a former tenant pays what is left once their direct debit is cancelled.
AFTER_DIRECT_DEBIT = PaymentMethod.BANK_TRANSFER
REASON_LABELS = dict(EndReason.choices)
ADDRESS_REASON = "Tenancy ended: letters go to the forwarding address"


class _DryRun(Exception):
    """Raised inside a service to roll it back after working out what it would do."""


def _dry_runnable(work, dry_run: bool):
    """Runs `work()` in a transaction; with `dry_run` rolls it back and returns what it worked out."""
    try:
        with transaction.atomic():
            result = work()
            if dry_run:
                raise _DryRun(result)
    except _DryRun as rolled_back:
        return rolled_back.args[0]
    return result


def _address(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _loaded(note: str, reason: str) -> str:
    """A history reason; a write by the data load (its note starts "Data load") says so first, so the history reads
    "data load" rather than "the system"."""
    if (note or "").startswith(DATA_LOAD_REASON):
        return f"{note.split(':')[0]}: {reason}"
    return reason


def _names(people) -> str:
    return ", ".join(person.full_name for person in people)


# ---- the figures -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalCharge:
    """One charge for the tenancy's last rent period, worked out by day."""

    charge_type: str
    amount: Decimal  # a whole period's charge
    period_start: date
    period_end: date
    days_charged: int
    days_in_period: int
    due: Decimal
    run_reached: bool  # the rent run has charged this period already (else it charges `due` when it gets there)

    @property
    def label(self) -> str:
        return CHARGE_LABELS.get(self.charge_type, self.charge_type)

    @property
    def is_part(self) -> bool:
        return self.days_charged != self.days_in_period


def _period_containing(terms: TenancyTerms, day: date) -> tuple[date, date] | None:
    for weeks_back in range(6):  # a monthly period starts at most 31 days before any of its days
        for start, end in periods_starting_in_week(terms, monday_of(day) - timedelta(weeks=weeks_back)):
            if start <= day <= end:
                return start, end
    return None


def final_charges(*, tenancy: Tenancy, last_day: date) -> list[FinalCharge]:
    """The tenancy's charges for the rent period its last day falls in: days charged of the days in the period (less
    rent-free weeks), and the amount apportioned by day (the same rule the rent run uses)."""
    terms = TenancyTerms(tenancy.rent_period, tenancy.start_date, last_day)
    period = _period_containing(terms, last_day)
    if period is None:
        return []
    start, end = period
    rent_free = frozenset(
        RentFreeWeek.objects.filter(
            scheme_id=tenancy.property.scheme_id, week_commencing__gte=monday_of(start), week_commencing__lte=end
        ).values_list("week_commencing", flat=True)
    )
    apply_rent_free = tenancy.rent_period != RentPeriod.MONTHLY
    reached = rent_run_reached()
    days_in_period = (end - start).days + 1
    lines = []
    for charge in tenancy.charges.order_by("charge_type", "effective_from", "id"):
        if charge.effective_from > last_day or (charge.effective_to is not None and charge.effective_to < start):
            continue
        line = ChargeLine(charge.pk, charge.amount, charge.effective_from, charge.effective_to)
        days = chargeable_days(start, end, terms, line, rent_free, apply_rent_free)
        if days <= 0 or charge.amount == ZERO:
            continue
        due = charge.amount if days == days_in_period else apportion(charge.amount, days, days_in_period)
        lines.append(
            FinalCharge(
                charge.charge_type,
                charge.amount,
                start,
                end,
                days,
                days_in_period,
                due,
                reached is not None and reached >= monday_of(start),
            )
        )
    return lines


@dataclass
class EndResult:
    """What ending (or correcting the end of) a tenancy did, or would do on a dry run."""

    tenancy: Tenancy
    last_day: date
    reason: str
    changed: bool
    balance_before: Decimal = ZERO
    balance: Decimal = ZERO
    final_charges: list[FinalCharge] = field(default_factory=list)
    differences: list[ChargeDifference] = field(default_factory=list)
    mandates_cancelled: list[str] = field(default_factory=list)
    case_closed: int | None = None
    addresses_set: list[str] = field(default_factory=list)
    addresses_kept: list[str] = field(default_factory=list)
    event: TenancyEvent | None = None
    previous_last_day: date | None = None  # a correction: the last day it replaced

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def correction_total(self) -> Decimal:
        return sum((d.difference for d in self.differences), ZERO)

    @property
    def reversed_total(self) -> Decimal:
        """Charges already posted for days after the last day, taken off (a positive figure)."""
        return -sum((d.difference for d in self.differences if d.difference < 0), ZERO)

    @property
    def added_total(self) -> Decimal:
        return sum((d.difference for d in self.differences if d.difference > 0), ZERO)

    @property
    def still_to_charge(self) -> Decimal:
        """The last period's charges the rent run has not reached yet: it posts them, by day, when it runs."""
        return sum((c.due for c in self.final_charges if not c.run_reached), ZERO)

    @property
    def final_total(self) -> Decimal:
        return sum((c.due for c in self.final_charges), ZERO)

    @property
    def former_tenant_arrears(self) -> Decimal:
        return self.balance if self.balance > ZERO else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.balance if self.balance < ZERO else ZERO

    @property
    def summary(self) -> str:
        """What happened, in a few sentences, for the success banner."""
        reference = self.tenancy.payment_reference
        if not self.changed:
            return f"Nothing changed: {reference} already ended on {self.last_day:%-d %B %Y} ({self.reason_label})."
        if self.previous_last_day is not None:
            text = (
                f"The end of {reference} is corrected: its last day is {self.last_day:%-d %B %Y} ({self.reason_label})."
            )
        else:
            text = (
                f"{reference} ended on {self.last_day:%-d %B %Y} ({self.reason_label}). Charges stopped after that day."
            )
        if self.reversed_total:
            text += f" {format_money(self.reversed_total)} of charges already posted for later days was reversed."
        if self.added_total:
            text += f" {format_money(self.added_total)} was charged for days now inside the tenancy."
        if self.balance > ZERO:
            text += f" The balance of {format_money(self.balance)} is now former-tenant arrears."
        elif self.balance < ZERO:
            text += f" The account is {format_money(self.credit)} in credit: ask for a refund or a transfer."
        else:
            text += " Nothing is owed."
        if self.case_closed:
            text += " The arrears case was closed."
        if self.mandates_cancelled:
            text += f" Direct debit {', '.join(self.mandates_cancelled)} cancelled."
        return text


def _rent_balance(tenancy: Tenancy) -> Decimal:
    return Account.objects.filter(pk=account_get_or_create(tenancy=tenancy).pk).values_list("balance", flat=True)[0]


# ---- checks ----------------------------------------------------------------------------------------------------------


def end_problem(*, tenancy: Tenancy, last_day: date, reason: str) -> str | None:
    """What is wrong with ending `tenancy` on `last_day` for `reason`, in plain words (None when nothing is)."""
    if reason not in EndReason.values:
        return "Choose why the tenancy ended."
    if last_day < tenancy.start_date:
        return (
            f"The last day cannot be before the tenancy started on {tenancy.start_date:%-d %B %Y}. "
            f"Enter {tenancy.start_date:%-d %B %Y} or later."
        )
    today = timezone.localdate()
    if last_day > today:
        return (
            f"The last day cannot be in the future. Record the end on or after the tenancy's last day "
            f"(today is {today:%-d %B %Y})."
        )
    if reason == EndReason.LICENCE_ENDED and tenancy.tenure_type not in LICENCE_TENURES:
        return "This is a tenancy, not a licence. Choose another reason, such as the tenant's notice or eviction."
    return None


def _require_current(tenancy: Tenancy, what: str) -> None:
    if tenancy.status != TenancyStatus.CURRENT:
        raise ValidationError(
            f"{tenancy.payment_reference} has already ended"
            + (f" (its last day was {tenancy.end_date:%-d %B %Y})" if tenancy.end_date else "")
            + f", so you cannot record {what} on it."
        )


# ---- charges, direct debits and addresses ----------------------------------------------------------------------------

_CHARGE_RECORD = "charges_stopped"  # in an ENDED / END_CORRECTED event: each charge's end before the tenancy ended


def _charge_ends_before(tenancy: Tenancy) -> dict[int, date | None]:
    """Each charge's own last day before any end of tenancy changed it (from the events), earliest record first."""
    found: dict[int, date | None] = {}
    events = TenancyEvent.objects.filter(
        tenancy=tenancy, kind__in=[TenancyEventKind.ENDED, TenancyEventKind.END_CORRECTED]
    ).order_by("recorded_at", "id")
    for event in events:
        for row in (event.detail or {}).get(_CHARGE_RECORD, []):
            was = row.get("effective_to_before")
            found.setdefault(int(row["charge"]), date.fromisoformat(was) if was else None)
    return found


def _charges_end_on(tenancy: Tenancy, last_day: date, by, reason: str) -> list[dict]:
    """Every charge stops on the last day; a correction to a later day gives back the days each had before (a charge
    that was to stop sooner still stops then). Charges starting after the last day are left as they were: the
    tenancy's own end keeps them from ever applying, and a later correction may need them. Returns the charges changed
    for the first time, with their end before, so a correction can undo it."""
    before = _charge_ends_before(tenancy)
    recorded = []
    for charge in tenancy.charges.order_by("effective_from", "id"):
        was = before.get(charge.pk, charge.effective_to)
        stops_later = charge.effective_from <= last_day and (was is None or was > last_day)
        target = last_day if stops_later else was
        if charge.effective_to == target:
            continue
        if charge.pk not in before:
            recorded.append({"charge": charge.pk, "effective_to_before": was.isoformat() if was else None})
        charge.effective_to = target
        charge._history_user = by
        charge._change_reason = reason[:100]
        charge.save(update_fields=["effective_to", "updated_at"])
    return recorded


def _mandates_cancel(tenancy: Tenancy, last_day: date, by) -> list[str]:
    """The tenancy's active direct debits, cancelled from its last day (through the direct-debit service)."""
    cancelled = []
    for mandate in tenancy.direct_debit_mandates.filter(status=MandateStatus.ACTIVE).order_by("id"):
        direct_debit_mandate_cancel(
            mandate=mandate, cancelled_on=last_day, new_payment_method=AFTER_DIRECT_DEBIT, user=by
        )
        cancelled.append(mandate.reference)
    return cancelled


def _addresses_follow(
    by, tenancy: Tenancy, forwarding: str, previous: str = "", reason_note: str = ""
) -> tuple[list[str], list[str]]:
    """Letters to a former tenant go to the forwarding address: it becomes each named tenant's correspondence address
    where they have none (or where it was the previous forwarding address, on a correction). A correspondence address
    they gave themselves is kept; nobody who holds another current tenancy with us is changed (their home is their
    address). Returns the names set and the names kept."""
    if not forwarding:
        return [], []
    set_for, kept_for = [], []
    for person in tenancy.named_tenants():
        if person.merged_into_id:
            continue
        current = _address(person.correspondence_address)
        if current == forwarding:
            continue
        if current and current != _address(previous):
            kept_for.append(person.full_name)
            continue
        other_home = (
            TenancyTenant.objects.filter(person=person, tenancy__status=TenancyStatus.CURRENT)
            .exclude(tenancy=tenancy)
            .exists()
        )
        if other_home:
            continue
        person_update(
            by=by, person=person, reason=_loaded(reason_note, ADDRESS_REASON), correspondence_address=forwarding
        )
        set_for.append(person.full_name)
    return set_for, kept_for


def _figures_detail(result: EndResult) -> dict:
    detail = {
        "last_day": f"{result.last_day:%d/%m/%Y}",
        "reason": result.reason_label,
        "last_period_charged": format_money(result.final_total),
        "charges_reversed": format_money(result.reversed_total),
        "charges_added": format_money(result.added_total) if result.added_total else "",
        "balance_after": format_money(result.balance),
        "balance_is": "former-tenant arrears"
        if result.balance > ZERO
        else "a credit to refund or transfer"
        if result.balance < ZERO
        else "nothing owed",
        "direct_debits_cancelled": result.mandates_cancelled,
        "arrears_case_closed": bool(result.case_closed),
        "correspondence_address_set_for": result.addresses_set,
        "final_period": [
            {
                "charge_type": c.charge_type,
                "period_start": c.period_start.isoformat(),
                "period_end": c.period_end.isoformat(),
                "days_charged": c.days_charged,
                "days_in_period": c.days_in_period,
                "amount": str(c.amount),
                "due": str(c.due),
            }
            for c in result.final_charges
        ],
        "postings": [
            {
                "charge": d.charge_id,
                "period_start": d.period_start.isoformat(),
                "period_end": d.period_end.isoformat(),
                "posted_before": str(d.posted),
                "due_now": str(d.due),
                "difference": str(d.difference),
            }
            for d in result.differences
        ],
    }
    return {key: value for key, value in detail.items() if value not in ("", [], None)}


# ---- ending ----------------------------------------------------------------------------------------------------------


def tenancy_end(
    *,
    by,
    tenancy: Tenancy,
    last_day: date,
    reason: str,
    forwarding_address: str = "",
    note: str = "",
    dry_run: bool = False,
    _follow_addresses: bool = True,
) -> EndResult:
    """Ends a current tenancy on `last_day` (see the module's docstring for all it does). The same end again changes
    nothing (`changed` False); a different end of an ended tenancy is refused: correct it with `tenancy_end_correct`."""
    staff_require(by, END_PERMISSION, "end tenancies")
    forwarding = _address(forwarding_address)

    def work() -> EndResult:
        return _end(
            by=by,
            tenancy=tenancy,
            last_day=last_day,
            reason=reason,
            forwarding=forwarding,
            note=(note or "").strip(),
            follow_addresses=_follow_addresses,
        )

    return _dry_runnable(work, dry_run)


def _unchanged(tenancy: Tenancy) -> EndResult:
    return EndResult(
        tenancy=tenancy,
        last_day=tenancy.end_date,
        reason=tenancy.end_reason,
        changed=False,
        balance_before=_rent_balance(tenancy),
        balance=_rent_balance(tenancy),
    )


def _end(*, by, tenancy, last_day, reason, forwarding, note, follow_addresses) -> EndResult:
    tenancy = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
    if tenancy.status == TenancyStatus.FORMER:
        same = (
            tenancy.end_date == last_day
            and tenancy.end_reason == reason
            and (not forwarding or forwarding == _address(tenancy.forwarding_address))
        )
        if same:
            return _unchanged(tenancy)
        ended = f" on {tenancy.end_date:%-d %B %Y}" if tenancy.end_date else ""
        raise ValidationError(
            f"{tenancy.payment_reference} has already ended{ended} "
            f"({REASON_LABELS.get(tenancy.end_reason, 'no reason recorded')}). To change its last day, reason or "
            "forwarding address, use “Correct the end” on the tenancy's page."
        )
    problem = end_problem(tenancy=tenancy, last_day=last_day, reason=reason)
    if problem:
        raise ValidationError(problem)
    result = EndResult(
        tenancy=tenancy, last_day=last_day, reason=reason, changed=True, balance_before=_rent_balance(tenancy)
    )
    change_reason = _loaded(note, f"Tenancy ended: {REASON_LABELS[reason]}")
    tenancy.end_date, tenancy.status, tenancy.end_reason = last_day, TenancyStatus.FORMER, reason
    tenancy.forwarding_address = forwarding
    tenancy._history_user, tenancy._change_reason = by, change_reason[:100]
    tenancy.save(update_fields=["end_date", "status", "end_reason", "forwarding_address", "updated_at"])
    stopped = _charges_end_on(tenancy, last_day, by, change_reason)
    true_up = tenancy_charges_true_up(
        tenancy=tenancy,
        reason=f"Tenancy ended on {last_day:%d/%m/%Y}",
        affected_from=last_day + timedelta(days=1),
        not_before=_opening_balance_date(tenancy),
        posted_by=by,
    )
    result.differences = true_up.differences
    result.mandates_cancelled = _mandates_cancel(tenancy, last_day, by)
    tenancy.refresh_from_db(fields=["payment_method"])
    result.balance = _rent_balance(tenancy)
    result.case_closed = case_close_for_account(
        account=account_get_or_create(tenancy=tenancy), on=timezone.localdate(), closed_by=by
    )
    if follow_addresses:
        result.addresses_set, result.addresses_kept = _addresses_follow(by, tenancy, forwarding, reason_note=note)
    result.final_charges = final_charges(tenancy=tenancy, last_day=last_day)
    detail = _figures_detail(result)
    if forwarding:
        detail["forwarding_address"] = forwarding.replace("\n", ", ")
    detail[_CHARGE_RECORD] = stopped
    result.event = TenancyEvent.objects.create(
        tenancy=tenancy,
        kind=TenancyEventKind.ENDED,
        effective_date=last_day,
        reason=note or REASON_LABELS[reason],
        detail=detail,
        recorded_by=by,
    )
    return result


def tenancy_end_correct(
    *,
    by,
    tenancy: Tenancy,
    last_day: date,
    note: str,
    reason: str | None = None,
    forwarding_address: str | None = None,
    dry_run: bool = False,
) -> EndResult:
    """Corrects an ended tenancy's last day, reason or forwarding address (None keeps what it is). A new last day
    trues the charges up again from the earlier of the two days; nothing the same changes nothing. `note` says why."""
    staff_require(by, END_PERMISSION, "correct the end of tenancies")

    def work() -> EndResult:
        return _correct(
            by=by, tenancy=tenancy, last_day=last_day, note=note, reason=reason, forwarding=forwarding_address
        )

    return _dry_runnable(work, dry_run)


def _correct(*, by, tenancy, last_day, note, reason, forwarding) -> EndResult:
    tenancy = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
    if tenancy.status != TenancyStatus.FORMER:
        raise ValidationError(
            f"{tenancy.payment_reference} has not ended, so there is no end to correct. Use “End this tenancy”."
        )
    reason = reason or tenancy.end_reason
    forwarding = _address(tenancy.forwarding_address) if forwarding is None else _address(forwarding)
    old_last, old_reason, old_forwarding = tenancy.end_date, tenancy.end_reason, _address(tenancy.forwarding_address)
    if (last_day, reason, forwarding) == (old_last, old_reason, old_forwarding):
        return _unchanged(tenancy)
    note = (note or "").strip()
    if not note:
        raise ValidationError("Say why the end is being corrected: it is kept in the tenancy's history.")
    problem = end_problem(tenancy=tenancy, last_day=last_day, reason=reason)
    if problem:
        raise ValidationError(problem)
    result = EndResult(
        tenancy=tenancy,
        last_day=last_day,
        reason=reason,
        changed=True,
        balance_before=_rent_balance(tenancy),
        previous_last_day=old_last,
    )
    change_reason = _loaded(note, f"End of tenancy corrected: {note}")
    tenancy.end_date, tenancy.end_reason, tenancy.forwarding_address = last_day, reason, forwarding
    tenancy._history_user, tenancy._change_reason = by, change_reason[:100]
    tenancy.save(update_fields=["end_date", "end_reason", "forwarding_address", "updated_at"])
    stopped = _charges_end_on(tenancy, last_day, by, change_reason)
    if last_day != old_last:
        true_up = tenancy_charges_true_up(
            tenancy=tenancy,
            reason=f"End of tenancy corrected from {old_last:%d/%m/%Y} to {last_day:%d/%m/%Y}",
            affected_from=min(old_last, last_day) + timedelta(days=1),
            not_before=_opening_balance_date(tenancy),
            posted_by=by,
        )
        result.differences = true_up.differences
    result.balance = _rent_balance(tenancy)
    if forwarding != old_forwarding:
        result.addresses_set, result.addresses_kept = _addresses_follow(
            by, tenancy, forwarding, old_forwarding, reason_note=note
        )
    result.final_charges = final_charges(tenancy=tenancy, last_day=last_day)
    detail = {
        "was": f"last day {old_last:%d/%m/%Y}, {REASON_LABELS.get(old_reason, 'no reason')}"
        + (f", forwarding address {old_forwarding.replace(chr(10), ', ')}" if old_forwarding else ""),
        **_figures_detail(result),
    }
    if forwarding:
        detail["forwarding_address"] = forwarding.replace("\n", ", ")
    detail[_CHARGE_RECORD] = stopped
    result.event = TenancyEvent.objects.create(
        tenancy=tenancy,
        kind=TenancyEventKind.END_CORRECTED,
        effective_date=last_day,
        reason=note,
        detail=detail,
        recorded_by=by,
    )
    return result


def tenancy_end_latest(*, tenancy: Tenancy) -> TenancyEvent | None:
    """The newest end (or correction of the end) recorded for a tenancy: its figures are the confirmation page's."""
    return (
        TenancyEvent.objects.filter(tenancy=tenancy, kind__in=[TenancyEventKind.ENDED, TenancyEventKind.END_CORRECTED])
        .order_by("-recorded_at", "-id")
        .first()
    )


# ---- a credit left at the end: refund or transfer (maker and checker) ------------------------------------------------


def credit_request_pending(*, tenancy: Tenancy) -> AdjustmentRequest | None:
    """A refund or transfer of this rent account's balance already waiting for a decision."""
    account = account_get_or_create(tenancy=tenancy)
    return (
        AdjustmentRequest.objects.filter(
            status=RequestStatus.PENDING, kind__in=[RequestKind.REFUND, RequestKind.TRANSFER]
        )
        .filter(account=account)
        .order_by("created_at")
        .first()
    )


def _credit_account(by, tenancy: Tenancy) -> tuple[Account, Decimal]:
    if by is None:
        raise ValidationError("A refund or transfer is asked for by a person, so that someone else can approve it.")
    account = Account.objects.get(pk=account_get_or_create(tenancy=tenancy).pk)
    if account.balance >= ZERO:
        raise ValidationError(
            f"{tenancy.payment_reference} is not in credit (the balance is {format_money(account.balance)}), so there "
            "is nothing to refund or transfer."
        )
    if credit_request_pending(tenancy=tenancy):
        raise ValidationError(
            f"A refund or transfer of {tenancy.payment_reference}'s credit is already waiting for approval. "
            "See Approvals."
        )
    return account, -account.balance


@transaction.atomic
def credit_refund_request(*, by, tenancy: Tenancy, reason: str = "") -> AdjustmentRequest:
    """Asks for the whole credit on the rent account to be refunded; someone else approves it (Approvals)."""
    account, credit = _credit_account(by, tenancy)
    ended = f" when the tenancy ended on {tenancy.end_date:%d/%m/%Y}" if tenancy.end_date else ""
    return adjustment_request_create(
        kind=RequestKind.REFUND,
        account=account,
        amount=credit,
        reason=(reason or "").strip() or f"Refund of the credit left{ended}.",
        requested_by=by,
    )


@transaction.atomic
def credit_transfer_request(*, by, tenancy: Tenancy, to_tenancy: Tenancy, reason: str = "") -> AdjustmentRequest:
    """Asks for the whole credit to move to another tenancy's rent account; someone else approves it."""
    if to_tenancy.pk == tenancy.pk:
        raise ValidationError("Choose a different tenancy to transfer the credit to.")
    account, credit = _credit_account(by, tenancy)
    ended = f" when the tenancy ended on {tenancy.end_date:%d/%m/%Y}" if tenancy.end_date else ""
    return adjustment_request_create(
        kind=RequestKind.TRANSFER,
        account=account,
        to_account=account_get_or_create(tenancy=to_tenancy),
        amount=credit,
        reason=(reason or "").strip()
        or f"Credit left on {tenancy.payment_reference}{ended}, moved to {to_tenancy.payment_reference}.",
        requested_by=by,
    )


def balance_carry_request(*, by, from_tenancy: Tenancy, to_tenancy: Tenancy, reason: str) -> AdjustmentRequest | None:
    """Asks for an ended tenancy's whole balance, debit or credit, to move to another tenancy's rent account (a
    transfer request someone else approves). A debt moves as a transfer whose paying side is the new account: the
    new account is charged the sum and the old one credited with it. None when the balance is nothing."""
    if by is None:
        raise ValidationError("A balance is carried by a request that someone else approves, so a person must ask.")
    old = Account.objects.get(pk=account_get_or_create(tenancy=from_tenancy).pk)
    new = account_get_or_create(tenancy=to_tenancy)
    if old.balance == ZERO:
        return None
    debt = old.balance > ZERO
    return adjustment_request_create(
        kind=RequestKind.TRANSFER,
        account=new if debt else old,
        to_account=old if debt else new,
        amount=abs(old.balance),
        reason=reason,
        requested_by=by,
    )


# ---- transfers and mutual exchanges: one tenancy ends, another starts ------------------------------------------------


@dataclass
class SignedUp:
    """A tenancy signed up by a move, with what the confirmation (or, on a dry run, the check page) shows of it."""

    tenancy: Tenancy
    tenants: list[Person]
    charges: list[ChargeSpec]
    balance: Decimal

    @property
    def charge_lines(self) -> list[tuple[str, Decimal]]:
        return [(CHARGE_LABELS.get(c.charge_type, c.charge_type), c.amount) for c in self.charges]


@dataclass
class MoveResult:
    """A transfer or mutual exchange: the tenancies that ended, the ones signed up, and any balance request."""

    kind: str
    ended: list[EndResult] = field(default_factory=list)
    signed_up: list[SignedUp] = field(default_factory=list)
    requests: list[AdjustmentRequest] = field(default_factory=list)
    events: list[TenancyEvent] = field(default_factory=list)

    @property
    def new_tenancies(self) -> list[Tenancy]:
        return [s.tenancy for s in self.signed_up]

    def _record(self, tenancy: Tenancy, start: date) -> None:
        self.signed_up.append(
            SignedUp(tenancy, tenancy.named_tenants(), _tenancy_charges(tenancy, start), _rent_balance(tenancy))
        )


def _tenancy_charges(tenancy: Tenancy, on: date) -> list[ChargeSpec]:
    return [
        ChargeSpec(c.charge_type, c.amount, c.counts_as_rent)
        for c in charges_in_effect(list(tenancy.charges.all()), on)
        if c.amount != ZERO
    ]


def _sign_up(*, by, property, old: Tenancy, start_date, tenants, charges, payment_method, send_letters, tenure_type=""):
    tenure = tenure_type or old.tenure_type
    return tenancy_sign_up(
        by=by,
        property=property,
        tenure_type=tenure,
        start_date=start_date,
        tenants=tenants,
        rent_period=old.rent_period,
        charges=charges,
        payment_method=payment_method,
        licence_basis=old.licence_basis if tenure in LICENCE_TENURES else "",
        send_letters=send_letters,
    ).tenancy


def _payment_method_after(old: Tenancy) -> str:
    """How a moved tenancy pays at first: as before, unless that was the direct debit the end cancelled."""
    return AFTER_DIRECT_DEBIT if old.payment_method == PaymentMethod.DIRECT_DEBIT else old.payment_method


def tenancy_transfer(
    *,
    by,
    tenancy: Tenancy,
    to_property: Property,
    start_date: date,
    carry_balance: bool,
    charges: list[ChargeSpec] | None = None,
    tenure_type: str = "",
    payment_method: str = "",
    note: str = "",
    send_letters: bool = True,
    dry_run: bool = False,
) -> MoveResult:
    """A transfer to another of our homes: the tenancy ends the day before `start_date` (reason transfer) and a new
    one for the same named tenants starts at `to_property` (its own charges from that day unless `charges` are given;
    the same tenure unless `tenure_type` is). The old balance is either kept as former-tenant arrears (or a credit to
    refund), or, with `carry_balance`, carried to the new rent account by a transfer request someone else approves.
    Both tenancies record a TRANSFER event that names the other."""
    staff_require(by, END_PERMISSION, "record transfers")
    if carry_balance and by is None:
        raise ValidationError("A balance is carried by a request that someone else approves, so a person must ask.")

    def work() -> MoveResult:
        old = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
        _require_current(old, "a transfer")
        if to_property.pk == old.property_id:
            raise ValidationError("Choose a different home: a transfer moves the tenants to another of our homes.")
        new_charges = (
            charges
            if charges is not None
            else sign_up_charges_default(property=to_property, rent_period=old.rent_period, on=start_date)
        )
        if not new_charges:
            raise ValidationError(
                f"{to_property} has no charges set from {start_date:%-d %B %Y}. Enter the new tenancy's charges."
            )
        tenants = old.named_tenants()
        result = MoveResult(kind=TenancyEventKind.TRANSFER)
        ended = _end(
            by=by,
            tenancy=old,
            last_day=start_date - timedelta(days=1),
            reason=EndReason.TRANSFER,
            forwarding=_address("\n".join(to_property.address_lines)),
            note=(note or "").strip() or f"Transfer to {to_property}",
            follow_addresses=False,
        )
        result.ended.append(ended)
        new = _sign_up(
            by=by,
            property=to_property,
            old=old,
            start_date=start_date,
            tenants=tenants,
            charges=new_charges,
            payment_method=payment_method or _payment_method_after(old),
            send_letters=send_letters and not dry_run,
            tenure_type=tenure_type,
        )
        result._record(new, start_date)
        request = None
        if carry_balance:
            request = balance_carry_request(
                by=by,
                from_tenancy=old,
                to_tenancy=new,
                reason=f"Transfer from {old.payment_reference} to {new.payment_reference}: the balance of "
                f"{format_money(ended.balance)} carried to the new home.",
            )
            if request:
                result.requests.append(request)
        detail = {
            "from": f"{old.payment_reference}, {old.property}",
            "to": f"{new.payment_reference}, {to_property}",
            "named_tenants": _names(tenants),
            "old_balance": format_money(ended.balance),
            "old_balance_is": (
                f"carried to {new.payment_reference} when request {request.pk} is approved"
                if request
                else "former-tenant arrears"
                if ended.balance > ZERO
                else "a credit to refund or transfer"
                if ended.balance < ZERO
                else "nothing owed"
            ),
        }
        if request:
            detail["balance_request"] = request.pk
        for this, other in ((old, new), (new, old)):
            result.events.append(
                TenancyEvent.objects.create(
                    tenancy=this,
                    kind=TenancyEventKind.TRANSFER,
                    effective_date=start_date,
                    reason=(note or "").strip() or "Transfer to another of our homes",
                    detail=detail,
                    related_tenancy=other,
                    recorded_by=by,
                )
            )
        return result

    return _dry_runnable(work, dry_run)


def tenancy_mutual_exchange(
    *,
    by,
    tenancy: Tenancy,
    on: date,
    incoming_tenants: list[Person] | None = None,
    partner_tenancy: Tenancy | None = None,
    forwarding_address: str = "",
    payment_method: str = "",
    note: str = "",
    send_letters: bool = True,
    dry_run: bool = False,
) -> MoveResult:
    """A mutual exchange from `on` (the incoming tenants' first day). In law it is usually by assignment: the incoming
    tenants take over the tenancy on its terms. Rentwise records it as the outgoing tenancy ending the day before
    (reason mutual exchange, its balance staying with the outgoing tenants) and a new tenancy of the same home, tenure,
    rent period and charges for the incoming tenants, with its own payment reference and rent account
    (docs/ending-tenancies.md says why). With `partner_tenancy` (the incoming tenants are ours too) that tenancy ends
    the same way and the outgoing tenants take over its home: both sides in one go. Every tenancy involved records a
    MUTUAL_EXCHANGE event naming its counterpart."""
    staff_require(by, END_PERMISSION, "record mutual exchanges")

    def work() -> MoveResult:
        ours = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
        _require_current(ours, "a mutual exchange")
        partner = None
        if partner_tenancy is not None:
            partner = Tenancy.objects.select_for_update().select_related("property").get(pk=partner_tenancy.pk)
            if partner.pk == ours.pk:
                raise ValidationError("Choose the other tenancy in the exchange, not this one.")
            _require_current(partner, "a mutual exchange")
        incoming = list(incoming_tenants or (partner.named_tenants() if partner else []))
        if not incoming:
            raise ValidationError("Choose the incoming tenants: the people who take over this home.")
        result = MoveResult(kind=TenancyEventKind.MUTUAL_EXCHANGE)
        last_day = on - timedelta(days=1)
        sides = [(ours, incoming)]
        if partner:
            sides.append((partner, ours.named_tenants()))
        # Both ends first (each home must be free), then both sign-ups.
        forwarding_for = {ours.pk: _address(forwarding_address)}
        if partner:
            forwarding_for = {
                ours.pk: _address("\n".join(partner.property.address_lines)),
                partner.pk: _address("\n".join(ours.property.address_lines)),
            }
        ended = {}
        for old, _ in sides:
            charges = _tenancy_charges(old, last_day)
            ended[old.pk] = (
                _end(
                    by=by,
                    tenancy=old,
                    last_day=last_day,
                    reason=EndReason.MUTUAL_EXCHANGE,
                    forwarding=forwarding_for.get(old.pk, ""),
                    note=(note or "").strip() or "Mutual exchange",
                    follow_addresses=partner is None,
                ),
                charges,
            )
            result.ended.append(ended[old.pk][0])
        for old, people in sides:
            new = _sign_up(
                by=by,
                property=old.property,
                old=old,
                start_date=on,
                tenants=people,
                charges=ended[old.pk][1],
                payment_method=payment_method or PaymentMethod.BANK_TRANSFER,
                send_letters=send_letters and not dry_run,
            )
            result._record(new, on)
            detail = {
                "home": str(old.property),
                "outgoing_tenancy": old.payment_reference,
                "outgoing_tenants": _names(old.named_tenants()),
                "incoming_tenancy": new.payment_reference,
                "incoming_tenants": _names(people),
                "recorded_as": "assignment: same tenure, rent and charges; a new rent account for the incoming "
                "tenants, the outgoing tenants' balance staying with them",
                "outgoing_balance": format_money(ended[old.pk][0].balance),
            }
            if partner:
                detail["exchanged_with"] = (partner if old.pk == ours.pk else ours).payment_reference
            for this, other in ((old, new), (new, old)):
                result.events.append(
                    TenancyEvent.objects.create(
                        tenancy=this,
                        kind=TenancyEventKind.MUTUAL_EXCHANGE,
                        effective_date=on,
                        reason=(note or "").strip() or "Mutual exchange",
                        detail=detail,
                        related_tenancy=other,
                        recorded_by=by,
                    )
                )
        return result

    return _dry_runnable(work, dry_run)


# ---- successions and assignments: the named tenants change, the tenancy continues ------------------------------------


@dataclass
class NamedTenantsResult:
    tenancy: Tenancy
    changed: bool
    before: list[Person] = field(default_factory=list)
    after: list[Person] = field(default_factory=list)
    event: TenancyEvent | None = None

    @property
    def removed(self) -> list[Person]:
        return [p for p in self.before if p.pk not in {a.pk for a in self.after}]

    @property
    def added(self) -> list[Person]:
        return [p for p in self.after if p.pk not in {b.pk for b in self.before}]


def _named_tenants_set(tenancy: Tenancy, people: list[Person], on: date) -> None:
    """Makes the tenancy's named tenants exactly `people`, the first the lead. Those who leave keep their row with
    `left_on` (so their page still lists the tenancy they held); those who join get `joined_on`."""
    wanted = [p.pk for p in people]
    TenancyTenant.objects.filter(tenancy=tenancy).exclude(person_id__in=wanted).update(left_on=on, is_lead=False)
    rows = {row.person_id: row for row in TenancyTenant.every_row.filter(tenancy=tenancy)}
    for index, person_id in enumerate(wanted):
        lead = index == 0
        row = rows.get(person_id)
        if row is None:
            TenancyTenant.objects.create(tenancy=tenancy, person_id=person_id, is_lead=lead, joined_on=on)
        elif row.is_lead != lead or row.left_on is not None:
            if row.left_on is not None:
                row.left_on, row.joined_on = None, on
            row.is_lead = lead
            row.save(update_fields=["is_lead", "left_on", "joined_on"])


def _named_tenants_change(*, by, tenancy, on, people, reason, kind, what, extra) -> NamedTenantsResult:
    tenancy = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
    _require_current(tenancy, what)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"Give the reason for the {what}: it is kept in the tenancy's history.")
    if on < tenancy.start_date:
        raise ValidationError(
            f"The {what} cannot take effect before the tenancy started on {tenancy.start_date:%-d %B %Y}."
        )
    if on > timezone.localdate():
        raise ValidationError(f"The {what} date cannot be in the future. Record it once it has taken effect.")
    if not people:
        raise ValidationError("Choose at least one named tenant.")
    if len({p.pk for p in people}) != len(people):
        raise ValidationError("Each person can be named once.")
    merged = [p.full_name for p in people if p.merged_into_id]
    if merged:
        raise ValidationError(
            f"{', '.join(merged)} was merged into another record. Choose the record they were merged into."
        )
    before = tenancy.named_tenants()
    result = NamedTenantsResult(tenancy=tenancy, changed=False, before=before, after=list(people))
    if [p.pk for p in before] == [p.pk for p in people]:
        result.after = before
        return result
    result.changed = True
    _named_tenants_set(tenancy, people, on)
    detail = {
        "named_tenants_before": _names(before),
        "named_tenants_after": _names(people),
        **extra,
        "people_removed": [p.pk for p in result.removed],
        "people_added": [p.pk for p in result.added],
    }
    result.event = TenancyEvent.objects.create(
        tenancy=tenancy, kind=kind, effective_date=on, reason=reason, detail=detail, recorded_by=by
    )
    return result


@transaction.atomic
def tenancy_succession(
    *, by, tenancy: Tenancy, on: date, successor: Person, deceased: Person, reason: str
) -> NamedTenantsResult:
    """A named tenant has died and `successor` succeeds: the deceased leaves the named tenants and the successor is
    added (or, already a joint tenant, continues alone: survivorship), the lead where the deceased was. The tenancy,
    its account and its balance continue. Recorded as a SUCCESSION event with the names before and after."""
    staff_require(by, END_PERMISSION, "record successions")
    current = Tenancy.objects.get(pk=tenancy.pk).named_tenants()
    if deceased.pk not in {p.pk for p in current}:
        raise ValidationError(f"{deceased.full_name} is not a named tenant of {tenancy.payment_reference}.")
    if successor.pk == deceased.pk:
        raise ValidationError("The successor must be someone other than the tenant who died.")
    survivorship = successor.pk in {p.pk for p in current}
    remaining = [p for p in current if p.pk not in (deceased.pk, successor.pk)]
    if current[0].pk == deceased.pk:  # the successor takes the lead
        people = [successor, *remaining]
    elif survivorship:
        people = [p for p in current if p.pk != deceased.pk]
    else:
        people = [*[p for p in current if p.pk != deceased.pk], successor]
    return _named_tenants_change(
        by=by,
        tenancy=tenancy,
        on=on,
        people=people,
        reason=reason,
        kind=TenancyEventKind.SUCCESSION,
        what="succession",
        extra={
            "deceased": deceased.full_name,
            "successor": successor.full_name,
            "by_survivorship": survivorship,
        },
    )


@transaction.atomic
def tenancy_assignment(*, by, tenancy: Tenancy, on: date, new_tenants: list[Person], reason: str) -> NamedTenantsResult:
    """The tenancy is assigned: its named tenants become `new_tenants` (lead first). The tenancy, its account and its
    balance continue. Recorded as an ASSIGNMENT event with the names before and after; the same tenants again change
    nothing."""
    staff_require(by, END_PERMISSION, "record assignments")
    return _named_tenants_change(
        by=by,
        tenancy=tenancy,
        on=on,
        people=list(new_tenants),
        reason=reason,
        kind=TenancyEventKind.ASSIGNMENT,
        what="assignment",
        extra={},
    )


__all__ = [
    "EndResult",
    "FinalCharge",
    "MoveResult",
    "NamedTenantsResult",
    "balance_carry_request",
    "credit_refund_request",
    "credit_request_pending",
    "credit_transfer_request",
    "end_problem",
    "final_charges",
    "tenancy_assignment",
    "tenancy_end",
    "tenancy_end_correct",
    "tenancy_end_latest",
    "tenancy_mutual_exchange",
    "tenancy_succession",
    "tenancy_transfer",
]
