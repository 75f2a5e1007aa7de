"""Breathing Space (SI 2020/1311, legal-spec §6): recording a moratorium through its whole life, and the hold every
service asks before it acts on the moratorium debt.

Every write here works out the last protected day again (`ends_on`, never typed), keeps a history row saying what was
recorded, and sends `arrears.signals.breathing_space_changed` inside its transaction, so the apps above (the courts
app: notices made void, deadlines moved) change with it or not at all.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.constants import AgentKind, BreathingSpaceEnd, BreathingSpaceKind, BreathingSpaceReviewOutcome
from arrears.models import BreathingSpace, BreathingSpaceAgentNotice
from arrears.moratorium import (
    Moratorium,
    MoratoriumLaw,
    debt_split,
    hold_reason,
    last_protected_day,
    repeat_standard_warning,
    review_request_by,
    standard_expected_end,
)
from arrears.selectors import moratoria, moratorium_law, moratorium_on
from arrears.signals import breathing_space_changed
from incomeapp.law import NoThreshold
from incomeapp.money import ZERO, format_money
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account
from rentaccounts.selectors import sum_amounts

from .rereview import tenancy_re_review


@dataclass(frozen=True)
class BreathingSpaceRecorded:
    """A moratorium just recorded, and the R-BS-01 warning to show the officer ("" when none)."""

    breathing_space: BreathingSpace
    warning: str = ""


@dataclass(frozen=True)
class MoratoriumPosition:
    """A moratorium on a date and how the balance splits under it (R-BS-21): the held debt and the new arrears."""

    moratorium: Moratorium
    balance: Decimal
    held: Decimal
    new_arrears: Decimal


def _law(on: date) -> MoratoriumLaw:
    try:
        return moratorium_law(on)
    except NoThreshold as error:
        raise ValidationError(
            f"No Breathing Space figures are in force on {on:%-d %B %Y} (the scheme began on 4 May 2021). Check the "
            "date, or add the figures under Admin > Law thresholds."
        ) from error


def _rent_account(tenancy) -> Account | None:
    return Account.objects.filter(tenancy=tenancy, kind=AccountKind.RENT).first()


def _not_in_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(f"The {what} is in the future. Enter the date it happened.")


def _save(space: BreathingSpace, reason: str) -> BreathingSpace:
    """Works out the last protected day again, saves with a history reason, and tells the apps above."""
    law = _law(space.starts_on)
    space.ends_on = last_protected_day(
        kind=space.kind,
        expected_end_on=space.expected_end_on,
        treatment_ended_on=space.treatment_ended_on,
        ended_on=space.ended_on,
        law=law,
    )
    space._change_reason = reason[:100]
    space.save()
    breathing_space_changed.send(sender=BreathingSpace, breathing_space=space)
    tenancy_re_review(space.tenancy, "breathing space")
    return space


def _locked(space: BreathingSpace) -> BreathingSpace:
    return BreathingSpace.objects.select_for_update().get(pk=space.pk)


@transaction.atomic
def breathing_space_record(
    *,
    tenancy,
    kind: str,
    starts_on: date,
    recorded_by,
    notified_on: date | None = None,
    debtor=None,
    reference: str = "",
    adviser_name: str = "",
    adviser_organisation: str = "",
    adviser_contact: str = "",
) -> BreathingSpaceRecorded:
    """Records a moratorium from the Insolvency Service notice. A standard one is expected to end 60 days after it
    starts (R-BS-01); a mental health crisis one stays open until 30 days after the treatment ends (R-BS-02). The
    moratorium debt is what the rent account owed on the start date (R-BS-03: the debt when it was applied for and
    notified), frozen; arrears after it are new (R-BS-21). A second standard one within 12 months is recorded with a
    warning, not refused: the Insolvency Service decides who is eligible."""
    staff_require(recorded_by, "arrears.add_breathingspace", "record Breathing Space")
    if kind not in BreathingSpaceKind.values:
        raise ValidationError("Choose the type of Breathing Space: standard or mental health crisis.")
    if notified_on is not None:
        _not_in_future(notified_on, "date we were told of the Breathing Space")
    if debtor is not None and not tenancy.tenancy_tenants.filter(person=debtor).exists():
        raise ValidationError(
            f"{debtor.full_name} is not a named tenant of {tenancy.payment_reference}. Choose the tenant named in the "
            "Breathing Space notice; a joint tenant is protected for the same debt."
        )
    law = _law(starts_on)
    earlier = moratoria(tenancy=tenancy)
    warning = repeat_standard_warning(starts_on, earlier, law) if kind == BreathingSpaceKind.STANDARD else ""
    account = _rent_account(tenancy)
    balance_at_start = sum_amounts(account.transactions.filter(effective_date__lte=starts_on)) if account else ZERO
    space = BreathingSpace(
        tenancy=tenancy,
        debtor=debtor,
        kind=kind,
        reference=reference.strip(),
        notified_on=notified_on,
        starts_on=starts_on,
        adviser_name=adviser_name.strip(),
        adviser_organisation=adviser_organisation.strip(),
        adviser_contact=adviser_contact.strip(),
        expected_end_on=standard_expected_end(starts_on, law) if kind == BreathingSpaceKind.STANDARD else None,
        debt_covered=max(balance_at_start, ZERO),
        recorded_by=recorded_by,
    )
    _save(space, f"Recorded: {space.get_kind_display().split(' (')[0].lower()} from {starts_on:%-d %B %Y}")
    return BreathingSpaceRecorded(space, warning)


@transaction.atomic
def breathing_space_end_record(*, space: BreathingSpace, ended_on: date, reason: str, recorded_by) -> BreathingSpace:
    """An early end (by the debt adviser) or a cancellation (after a review or by the court), with its date. The
    moratorium protects up to and including that day; a deadline that fell inside it moves (R-BS-14)."""
    staff_require(recorded_by, "arrears.change_breathingspace", "record the end of a Breathing Space")
    space = _locked(space)
    if reason not in BreathingSpaceEnd.values:
        raise ValidationError("Choose how the Breathing Space ended: ended early or cancelled.")
    if ended_on < space.starts_on:
        raise ValidationError(
            f"The end date is before the Breathing Space began ({space.starts_on:%-d %B %Y}). Enter the date it ended "
            "or was cancelled, as the debt adviser or the Insolvency Service gave it."
        )
    _not_in_future(ended_on, "end date")
    if space.kind == BreathingSpaceKind.STANDARD and space.expected_end_on and ended_on > space.expected_end_on:
        raise ValidationError(
            f"This standard Breathing Space already ended on {space.expected_end_on:%-d %B %Y}; an early end or "
            "cancellation must be on or before that day."
        )
    space.ended_on, space.end_reason = ended_on, reason
    return _save(space, f"{BreathingSpaceEnd(reason).label.split(' (')[0]} on {ended_on:%-d %B %Y}")


@transaction.atomic
def breathing_space_treatment_end_record(*, space: BreathingSpace, treatment_ended_on: date, recorded_by):
    """A mental health crisis moratorium: the day the crisis treatment ended. It then ends 30 days later (R-BS-02)."""
    staff_require(recorded_by, "arrears.change_breathingspace", "record the end of crisis treatment")
    space = _locked(space)
    if space.kind != BreathingSpaceKind.MENTAL_HEALTH_CRISIS:
        raise ValidationError(
            "Only a mental health crisis Breathing Space ends with the crisis treatment; a standard one "
            "ends on its expected end date, or record its early end or cancellation."
        )
    if treatment_ended_on < space.starts_on:
        raise ValidationError(
            f"The treatment end date is before the Breathing Space began ({space.starts_on:%-d %B %Y}). Check the date "
            "with the debt adviser."
        )
    _not_in_future(treatment_ended_on, "treatment end date")
    space.treatment_ended_on = treatment_ended_on
    return _save(space, f"Crisis treatment ended on {treatment_ended_on:%-d %B %Y}")


@transaction.atomic
def breathing_space_review_request_record(
    *, space: BreathingSpace, requested_on: date, grounds: str, recorded_by
) -> BreathingSpace:
    """Our request to the debt adviser for a review (reg 17: unfair prejudice to us, or a material irregularity).
    Refused after the last day the law allows, 20 days from the start (R-BS-22): that limit cannot be extended."""
    staff_require(recorded_by, "arrears.change_breathingspace", "record a Breathing Space review request")
    space = _locked(space)
    if not grounds.strip():
        raise ValidationError(
            "Say the grounds for the review: how the moratorium unfairly prejudices us, or what was irregular."
        )
    if requested_on < space.starts_on:
        raise ValidationError(
            f"The request date is before the Breathing Space began ({space.starts_on:%-d %B %Y}). Enter the date the "
            "request was sent to the debt adviser."
        )
    _not_in_future(requested_on, "request date")
    last_day = review_request_by(space.starts_on, _law(space.starts_on))
    if requested_on > last_day:
        raise ValidationError(
            f"A review can be asked for only within 20 days of the Breathing Space starting: the last day was "
            f"{last_day:%-d %B %Y}, and the limit cannot be extended. What is left is an application to the "
            "court within 50 days of the start: ask your solicitors."
        )
    if space.review_requested_on is not None:
        raise ValidationError(
            f"A review was already asked for on {space.review_requested_on:%-d %B %Y}. Record the adviser's answer "
            "instead."
        )
    space.review_requested_on = requested_on
    space.review_grounds = grounds.strip()
    space.review_outcome = BreathingSpaceReviewOutcome.AWAITING
    return _save(space, f"Review asked for on {requested_on:%-d %B %Y}")


@transaction.atomic
def breathing_space_review_outcome_record(
    *, space: BreathingSpace, outcome: str, recorded_by, cancelled_on: date | None = None
) -> BreathingSpace:
    """The debt adviser's answer to our review request. A cancellation also records the moratorium's end for our debt
    on the date it was cancelled."""
    staff_require(recorded_by, "arrears.change_breathingspace", "record the outcome of a Breathing Space review")
    space = _locked(space)
    if space.review_requested_on is None:
        raise ValidationError("No review request is recorded for this Breathing Space. Record the request first.")
    if outcome not in BreathingSpaceReviewOutcome.values:
        raise ValidationError("Choose the outcome of the review.")
    if outcome == BreathingSpaceReviewOutcome.CANCELLED:
        if cancelled_on is None:
            raise ValidationError("Enter the date the debt adviser cancelled the Breathing Space.")
        if cancelled_on < space.starts_on:
            raise ValidationError(
                f"The cancellation date is before the Breathing Space began ({space.starts_on:%-d %B %Y})."
            )
        _not_in_future(cancelled_on, "cancellation date")
        space.ended_on, space.end_reason = cancelled_on, BreathingSpaceEnd.CANCELLED
    space.review_outcome = outcome
    return _save(space, f"Review outcome: {BreathingSpaceReviewOutcome(outcome).label}")


@transaction.atomic
def breathing_space_agent_told_record(
    *, space: BreathingSpace, agent_kind: str, agent_name: str, told_on: date, recorded_by, how: str = ""
) -> BreathingSpaceAgentNotice:
    """An agent acting for us on the debt (solicitors, enforcement agents, a debt collection agency) told of the
    moratorium: the evidence reg 12 asks for, since we are liable for what an agent does if we did not tell it
    (R-BS-15)."""
    staff_require(recorded_by, "arrears.change_breathingspace", "record an agent told of a Breathing Space")
    space = _locked(space)
    if agent_kind not in AgentKind.values:
        raise ValidationError("Choose what kind of agent was told.")
    if not agent_name.strip():
        raise ValidationError("Enter the agent's name (the firm or the person).")
    earliest = min(space.starts_on, space.notified_on or space.starts_on)
    if told_on < earliest:
        raise ValidationError(
            f"The date is before we knew of the Breathing Space ({earliest:%-d %B %Y}). Enter the date the agent was "
            "told."
        )
    _not_in_future(told_on, "date the agent was told")
    notice = BreathingSpaceAgentNotice.objects.create(
        breathing_space=space,
        agent_kind=agent_kind,
        agent_name=agent_name.strip(),
        told_on=told_on,
        how=how.strip(),
        recorded_by=recorded_by,
    )
    _save(space, f"Agent told: {notice.agent_name} on {told_on:%-d %B %Y}")
    return notice


# ---- the hold --------------------------------------------------------------------------------------------------------


class MoratoriumHold(ValidationError):
    """A step refused because a Breathing Space protects the debt; the message names the rule."""


def moratorium_position(*, tenancy, on: date, balance: Decimal | None = None) -> MoratoriumPosition | None:
    """The moratorium protecting the tenancy's debt on `on`, with today's balance split into the held moratorium debt
    and the new arrears (R-BS-21); None when no moratorium covers that day. `balance` saves a query when known."""
    moratorium = moratorium_on(tenancy=tenancy, on=on)
    if moratorium is None:
        return None
    if balance is None:
        account = _rent_account(tenancy)
        balance = account.balance if account else ZERO
    held, new_arrears = debt_split(balance=balance, moratorium_debt=moratorium.debt)
    return MoratoriumPosition(moratorium, balance, held, new_arrears)


def moratorium_hold(*, tenancy, on: date, step: str, rule: str, unless_new_arrears: bool = False) -> None:
    """Refuses `step` (in words: "an arrears letter", "a possession claim") while a moratorium protects the tenancy's
    debt on `on`, whoever asks and whatever policy is installed. With `unless_new_arrears` (letters and messages), a
    step about arrears that built up after the start is allowed (R-BS-21); it must then speak of those only."""
    position = moratorium_position(tenancy=tenancy, on=on)
    if position is None:
        return
    if unless_new_arrears and position.new_arrears > 0:
        return
    message = hold_reason(step, position.moratorium, rule=rule)
    if unless_new_arrears:
        message += (
            f" There are no new arrears since it began (the balance of {format_money(position.balance)} is all "
            "moratorium debt), so there is nothing to write about; talk to the debt adviser instead."
        )
    raise MoratoriumHold(message)


def cases_held_by_moratorium(*, case_ids: list[int], on: date) -> set[int]:
    """The cases (of `case_ids`) whose tenancy is under a moratorium on `on` with no new arrears since it began: no
    arrears letter may be queued for them (R-BS-11). Two queries, whatever the number of cases."""
    from django.db.models import Q

    from arrears.models import ArrearsCase

    cases = list(
        ArrearsCase.objects.filter(pk__any=case_ids).values_list("pk", "account__tenancy_id", "account__balance")
    )
    debts: dict[int, Decimal] = {}
    for tenancy_id, debt in (
        BreathingSpace.objects.filter(tenancy_id__any={tenancy_id for _, tenancy_id, _ in cases}, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("starts_on", "id")
        .values_list("tenancy_id", "debt_covered")
    ):
        debts[tenancy_id] = debt  # the latest to begin wins, as in moratorium_on
    return {
        pk
        for pk, tenancy_id, balance in cases
        if tenancy_id in debts and debt_split(balance=balance, moratorium_debt=debts[tenancy_id])[1] <= 0
    }
