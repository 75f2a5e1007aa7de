"""Two years of demo payments, as ledger postings, by each tenancy's payment profile: regular direct debit or standing
order payers, Housing Benefit (4-weekly in arrears), Universal Credit managed payments (monthly, some with deductions
towards arrears), late and irregular payers, a few in credit, and leavers who stopped paying before they left."""

import random
from datetime import date, timedelta
from decimal import Decimal

from incomeapp.money import ZERO, apportion, to_money
from rentaccounts.charging import monday_of
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.services import Posting
from tenancies.constants import PaymentMethod, RentPeriod
from tenancies.selectors import weekly_equivalent

from .signups import DemoTenancy


def _payments(rng: random.Random, demo: DemoTenancy, history_start: date, today: date) -> list[Posting]:
    tenancy = demo.tenancy
    account_id = tenancy.accounts.get(kind=AccountKind.RENT).pk
    charges = list(tenancy.charges.all())
    profile = demo.profile
    first = max(history_start, tenancy.start_date)
    last = min(today, tenancy.end_date) if tenancy.end_date else today
    postings: list[Posting] = []

    rent_free = set(tenancy.property.scheme.rent_free_weeks.values_list("week_commencing", flat=True))

    def weekly_due(on: date) -> Decimal:
        """All charges in effect on the day, as a weekly figure: what a tenant who keeps up pays."""
        if tenancy.rent_period != RentPeriod.MONTHLY and monday_of(on) in rent_free:
            return ZERO
        in_effect = [c for c in charges if c.effective_from <= on and (c.effective_to is None or c.effective_to >= on)]
        return weekly_equivalent(sum((c.amount for c in in_effect), ZERO), tenancy.rent_period)

    def pay(on: date, amount: Decimal, kind=TransactionType.PAYMENT, method="", **extra):
        if amount > 0 and on <= today:
            key = f"demo:{tenancy.payment_reference}:{len(postings)}"
            postings.append(Posting(account_id, kind, -amount, on, key, payment_method=method, **extra))

    # Direct debits and standing orders are collected on the day rent is due; others pay later in the week.
    day = first if profile in ("regular", "in_credit") else first + timedelta(days=3)
    if profile in ("regular", "in_credit", "late", "leaver"):
        monthly = tenancy.rent_period == RentPeriod.MONTHLY
        percent = {"regular": 100, "in_credit": 105, "late": 100, "leaver": 85}[profile]
        stop = last - timedelta(days=rng.randint(30, 90)) if profile == "leaver" else last
        weeks = 0
        while day <= stop:
            amount = apportion(apportion(weekly_due(day), 52, 12) if monthly else weekly_due(day), percent, 100)
            if profile == "late" and rng.random() < 0.12:
                amount = ZERO  # a missed payment
            elif profile == "late" and weeks % 13 == 12 and rng.random() < 0.5:
                amount *= 2  # catching up after a reminder
            pay(day, amount, method=tenancy.payment_method)
            day = _next_month(day) if monthly else day + timedelta(days=7)
            weeks += 1
    elif profile == "housing_benefit":
        while day + timedelta(days=28) <= last:
            period_end = day + timedelta(days=27)
            due = weekly_due(day) * 4
            benefit = apportion(due, demo.benefit_share, 100)
            pay(
                period_end + timedelta(days=2),
                benefit,
                TransactionType.HOUSING_BENEFIT,
                PaymentMethod.HOUSING_BENEFIT,
                period_start=day,
                period_end=period_end,
            )
            if rng.random() < 0.85:
                pay(period_end + timedelta(days=3), due - benefit, method=PaymentMethod.CARD)
            day += timedelta(days=28)
    else:  # Universal Credit: monthly in arrears, some with a deduction towards arrears
        deduction = to_money(rng.choice(["0.00", "0.00", "18.40", "27.55"]))
        while day + timedelta(days=35) <= last:
            period_end = day + timedelta(days=30)
            paid_on = period_end + timedelta(days=7)
            uc = {"period_start": day, "period_end": period_end}
            housing_costs = apportion(weekly_due(day), 52, 12)
            pay(paid_on, housing_costs, TransactionType.UC_MANAGED_PAYMENT, PaymentMethod.UNIVERSAL_CREDIT, **uc)
            pay(paid_on, deduction, TransactionType.UC_DEDUCTION, PaymentMethod.UNIVERSAL_CREDIT, **uc)
            day += timedelta(days=31)
    return postings


def _next_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, 28))
