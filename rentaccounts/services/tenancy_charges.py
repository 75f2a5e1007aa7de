"""One tenancy's charges on its rent account, for the weeks the rent run has already reached.

The weekly rent run posts each charge for each rent period once, under the key `charge:{period start}:{charge id}`.
When a tenancy is signed up after its first week was run, when its charges change from a date already posted, or when
it ends inside (or before) a period already charged, `tenancy_charges_true_up` compares what is posted for every
(charge, period) with what the charges now make due and posts the difference:

- nothing posted yet: the charge itself, under the rent run's own key, so a later or repeated rent run posts nothing
  more;
- something posted: a correction line of the same type (rent or charge, so the rent debit and the KPIs stay true),
  dated, described with its reason, under `charge-correction:{period start}:{charge id}:{n}`. A correction that
  cancels a single charge line whole points at it (`reverses`).

It is idempotent: a second call finds nothing different and posts nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from incomeapp.money import ZERO, format_money
from rentaccounts.charging import ChargeLine, PeriodCharge, TenancyTerms, charges_due_in_week, monday_of
from rentaccounts.constants import CHARGE_TYPES, AccountKind
from rentaccounts.models import Account, RentRun, Transaction
from tenancies.constants import CHARGE_LABELS
from tenancies.models import RentFreeWeek, Tenancy

from .ledger import Posting, PostingResult, transactions_post
from .rent_run import rent_debit_key, rent_debit_type

# A monthly period can start up to a month before the first day a change touches.
_LONGEST_PERIOD = timedelta(days=31)


@dataclass
class ChargeDifference:
    """What one charge's line for one rent period was, is now, and the line posted to put it right."""

    charge_id: int
    charge_type: str
    period_start: date
    period_end: date
    posted: Decimal
    due: Decimal
    idempotency_key: str = ""

    @property
    def difference(self) -> Decimal:
        return self.due - self.posted


@dataclass
class TrueUpResult:
    differences: list[ChargeDifference] = field(default_factory=list)
    posting: PostingResult = field(default_factory=PostingResult)

    @property
    def total(self) -> Decimal:
        return sum((d.difference for d in self.differences), ZERO)


def rent_run_reached() -> date | None:
    """The Monday of the latest week the rent run has posted (None before the first run)."""
    return RentRun.objects.aggregate(latest=Max("week_commencing"))["latest"]


def _parse_key(key: str) -> tuple[int, date, bool] | None:
    """(charge id, period start, is a correction) from a charge line's key, or None for any other line."""
    parts = key.split(":")
    if parts[0] == "charge" and len(parts) == 3:
        return int(parts[2]), date.fromisoformat(parts[1]), False
    if parts[0] == "charge-correction" and len(parts) == 4:
        return int(parts[2]), date.fromisoformat(parts[1]), True
    return None


def charges_due_for_weeks(*, tenancy: Tenancy, weeks: list[date]) -> dict[tuple[int, date], tuple]:
    """(charge id, period start) → (charge type, PeriodCharge) for the tenancy's periods starting in the weeks given
    (Mondays, in order), by its charges and dates as they are now."""
    if not weeks:
        return {}
    from_week, through_week = weeks[0], weeks[-1]
    charges = list(tenancy.charges.all())
    types = {c.pk: c.charge_type for c in charges}
    lines = [ChargeLine(c.pk, c.amount, c.effective_from, c.effective_to) for c in charges]
    terms = TenancyTerms(tenancy.rent_period, tenancy.start_date, tenancy.end_date)
    rent_free = frozenset(
        RentFreeWeek.objects.filter(
            scheme_id=tenancy.property.scheme_id,
            week_commencing__gte=from_week,
            week_commencing__lte=through_week + timedelta(weeks=5),
        ).values_list("week_commencing", flat=True)
    )
    due: dict[tuple[int, date], tuple[str, PeriodCharge]] = {}
    for week in weeks:
        for line in charges_due_in_week(terms, lines, week, rent_free):
            due[(line.charge_id, line.period_start)] = (types[line.charge_id], line)
    return due


