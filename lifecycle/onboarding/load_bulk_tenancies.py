"""The set-based path's new tenancies (see load_bulk.py): each written as tenancy_sign_up makes it, table by table, and
one whose last day has passed as tenancy_end leaves it."""

import time
from datetime import date

from incomeapp.money import ZERO
from rentaccounts.constants import AccountKind, MandateStatus, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, RentRun
from rentaccounts.services import Posting, transactions_post
from tenancies.constants import EndReason, PaymentMethod, TenancyEventKind, TenancyStatus
from tenancies.models import (
    Charge,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)

from .bulk import rows_insert
from .formats import PEOPLE, PROPERTIES, TENANCIES
from .load_bulk_figures import _ended_detail, _loaded_detail, _Prepared, _weeks_already_run
from .load_core import LOAD_REASON, _user_id
from .plan import NewTenancy, opening_balance_key

AFTER_DIRECT_DEBIT = PaymentMethod.BANK_TRANSFER  # as lifecycle.ending: how a former tenant pays once the DD ends


class _Laps:
    """The time each part of writing new tenancies took, kept in the report's stage times."""

    def __init__(self, loader):
        self.seconds, self.last = loader.applied.seconds, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[f"new tenancies: {name}"] = round(now - self.last, 3)
        self.last = now


def tenancies_insert(loader, news: list[NewTenancy]) -> None:
    from lifecycle.signup import first_period_after

    plan, now, today = loader.plan, loader.now, loader.today
    ids = plan.ids
    user_id = _user_id(loader)
    lap = _Laps(loader)
    prepared: list[_Prepared] = []
    periods_after: dict[tuple, date] = {}
    for new in news:
        row = new.item.row
        p = _Prepared()
        p.new, p.charge_ids = new, []
        p.home_id = ids[PROPERTIES][row["property_reference"]]
        end = row["end_date"]
        p.ended = end is not None and end <= today
        p.charges_from = row["start_date"]
        if new.opening_balance_date is not None:
            key = (row["start_date"], row["rent_period"], new.opening_balance_date)
            if key not in periods_after:  # tenancies share start dates and balance dates: work each out once
                periods_after[key] = first_period_after(start_date=key[0], rent_period=key[1], day=key[2])
            p.charges_from = periods_after[key]
        active = [m for m in new.mandates if not m.get("cancelled_on")]
        p.mandate_reference = active[0]["mandate_reference"] if active else None
        p.payment_method = PaymentMethod.DIRECT_DEBIT if active else row["payment_method"]
        if p.ended and active:
            p.payment_method = AFTER_DIRECT_DEBIT
        p.balance = new.opening_balance or ZERO
        prepared.append(p)

    # Tenancies.
    columns = (
        "created_at",
        "updated_at",
        "source_reference",
        "payment_reference",
        "property_id",
        "tenure_type",
        "start_date",
        "end_date",
        "rent_period",
        "status",
        "payment_method",
        "licence_basis",
        "end_reason",
        "forwarding_address",
    )

    def tenancy_rows():
        for p in prepared:
            row = p.new.item.row
            yield (
                now,
                now,
                p.new.item.key,
                row["payment_reference"],
                p.home_id,
                row["tenure_type"],
                row["start_date"],
                row["end_date"] if p.ended else None,
                row["rent_period"],
                TenancyStatus.FORMER if p.ended else TenancyStatus.CURRENT,
                p.payment_method,
                row["licence_basis"],
                (row["end_reason"] or EndReason.OTHER) if p.ended else "",
                (row["forwarding_address"] or "") if p.ended else "",
            )

    written = dict(
        rows_insert(
            Tenancy,
            columns,
            tenancy_rows(),
            now=now,
            history_user_id=user_id,
            history_reason=LOAD_REASON,
            returning=("source_reference", "id"),
        )
    )
    for p in prepared:
        p.id = written[p.new.item.key]
    ids[TENANCIES].update(written)

    lap("tenancies")
    # Named tenants, lead first.
    person_ids = ids[PEOPLE]
    rows_insert(
        TenancyTenant,
        ("tenancy_id", "person_id", "is_lead"),
        ((p.id, person_ids[person], index == 0) for p in prepared for index, (person, _) in enumerate(p.new.tenants)),
        now=now,
        history=False,
    )

    lap("named tenants")

    # Charges: stopped on the last day of an ended tenancy (those starting after it are left open, as tenancy_end
    # leaves them: the tenancy's own end keeps them from applying).
    def charge_rows():
        for p in prepared:
            end = p.new.item.row["end_date"] if p.ended else None
            effective_to = end if end is not None and p.charges_from <= end else None
            for spec in p.new.charges:
                yield (
                    now,
                    now,
                    p.id,
                    spec.charge_type,
                    spec.amount,
                    spec.counts_as_rent,
                    p.charges_from,
                    effective_to,
                )

    runs = sorted(set(RentRun.objects.values_list("week_commencing", flat=True)))
    rows_insert(
        Charge,
        (
            "created_at",
            "updated_at",
            "tenancy_id",
            "charge_type",
            "amount",
            "counts_as_rent",
            "effective_from",
            "effective_to",
        ),
        charge_rows(),
        now=now,
        history_user_id=user_id,
        history_reason=LOAD_REASON,
    )
    # Charge ids are needed for the weeks the rent run has run (their keys) and for ended tenancies (their events).
    wanted = prepared if runs else [p for p in prepared if p.ended]
    if wanted:
        by_type = {}
        tenancy_ids = [p.id for p in wanted]
        for start in range(0, len(tenancy_ids), 50_000):
            for tenancy_id, charge_type, pk in Charge.objects.filter(
                tenancy_id__in=tenancy_ids[start : start + 50_000]
            ).values_list("tenancy_id", "charge_type", "id"):
                by_type[(tenancy_id, charge_type)] = pk
        for p in wanted:
            p.charge_ids = [by_type[(p.id, spec.charge_type)] for spec in p.new.charges]

    lap("charges")
    # Rent accounts (the load's re-review covers them: onboarding.services).
    accounts = dict(
        rows_insert(
            Account,
            ("tenancy_id", "kind", "balance"),
            ((p.id, AccountKind.RENT, ZERO) for p in prepared),
            now=now,
            history=False,
            returning=("tenancy_id", "id"),
        )
    )
    for p in prepared:
        p.account_id = accounts[p.id]
    loader.applied.account_ids.update(accounts.values())

    lap("rent accounts")
    # Direct debits.
    mandates = [(p, m) for p in prepared for m in p.new.mandates]
    if mandates:

        def mandate_rows():
            for p, m in mandates:
                cancelled_on = m.get("cancelled_on")
                if cancelled_on is None and p.ended:
                    cancelled_on = p.new.item.row["end_date"]
                yield (
                    now,
                    now,
                    p.id,
                    m["mandate_reference"],
                    m["collection_day"],
                    m["amount"],
                    MandateStatus.CANCELLED if cancelled_on else MandateStatus.ACTIVE,
                    m["start_date"],
                    cancelled_on,
                )

        rows_insert(
            DirectDebitMandate,
            (
                "created_at",
                "updated_at",
                "tenancy_id",
                "reference",
                "collection_day",
                "amount",
                "status",
                "start_date",
                "cancelled_on",
            ),
            mandate_rows(),
            now=now,
            history_user_id=user_id,
            history_reason=LOAD_REASON,
        )

    lap("direct debits")
    # Money: opening balances, then the charges of weeks the rent run has already run.
    postings = [
        Posting(
            account_id=p.account_id,
            transaction_type=TransactionType.ADJUSTMENT,
            amount=p.new.opening_balance,
            effective_date=p.new.opening_balance_date,
            idempotency_key=opening_balance_key(p.id),
            description=f"Opening balance brought forward on {p.new.opening_balance_date:%-d %B %Y}",
        )
        for p in prepared
        if p.new.opening_balance
    ]
    if postings:
        result = transactions_post(postings=postings, posted_by=loader.by)
        loader.applied.opening_balances += result.posted
        loader.applied.opening_balances_total += result.total
    charged = _weeks_already_run(prepared, runs)
    if charged:
        transactions_post(postings=charged, posted_by=loader.by)

    lap("opening balances and charges run")

    # Events.
    def event_rows():
        for p in prepared:
            row = p.new.item.row
            yield (
                p.id,
                TenancyEventKind.LOADED,
                row["start_date"],
                LOAD_REASON,
                _loaded_detail(p, ids),
                None,
                user_id,
                now,
            )
            if p.ended:
                yield (p.id, TenancyEventKind.ENDED, row["end_date"], LOAD_REASON, _ended_detail(p), None, user_id, now)

    rows_insert(
        TenancyEvent,
        (
            "tenancy_id",
            "kind",
            "effective_date",
            "reason",
            "detail",
            "related_tenancy_id",
            "recorded_by_id",
            "recorded_at",
        ),
        event_rows(),
        now=now,
        history=False,
    )
    lap("events")
