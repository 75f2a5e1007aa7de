"""Ending a tenancy (`tenancy_end`) and correcting its end (`tenancy_end_correct`): its charges stop on the last
day, its direct debits are cancelled, letters follow the forwarding address, and the event keeps the figures."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from arrears.services import case_close_for_account
from incomeapp.money import format_money
from incomeapp.roles import staff_require
from lifecycle.charges.checks import _opening_balance_date
from rentaccounts.constants import MandateStatus
from rentaccounts.services import account_get_or_create
from rentaccounts.services.direct_debits import direct_debit_mandate_cancel
from rentaccounts.services.tenancy_charges import tenancy_charges_true_up
from tenancies.constants import TenancyEventKind, TenancyStatus
from tenancies.models import Tenancy, TenancyEvent, TenancyTenant
from tenancies.services_people import person_update

from .figures import EndResult, _rent_balance, balance_left_is, final_charges
from .rules import (
    ADDRESS_REASON,
    AFTER_DIRECT_DEBIT,
    END_PERMISSION,
    REASON_LABELS,
    _address,
    _dry_runnable,
    _loaded,
    end_problem,
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


def _recorded(result: EndResult, by, kind: str, reason: str, detail: dict, *, forwarding: str, stopped) -> EndResult:
    """The end's event (`kind`: ended, or end corrected) with its figures, the forwarding address on one line, and the
    charges it stopped (for a later correction to give the days back)."""
    if forwarding:
        detail["forwarding_address"] = forwarding.replace("\n", ", ")
    detail[_CHARGE_RECORD] = stopped
    result.event = TenancyEvent.objects.create(
        tenancy=result.tenancy,
        kind=kind,
        effective_date=result.last_day,
        reason=reason,
        detail=detail,
        recorded_by=by,
    )
    return result


def _figures_detail(result: EndResult) -> dict:
    detail = {
        "last_day": f"{result.last_day:%-d %B %Y}",
        "reason": result.reason_label,
        "last_period_charged": format_money(result.final_total),
        "charges_reversed": format_money(result.reversed_total),
        "charges_added": format_money(result.added_total) if result.added_total else "",
        "balance_after": format_money(result.balance),
        "balance_is": balance_left_is(result.balance),
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
        reason=f"Tenancy ended on {last_day:%-d %B %Y}",
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
    event_reason = note or REASON_LABELS[reason]
    detail = _figures_detail(result)
    return _recorded(result, by, TenancyEventKind.ENDED, event_reason, detail, forwarding=forwarding, stopped=stopped)


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
            reason=f"End of tenancy corrected from {old_last:%-d %B %Y} to {last_day:%-d %B %Y}",
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
        "was": f"last day {old_last:%-d %B %Y}, {REASON_LABELS.get(old_reason, 'no reason')}"
        + (f", forwarding address {old_forwarding.replace(chr(10), ', ')}" if old_forwarding else ""),
        **_figures_detail(result),
    }
    return _recorded(result, by, TenancyEventKind.END_CORRECTED, note, detail, forwarding=forwarding, stopped=stopped)


def tenancy_end_latest(*, tenancy: Tenancy) -> TenancyEvent | None:
    """The newest end (or correction of the end) recorded for a tenancy: its figures are the confirmation page's."""
    return (
        TenancyEvent.objects.filter(tenancy=tenancy, kind__in=[TenancyEventKind.ENDED, TenancyEventKind.END_CORRECTED])
        .order_by("-recorded_at", "-id")
        .first()
    )