@transaction.atomic
def tenancy_charges_true_up(
    *,
    tenancy: Tenancy,
    reason: str,
    affected_from: date | None = None,
    not_before: date | None = None,
    on: date | None = None,
    posted_by=None,
    dry_run: bool = False,
) -> TrueUpResult:
    """Posts what the tenancy's charges now make due, less what is already posted, for every rent period starting in a
    week the rent run has run, from the week of `affected_from` (default: the tenancy's start). Periods starting on or
    before `not_before` are left alone (a migrated tenancy's opening balance covers them). Corrections are dated `on`
    (default today) and carry `reason`. With `dry_run` it works out the differences and posts nothing."""
    result = TrueUpResult()
    first_day = max(tenancy.start_date, affected_from or tenancy.start_date)
    from_week = monday_of(max(tenancy.start_date, first_day - _LONGEST_PERIOD))
    weeks = sorted(
        set(RentRun.objects.filter(week_commencing__gte=from_week).values_list("week_commencing", flat=True))
    )
    if not weeks:
        return result
    account, _ = Account.objects.get_or_create(tenancy=tenancy, kind=AccountKind.RENT)
    account = Account.objects.select_for_update().get(pk=account.pk)
    due = charges_due_for_weeks(tenancy=tenancy, weeks=weeks)
    if not_before is not None:
        due = {key: value for key, value in due.items() if key[1] > not_before}

    posted: dict[tuple[int, date], Decimal] = defaultdict(lambda: ZERO)
    corrections: dict[tuple[int, date], int] = defaultdict(int)
    originals: dict[tuple[int, date], Transaction] = {}
    ends: dict[tuple[int, date], date] = {}
    types: dict[tuple[int, date], str] = {}
    rows = Transaction.objects.filter(
        account=account, transaction_type__in=CHARGE_TYPES, period_start__gte=from_week
    ).only("id", "amount", "idempotency_key", "period_start", "period_end", "transaction_type")
    reversed_ids = set(
        Transaction.objects.filter(account=account, reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    for row in rows:
        parsed = _parse_key(row.idempotency_key)
        if parsed is None or (not_before is not None and parsed[1] <= not_before):
            continue
        charge_id, period_start, is_correction = parsed
        key = (charge_id, period_start)
        posted[key] += row.amount
        ends[key] = row.period_end or period_start
        types[key] = row.transaction_type
        if is_correction:
            corrections[key] += 1
        else:
            originals[key] = row

    dated = on or timezone.localdate()
    postings = []
    for key in sorted(set(due) | set(posted), key=lambda k: (k[1], k[0])):
        charge_id, period_start = key
        charge_type, line = due.get(key, (None, None))
        amount_due = line.amount if line else ZERO
        already = posted.get(key, ZERO)
        if amount_due == already:
            continue
        transaction_type = types.get(key) or rent_debit_type(charge_type)
        label = CHARGE_LABELS.get(charge_type or "", "Charge")
        period_end = line.period_end if line else ends[key]
        difference = ChargeDifference(charge_id, charge_type or "", period_start, period_end, already, amount_due)
        if key not in originals and already == ZERO:
            difference.idempotency_key = rent_debit_key(charge_id, period_start)
            postings.append(
                Posting(
                    account_id=account.pk,
                    transaction_type=transaction_type,
                    amount=amount_due,
                    effective_date=line.effective_date,
                    idempotency_key=difference.idempotency_key,
                    description=label,
                    period_start=period_start,
                    period_end=period_end,
                )
            )
        else:
            original = originals.get(key)
            cancels_whole = amount_due == ZERO and corrections[key] == 0 and original is not None
            cancels_whole = cancels_whole and original.pk not in reversed_ids
            number = corrections[key] + 1
            difference.idempotency_key = f"charge-correction:{period_start.isoformat()}:{charge_id}:{number}"
            postings.append(
                Posting(
                    account_id=account.pk,
                    transaction_type=transaction_type,
                    amount=difference.difference,
                    effective_date=max(dated, period_start) if amount_due else dated,
                    idempotency_key=difference.idempotency_key,
                    description=(
                        f"{label} {period_start:%-d %B %Y}–{period_end:%-d %B %Y} corrected by "
                        f"{format_money(difference.difference)}: {reason}"
                    )[:255],
                    period_start=period_start,
                    period_end=period_end,
                    reverses_id=original.pk if cancels_whole else None,
                )
            )
        result.differences.append(difference)
    if postings and not dry_run:
        result.posting = transactions_post(postings=postings, posted_by=posted_by)
    return result
