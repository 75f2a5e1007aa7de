"""The set-based path of a first load: new homes, their charges, people and tenancies written table by table (COPY on
PostgreSQL, bulk_create elsewhere), with the rows the services would write for each:

- a home (property_create) and its charge schedule from one date (property_charges_set);
- a person (person_create);
- a tenancy as tenancy_sign_up makes it: the tenancy, its named tenants (lead first), its charges (from its start, or
  for a migrated tenancy from the first rent period after its opening balance date), its rent account, its direct
  debit, a TenancyEvent (kind `loaded`, with the figures the sign-up event keeps, `opening_balance_date` among them),
  its opening balance posted once through `transactions_post` (key `opening-balance:tenancy:<id>`), and the charges of
  weeks the rent run has already run, as `tenancy_charges_true_up` posts them;
- a tenancy whose last day has passed, as tenancy_end leaves it: former, its charges stopped on the last day, an
  active direct debit cancelled that day (paying by bank transfer after), and an `ended` event recording the charges
  it stopped (so a later correction of the end can give them back).

Every row gets its history row ('+', the loading user, the load's reason), as the services give them.
"""

import time
from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Q

from incomeapp.money import ZERO, format_money
from rentaccounts.charging import ChargeLine, TenancyTerms, charges_due_in_week, monday_of
from rentaccounts.constants import AccountKind, MandateStatus, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, RentRun
from rentaccounts.services import Posting, rent_debit_key, transactions_post
from tenancies.constants import CHARGE_LABELS, ChargeType, EndReason, PaymentMethod, TenancyEventKind, TenancyStatus
from tenancies.models import (
    Charge,
    Person,
    Property,
    PropertyCharge,
    RentFreeWeek,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)

from .bulk import rows_insert
from .formats import PEOPLE, PROPERTIES, TENANCIES
from .plan import PERSON_FIELDS, ChargeSet, Item, NewTenancy, opening_balance_key

_END_LABELS = dict(EndReason.choices)
AFTER_DIRECT_DEBIT = PaymentMethod.BANK_TRANSFER  # as lifecycle.ending: how a former tenant pays once the DD ends


def _user_id(loader) -> int | None:
    return loader.by.pk if loader.by is not None else None


def properties_insert(loader, items: list[Item]) -> None:
    """New homes, buildings before their units (a unit's row names its building's id)."""
    from .load import LOAD_REASON

    ids = loader.plan.ids[PROPERTIES]
    now = loader.now
    columns = (
        "created_at",
        "updated_at",
        "source_reference",
        "uprn",
        "parent_id",
        "unit_label",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "scheme_id",
        "patch_id",
        "bedrooms",
    )
    waiting = list(items)
    while waiting:
        ready = [
            item for item in waiting if not item.row.get("parent_reference") or item.row["parent_reference"] in ids
        ]
        if not ready:  # a loop of buildings: the plan refuses it, so this is never reached
            raise ValueError("Homes that are each part of the other cannot be loaded.")
        ready_keys = {item.key for item in ready}
        waiting = [item for item in waiting if item.key not in ready_keys]

        def rows(ready=ready):
            for item in ready:
                row = item.row
                links = loader._home_links(row)
                yield (
                    now,
                    now,
                    item.key,
                    row["uprn"],
                    links["parent_id"],
                    row["unit_label"],
                    row["address_line_1"],
                    row["address_line_2"],
                    row["town"],
                    row["postcode"],
                    links["scheme_id"],
                    links["patch_id"],
                    row["bedrooms"],
                )

        written = rows_insert(
            Property,
            columns,
            rows(),
            now=now,
            history_user_id=_user_id(loader),
            history_reason=LOAD_REASON,
            returning=("source_reference", "id"),
        )
        ids.update(written)


def property_charges_insert(loader, sets: list[ChargeSet]) -> None:
    """A new home's schedule, as property_charges_set writes it (its reason names the date it starts)."""
    ids = loader.plan.ids[PROPERTIES]
    now = loader.now
    by_date: dict = defaultdict(list)
    for charge_set in sets:
        for spec in charge_set.charges:
            by_date[charge_set.effective_from].append((ids[charge_set.key], spec))
    columns = ("created_at", "updated_at", "property_id", "charge_type", "amount", "counts_as_rent", "effective_from")
    for effective_from, lines in sorted(by_date.items()):
        rows_insert(
            PropertyCharge,
            columns,
            (
                (now, now, home_id, spec.charge_type, spec.amount, spec.counts_as_rent, effective_from)
                for home_id, spec in lines
            ),
            now=now,
            history_user_id=_user_id(loader),
            history_reason=f"Charges from {effective_from:%d/%m/%Y}",
        )


def people_insert(loader, items: list[Item]) -> None:
    from .load import LOAD_REASON

    now = loader.now
    columns = ("created_at", "updated_at", "source_reference", *PERSON_FIELDS)
    written = rows_insert(
        Person,
        columns,
        ((now, now, item.key, *(item.row[name] for name in PERSON_FIELDS)) for item in items),
        now=now,
        history_user_id=_user_id(loader),
        history_reason=LOAD_REASON,
        returning=("source_reference", "id"),
    )
    loader.plan.ids[PEOPLE].update(written)


class _Laps:
    """The time each part of writing new tenancies took, kept in the report's stage times."""

    def __init__(self, loader):
        self.seconds, self.last = loader.applied.seconds, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[f"new tenancies: {name}"] = round(now - self.last, 3)
        self.last = now


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


def tenancies_insert(loader, news: list[NewTenancy]) -> None:
    from lifecycle.signup import first_period_after

    from .load import LOAD_REASON

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
            description=f"Opening balance brought forward on {p.new.opening_balance_date:%d/%m/%Y}",
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


def _loaded_detail(p: _Prepared, ids) -> dict:
    """The figures the sign-up event keeps (lifecycle.signup._event_detail), less the letters and first period a load
    has no use for. `opening_balance_date` is read by charge changes: periods up to it are never charged again."""
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
        "last_day": f"{end:%d/%m/%Y}",
        "reason": _END_LABELS[reason],
        "balance_after": format_money(p.balance),
        "balance_is": "former-tenant arrears"
        if p.balance > ZERO
        else "a credit to refund or transfer"
        if p.balance < ZERO
        else "nothing owed",
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
                charge_type = types[line.charge_id]
                postings.append(
                    Posting(
                        account_id=p.account_id,
                        transaction_type=TransactionType.RENT_DEBIT
                        if charge_type == ChargeType.RENT
                        else TransactionType.CHARGE_DEBIT,
                        amount=line.amount,
                        effective_date=line.effective_date,
                        idempotency_key=rent_debit_key(line.charge_id, line.period_start),
                        description=CHARGE_LABELS[charge_type],
                        period_start=line.period_start,
                        period_end=line.period_end,
                    )
                )
                p.balance += line.amount
    return postings
