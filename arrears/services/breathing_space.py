"""Breathing Space (SI 2020/1311, legal-spec §6): recording a moratorium through its whole life, and the hold every
service asks before it acts on the moratorium debt."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError

from arrears.constants import BreathingSpaceKind
from arrears.models import BreathingSpace
from arrears.moratorium import debt_split, hold_reason
from arrears.selectors import moratorium_on
from incomeapp.money import ZERO
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account


def breathing_space_record(
    *, tenancy, kind: str, starts_on: date, recorded_by, reference: str = "", ends_on: date | None = None
) -> BreathingSpace:
    """Records a moratorium. A standard one ends 60 days after it starts unless an earlier end is given; a mental
    health crisis one stays open until its end is recorded. The debt covered is the rent account's balance now."""
    staff_require(recorded_by, "arrears.add_breathingspace", "record Breathing Space")
    if kind == BreathingSpaceKind.STANDARD and ends_on is None:
        ends_on = starts_on + timedelta(days=60)
    account = Account.objects.filter(tenancy=tenancy, kind=AccountKind.RENT).first()
    return BreathingSpace.objects.create(
        tenancy=tenancy,
        kind=kind,
        reference=reference,
        starts_on=starts_on,
        ends_on=ends_on,
        debt_covered=max(account.balance if account else ZERO, ZERO),
        recorded_by=recorded_by,
    )


class MoratoriumHold(ValidationError):
    """A step refused because a Breathing Space protects the debt; the message names the rule."""


def moratorium_hold(*, tenancy, on: date, step: str, rule: str, unless_new_arrears: bool = False) -> None:
    """Refuses `step` (in words: "an arrears letter", "a possession claim") while a moratorium protects the tenancy's
    debt on `on`, whoever asks and whatever policy is installed. With `unless_new_arrears` (letters and messages), a
    step about arrears that built up after the start is allowed (R-BS-21); it must then speak of those only."""
    moratorium = moratorium_on(tenancy=tenancy, on=on)
    if moratorium is None:
        return
    if unless_new_arrears:
        account = Account.objects.filter(tenancy=tenancy, kind=AccountKind.RENT).first()
        _, new_arrears = debt_split(balance=account.balance if account else ZERO, moratorium_debt=moratorium.debt)
        if new_arrears > 0:
            return
    raise MoratoriumHold(hold_reason(step, moratorium, rule=rule))
