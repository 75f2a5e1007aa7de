"""Which accounts a small-balance write-off run would write off, as a list a manager reads before proposing it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from incomeapp.money import ZERO
from rentaccounts.constants import AccountKind, RequestStatus
from rentaccounts.models import Account, AdjustmentRequest
from tenancies.constants import TenancyStatus
from tenancies.models import TenancyTenant


@dataclass(frozen=True)
class RunRule:
    balance_under: Decimal
    ended_months: int
    account_kinds: tuple[str, ...]


def ended_by(*, rule: RunRule, on: date) -> date:
    """The latest end date a tenancy may have to be in the run: `ended_months` whole months before `on`."""
    return on - relativedelta(months=rule.ended_months)


def write_off_run_lines(*, rule: RunRule, on: date) -> list[dict]:
    """Each account that owes more than nothing and less than the rule's sum, of the kinds chosen, on a former
    tenancy that ended at least `ended_months` before `on`; accounts with a request waiting for a decision are left
    out (that decision comes first). Credit balances and current tenancies are never in it. One line each:
    account_id, reference, account (kind label), names, ended_on (ISO date), balance (string, 2dp)."""
    kinds = [kind for kind in rule.account_kinds if kind in AccountKind.values]
    waiting = AdjustmentRequest.objects.filter(status=RequestStatus.PENDING).values("account_id")
    accounts = list(
        Account.objects.filter(
            kind__in=kinds,
            balance__gt=ZERO,
            balance__lt=rule.balance_under,
            tenancy__status=TenancyStatus.FORMER,
            tenancy__end_date__isnull=False,
            tenancy__end_date__lte=ended_by(rule=rule, on=on),
        )
        .exclude(pk__in=waiting)
        .select_related("tenancy")
        .order_by("tenancy__payment_reference", "kind")
    )
    names: dict[int, list[str]] = {}
    rows = TenancyTenant.objects.filter(tenancy_id__in={a.tenancy_id for a in accounts}).select_related("person")
    for row in rows.order_by("-is_lead", "id"):
        person = row.person
        names.setdefault(row.tenancy_id, []).append(f"{person.first_name} {person.last_name}".strip())
    return [
        {
            "account_id": account.pk,
            "reference": account.tenancy.payment_reference,
            "account": str(account.get_kind_display()),
            "names": ", ".join(names.get(account.tenancy_id, [])),
            "ended_on": account.tenancy.end_date.isoformat(),
            "balance": str(account.balance),
        }
        for account in accounts
    ]


def lines_total(lines: list[dict]) -> Decimal:
    return sum((Decimal(line["balance"]) for line in lines), ZERO)
