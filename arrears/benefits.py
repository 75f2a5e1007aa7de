"""Housing Benefit and Universal Credit, pure: technical arrears expected to clear, and when to ask for direct payment.

HB paid to a landlord comes 4-weekly in arrears (HB Regs 2006 reg 92); UC monthly in arrears, so a weekly-charged
account runs behind between payments without anyone failing to pay (legal-spec §7). The thresholds for asking DWP or
the council to pay the landlord are effective-dated data (incomeapp.law), passed in here.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from incomeapp.money import ZERO, apportion, format_money

# Weeks one payment cycle covers, plus the week it takes to arrive: beyond that, missing benefit is real arrears.
CYCLE_WEEKS = {"hb": 4, "uc": 5}


@dataclass(frozen=True)
class ClaimTerms:
    benefit: str  # hb or uc
    status: str
    weekly_amount: Decimal
    paid_to_landlord: bool
    started_on: date


def expected_benefit(claim: ClaimTerms, *, paid_up_to: date | None, as_of: date) -> Decimal:
    """Housing costs due for days already passed and not yet received: the weekly amount for each day after the last
    period paid (or from the claim's start), capped at one payment cycle and a week, so a claim that has stopped
    paying cannot hide real arrears."""
    if claim.status != "in_payment" or not claim.paid_to_landlord:
        return ZERO
    since = paid_up_to + timedelta(days=1) if paid_up_to else claim.started_on
    if since > as_of:
        return ZERO
    days = min((as_of - since).days + 1, (CYCLE_WEEKS[claim.benefit] + 1) * 7)
    return apportion(claim.weekly_amount, days, 7)


def direct_payment_alerts(
    *,
    claims: list[ClaimTerms],
    arrears: Decimal,
    weekly_rent: Decimal,
    requested: set[str],
    uc_months: Decimal,
    hb_weeks: Decimal,
) -> list[str]:
    """What the officer should ask for, in plain English, when the legal thresholds are met and nothing is asked yet."""
    alerts = []
    if weekly_rent <= 0 or arrears <= 0:
        return alerts
    for claim in claims:
        if claim.status not in ("in_payment", "pending", "evidence_outstanding"):
            continue
        if claim.benefit == "uc" and "managed_payment" not in requested:
            months_rent = apportion(weekly_rent, 52 * uc_months, 12)
            if arrears >= months_rent:
                alerts.append(
                    f"Arrears of {format_money(arrears)} are at least {uc_months.normalize()} months' rent "
                    f"({format_money(months_rent)}): ask DWP for a managed payment to landlord, and a deduction "
                    "towards the arrears if it is affordable."
                )
        if claim.benefit == "hb" and not claim.paid_to_landlord and "hb_direct" not in requested:
            weeks_rent = weekly_rent * hb_weeks
            if arrears >= weeks_rent:
                alerts.append(
                    f"Arrears of {format_money(arrears)} are at least {hb_weeks.normalize()} weeks' rent "
                    f"({format_money(weeks_rent)}): the council must pay Housing Benefit to you direct (HB "
                    "Regulations 2006 reg 95); ask for it."
                )
    return alerts
