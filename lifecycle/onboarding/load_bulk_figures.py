"""A new tenancy's figures on the set-based path (see load_bulk.py): `_Prepared`, worked out before writing; the details
its `loaded` and `ended` events keep; and the charges of the weeks the rent run has already run."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q

from incomeapp.money import ZERO, format_money
from lifecycle.ending.figures import balance_left_is
from rentaccounts.charging import ChargeLine, TenancyTerms, charges_due_in_week, monday_of
from rentaccounts.services import Posting, rent_debit_posting
from tenancies.constants import EndReason, PaymentMethod
from tenancies.models import (
    Property,
    RentFreeWeek,
)

from .formats import PEOPLE

_END_LABELS = dict(EndReason.choices)


class _Prepared:
    """One new tenancy's figures worked out before writing."""

    __slots__ = (
        "account_id",
        "balance",
        "charge_ids",
        "charges_from",
        "ended",
        "home_id",
        "id",
        "mandate_reference",
        "new",
        "payment_method",
    )


def _loaded_detail(p: _Prepared, ids) -> dict:
    """The figures the sign-up event keeps (lifecycle.signup.new_tenancy._event_detail), less the letters and first
    period a load has no use for. `opening_balance_date` is read by charge changes: periods up to it are never
    charged again."""
    row, new = p.new.item.row, p.new
    person_ids = ids[PEOPLE]
    detail = {
        "payment_reference": row["payment_reference"],
        "tenure_type": row["tenure_type"],
        "licence_basis": row["licence_basis"],
        "start_date": row["start_date"].isoformat(),
        "rent_period": row["rent_period"],
        "tenants": [{"id": person_ids[person], "lead": index == 0} for index, (person, _) in enumerate(new.tenants)],
        "charges": [
            {"charge_type": s.charge_type, "amount": str(s.amount), "counts_as_rent": s.counts_as_rent}
            for s in new.charges
        ],
        "charges_from": p.charges_from.isoformat(),
        "period_total": str(sum((s.amount for s in new.charges), ZERO)),
        "payment_method": PaymentMethod.DIRECT_DEBIT if p.mandate_reference else row["payment_method"],
    }
    if new.opening_balance_date is not None:
        detail["opening_balance"] = str(new.opening_balance)
        detail["opening_balance_date"] = new.opening_balance_date.isoformat()
    if p.mandate_reference:
        detail["mandate_reference"] = p.mandate_reference
    return detail


def _ended_detail(p: _Prepared) -> dict:
    """As tenancy_end records it; `charges_stopped` lets a later correction of the end give the days back."""
    row = p.new.item.row
    reason = row["end_reason"] or EndReason.OTHER
    end = row["end_date"]
    detail = {
        "last_day": f"{end:%-d %B %Y}",
        "reason": _END_LABELS[reason],
        "balance_after": format_money(p.balance),
        "balance_is": balance_left_is(p.balance),
        "charges_stopped": [
            {"charge": pk, "effective_to_before": None} for pk in p.charge_ids if p.charges_from <= end
        ],
    }
    if p.mandate_reference:
        detail["direct_debits_cancelled"] = [p.mandate_reference]
    if row["forwarding_address"]:
        detail["forwarding_address"] = row["forwarding_address"].replace("\n", ", ")
    return detail


def _weeks_already_run(prepared: list[_Prepared], runs: list) -> list[Posting]:
    """What tenancy_charges_true_up posts for a brand-new tenancy: each charge for every rent period starting in a
    week the rent run has already run (and after the opening balance date), under the rent run's own key."""
    if not runs:
        return []
    latest = runs[-1]
    due = [p for p in prepared if p.charges_from <= latest + timedelta(days=6)]
    if not due:
        return []
    scheme_of = dict(Property.objects.filter(id__in={p.home_id for p in due}).values_list("id", "scheme_id"))
    rent_free: dict[int, set] = defaultdict(set)
    for scheme_id, monday in RentFreeWeek.objects.filter(
        Q(scheme_id__in=set(scheme_of.values())), week_commencing__gte=runs[0]
    ).values_list("scheme_id", "week_commencing"):
        rent_free[scheme_id].add(monday)
    frozen = {scheme_id: frozenset(weeks) for scheme_id, weeks in rent_free.items()}
    postings = []
    for p in due:
        row, new = p.new.item.row, p.new
        end = row["end_date"] if p.ended else None
        terms = TenancyTerms(row["rent_period"], row["start_date"], end)
        lines = [
            ChargeLine(pk, spec.amount, p.charges_from, None)
            for pk, spec in zip(p.charge_ids, new.charges, strict=True)
        ]
        types = {pk: spec.charge_type for pk, spec in zip(p.charge_ids, new.charges, strict=True)}
        from_week = monday_of(max(row["start_date"], p.charges_from - timedelta(days=31)))
        not_before = new.opening_balance_date
        weeks_free = frozen.get(scheme_of[p.home_id], frozenset())
        for week in runs:
            if week < from_week:
                continue
            for line in charges_due_in_week(terms, lines, week, weeks_free):
                if not_before is not None and line.period_start <= not_before:
                    continue
                postings.append(
                    rent_debit_posting(account_id=p.account_id, charge_type=types[line.charge_id], line=line)
                )
                p.balance += line.amount
    return postings
