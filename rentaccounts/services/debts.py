"""Recording what changes whether a debt can be recovered: a written acknowledgment of a debt (it restarts the
limitation period) and a bankruptcy or debt relief order on a person, with its discharge (docs/debts.md,
"Limitation and insolvency"). Each asks the arrears app to review the accounts it touches again
(rentaccounts.signals.ledger_changed).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require
from rentaccounts.models import Account, DebtAcknowledgment, InsolvencyOrder
from rentaccounts.signals import ledger_changed
from tenancies.models import Person

ADD_ACKNOWLEDGMENT = "rentaccounts.add_debtacknowledgment"
ADD_ORDER = "rentaccounts.add_insolvencyorder"
CHANGE_ORDER = "rentaccounts.change_insolvencyorder"
VIEW_ORDER = "rentaccounts.view_insolvencyorder"


def person_account_ids(*, person: Person) -> list[int]:
    """The accounts of every tenancy the person is or was a named tenant of: the debts an order on them can touch."""
    return list(
        Account.objects.filter(tenancy__tenancy_tenants__person=person).order_by("pk").values_list("pk", flat=True)
    )


def _not_in_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({what: "The date must be today or in the past."})


@transaction.atomic
def debt_acknowledgment_record(
    *, account: Account, acknowledged_on: date, description: str, user
) -> DebtAcknowledgment:
    """A written, signed acknowledgment of the debt (Limitation Act 1980 s29(5), s30): time runs again from its date
    for the part of the debt still in time on that day."""
    staff_require(user, ADD_ACKNOWLEDGMENT, "record an acknowledgment of a debt")
    _not_in_future(acknowledged_on, "acknowledged_on")
    if not description.strip():
        raise ValidationError({"description": "Say what the tenant signed or wrote, for example a signed letter."})
    acknowledgment = DebtAcknowledgment.objects.create(
        account=account, acknowledged_on=acknowledged_on, description=description.strip(), recorded_by=user
    )
    ledger_changed.send(sender=DebtAcknowledgment, account_ids=[account.pk], reason=f"ack:{acknowledgment.pk}")
    return acknowledgment


@transaction.atomic
def insolvency_order_record(
    *, person: Person, kind: str, made_on: date, reference: str = "", notes: str = "", user
) -> InsolvencyOrder:
    """A bankruptcy or debt relief order on the person: it covers what they owed before `made_on`, and only that."""
    staff_require(user, ADD_ORDER, "record a bankruptcy or debt relief order")
    _not_in_future(made_on, "made_on")
    order = InsolvencyOrder.objects.create(
        person=person, kind=kind, made_on=made_on, reference=reference.strip(), notes=notes.strip(), recorded_by=user
    )
    ledger_changed.send(
        sender=InsolvencyOrder, account_ids=person_account_ids(person=person), reason=f"insolv:{order.pk}"
    )
    return order


@transaction.atomic
def insolvency_order_discharge(*, order: InsolvencyOrder, discharged_on: date, user) -> InsolvencyOrder:
    """The order ends: the debts it covered are released (to be written off with the order as the reason)."""
    staff_require(user, CHANGE_ORDER, "record the discharge of a bankruptcy or debt relief order")
    order = InsolvencyOrder.objects.select_for_update().get(pk=order.pk)
    if order.discharged_on is not None:
        raise ValidationError({"discharged_on": "This order's discharge is already recorded."})
    _not_in_future(discharged_on, "discharged_on")
    if discharged_on < order.made_on:
        raise ValidationError({"discharged_on": "The discharge must be on or after the day the order was made."})
    order.discharged_on = discharged_on
    order.save(update_fields=["discharged_on", "updated_at"])
    ledger_changed.send(
        sender=InsolvencyOrder, account_ids=person_account_ids(person=order.person), reason=f"insolv:{order.pk}"
    )
    return order
