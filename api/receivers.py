"""Domain events become webhook deliveries (api/webhooks.py): each receiver asks for the event's payloads to be built
when the sender's transaction commits, in one query for the whole set (a weekly review's chunk of thousands of cases,
a payment file of thousands of lines). Payloads hold ids, payment references, dates and amounts only: no names, no
notes."""

from django.db.models import F
from django.dispatch import receiver

from arrears.models import Agreement, ArrearsCase, BreathingSpace
from arrears.signals import agreements_breached, breathing_space_changed, cases_changed, recommendations_changed
from rentaccounts.constants import RECEIPT_TYPES
from rentaccounts.models import Transaction
from rentaccounts.signals import payments_imported

from .constants import Event
from .webhooks import event_queue


def _money(value) -> str:
    return f"{value:.2f}"


def _day(value) -> str | None:
    return value.isoformat() if value else None


@receiver(payments_imported, dispatch_uid="api-webhooks-payments")
def payments_posted(sender, batch_id: int, **kwargs) -> None:
    def build() -> list[dict]:
        rows = (
            Transaction.objects.filter(import_batch_id=batch_id, transaction_type__in=RECEIPT_TYPES, amount__lt=0)
            .order_by("id")
            .values(
                "id",
                "account_id",
                "transaction_type",
                "amount",
                "effective_date",
                "external_reference",
                reference=F("account__tenancy__payment_reference"),
            )
        )
        return [
            {
                "transaction_id": row["id"],
                "account_id": row["account_id"],
                "payment_reference": row["reference"],
                "transaction_type": row["transaction_type"],
                "amount": _money(-row["amount"]),
                "effective_date": _day(row["effective_date"]),
                "external_reference": row["external_reference"],
                "import_batch_id": batch_id,
            }
            for row in rows
        ]

    event_queue(Event.PAYMENT_POSTED, build)


def _cases(case_ids) -> list[dict]:
    rows = (
        ArrearsCase.objects.filter(pk__in=list(case_ids))
        .order_by("id")
        .values(
            "id",
            "account_id",
            "status",
            "ladder",
            "opened_on",
            "closed_on",
            reference=F("account__tenancy__payment_reference"),
        )
    )
    return [
        {
            "case_id": row["id"],
            "account_id": row["account_id"],
            "payment_reference": row["reference"],
            "status": row["status"],
            "ladder": row["ladder"],
            "opened_on": _day(row["opened_on"]),
            "closed_on": _day(row["closed_on"]),
        }
        for row in rows
    ]


@receiver(cases_changed, dispatch_uid="api-webhooks-cases")
def cases_opened_or_closed(sender, opened=(), closed=(), **kwargs) -> None:
    if opened:
        opened = list(opened)
        event_queue(Event.CASE_OPENED, lambda: _cases(opened))
    if closed:
        closed = list(closed)
        event_queue(Event.CASE_CLOSED, lambda: _cases(closed))


@receiver(recommendations_changed, dispatch_uid="api-webhooks-recommendations")
def recommendations_moved(sender, previous_actions: dict, **kwargs) -> None:
    previous = dict(previous_actions)

    def build() -> list[dict]:
        rows = (
            ArrearsCase.objects.filter(pk__in=list(previous))
            .order_by("id")
            .values(
                "id",
                "account_id",
                "latest_recommendation_id",
                reference=F("account__tenancy__payment_reference"),
                action=F("latest_recommendation__action"),
                label=F("latest_recommendation__label"),
                mode=F("latest_recommendation__mode"),
                as_of=F("latest_recommendation__run__as_of"),
                balance=F("latest_recommendation__balance"),
            )
        )
        return [
            {
                "case_id": row["id"],
                "account_id": row["account_id"],
                "payment_reference": row["reference"],
                "recommendation_id": row["latest_recommendation_id"],
                "previous_action": previous[row["id"]],
                "action": row["action"],
                "label": row["label"],
                "mode": row["mode"],
                "as_of": _day(row["as_of"]),
                "balance": _money(row["balance"]) if row["balance"] is not None else None,
            }
            for row in rows
            if row["action"] != previous[row["id"]]
        ]

    event_queue(Event.RECOMMENDATION_CHANGED, build)


@receiver(agreements_breached, dispatch_uid="api-webhooks-agreements")
def agreements_broken(sender, agreement_ids, on=None, **kwargs) -> None:
    ids = list(agreement_ids)

    def build() -> list[dict]:
        rows = (
            Agreement.objects.filter(pk__in=ids)
            .order_by("id")
            .values(
                "id",
                "case_id",
                "agreement_type",
                "frequency",
                "amount",
                "starts_on",
                "state",
                account_id=F("case__account_id"),
                reference=F("case__account__tenancy__payment_reference"),
            )
        )
        return [
            {
                "agreement_id": row["id"],
                "case_id": row["case_id"],
                "account_id": row["account_id"],
                "payment_reference": row["reference"],
                "agreement_type": row["agreement_type"],
                "frequency": row["frequency"],
                "amount": _money(row["amount"]),
                "starts_on": _day(row["starts_on"]),
                "state": row["state"],
                "breached_on": _day(on),
            }
            for row in rows
        ]

    event_queue(Event.AGREEMENT_BREACHED, build)


@receiver(breathing_space_changed, dispatch_uid="api-webhooks-breathing-space")
def breathing_space_recorded(sender, breathing_space, **kwargs) -> None:
    space_id = breathing_space.pk

    def build() -> list[dict]:
        row = (
            BreathingSpace.objects.filter(pk=space_id)
            .values(
                "id",
                "tenancy_id",
                "kind",
                "starts_on",
                "expected_end_on",
                "ended_on",
                "ends_on",
                reference=F("tenancy__payment_reference"),
            )
            .first()
        )
        if row is None:
            return []
        return [
            {
                "breathing_space_id": row["id"],
                "tenancy_id": row["tenancy_id"],
                "payment_reference": row["reference"],
                "kind": row["kind"],
                "starts_on": _day(row["starts_on"]),
                "expected_end_on": _day(row["expected_end_on"]),
                "ended_on": _day(row["ended_on"]),
                "last_protected_day": _day(row["ends_on"]),
            }
        ]

    event_queue(Event.BREATHING_SPACE_RECORDED, build)
