"""Casework: contacts, agreements, pauses, Breathing Space, referrals, vulnerability reviews, reassignment and the
officer's "send this letter". Each checks the person's permission itself."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.constants import (
    LETTER_BATCH,
    RECORDABLE_OUTCOMES,
    ContactKind,
    ContactOutcome,
)
from arrears.models import (
    ArrearsCase,
    Contact,
    LetterRequest,
    Pause,
    Referral,
    VulnerabilityReview,
)
from incomeapp.roles import staff_require
from rentaccounts.charging import monday_of

from .rereview import case_re_review

# ---- casework: contacts, agreements, pauses, Breathing Space ---------------------------------------------------------


def contact_record(
    *,
    case: ArrearsCase,
    kind: str,
    outcome: str,
    occurred_on: date,
    recorded_by,
    person=None,
    code: str = "",
    notes: str = "",
    promise_amount: Decimal | None = None,
    promise_on: date | None = None,
    non_payment_reason: str = "",
) -> Contact:
    """Adds to the contact diary. A promise to pay needs both an amount and a date. A person records only what
    happened when someone was reached or tried (RECORDABLE_OUTCOMES); the letters' statuses are the system's."""
    staff_require(recorded_by, "arrears.add_contact", "record contacts")
    if recorded_by is not None and outcome not in RECORDABLE_OUTCOMES:
        raise ValidationError("Choose what happened: spoke to them, no answer, left a message, or letter returned.")
    if occurred_on > timezone.localdate():
        raise ValidationError("The contact date is in the future. Enter the date it happened.")
    if (promise_amount is None) != (promise_on is None):
        raise ValidationError("A promise to pay needs both an amount and a date.")
    contact = Contact.objects.create(
        case=case,
        kind=kind,
        outcome=outcome,
        occurred_on=occurred_on,
        recorded_by=recorded_by,
        person=person,
        code=code,
        notes=notes,
        promise_amount=promise_amount,
        promise_on=promise_on,
        non_payment_reason=non_payment_reason,
    )
    case_re_review(case)
    return contact


def pause_create(*, case: ArrearsCase, reason: str, ends_on: date, comment: str, created_by) -> Pause:
    """Holds the ladder until `ends_on`. A pause needs an end date in the future, a reason and a comment."""
    staff_require(created_by, "arrears.add_pause", "pause cases")
    if ends_on <= timezone.localdate():
        raise ValidationError("The pause must end after today. Choose the date the case should be looked at again.")
    if not comment.strip():
        raise ValidationError("Say why the case is paused, so whoever picks it up knows.")
    pause = Pause.objects.create(
        case=case, reason=reason, ends_on=ends_on, comment=comment.strip(), created_by=created_by
    )
    case_re_review(case)
    return pause


def referral_record(*, case: ArrearsCase, kind: str, made_on: date, made_by, to_whom: str = "", notes: str = ""):
    staff_require(made_by, "arrears.add_referral", "record referrals")
    if made_on > timezone.localdate():
        raise ValidationError("The referral date is in the future. Enter the date it was made.")
    return Referral.objects.create(case=case, kind=kind, made_on=made_on, to_whom=to_whom, notes=notes, made_by=made_by)


@transaction.atomic
def vulnerability_review_record(
    *, case: ArrearsCase, reviewed_on: date, vulnerable: bool, reviewed_by, adjustments: str = "", notes: str = ""
) -> VulnerabilityReview:
    """Records the decision and dates the case's last review (the policy holds legal steps until one is recorded)."""
    staff_require(reviewed_by, "arrears.add_vulnerabilityreview", "record vulnerability reviews")
    if reviewed_on > timezone.localdate():
        raise ValidationError("The review date is in the future. Enter the date the review was done.")
    if vulnerable and not adjustments.strip():
        raise ValidationError("Say what changes because the tenant is vulnerable (contact, pace, support).")
    review = VulnerabilityReview.objects.create(
        case=case,
        reviewed_on=reviewed_on,
        vulnerable=vulnerable,
        adjustments=adjustments.strip(),
        notes=notes,
        reviewed_by=reviewed_by,
    )
    if case.vulnerability_reviewed_on is None or reviewed_on > case.vulnerability_reviewed_on:
        case.vulnerability_reviewed_on = reviewed_on
        case.save(update_fields=["vulnerability_reviewed_on", "updated_at"])
    case_re_review(case)
    return review


@transaction.atomic
def cases_reassign(*, cases, officer, reassigned_by) -> int:
    """Moves open cases to another officer (cover during leave). Each case keeps its history of who held it."""
    staff_require(reassigned_by, "arrears.change_arrearscase", "reassign cases")
    if officer is not None and not officer.has_perm("incomeapp.use_worklist"):
        raise ValidationError(
            f"{officer.get_full_name() or officer.username} does not work cases, so cannot hold them."
        )
    moved = 0
    for case in cases.select_for_update():
        if case.officer_id != (officer.pk if officer else None):
            case.officer = officer
            case._change_reason = f"Reassigned by {reassigned_by.get_username() if reassigned_by else 'the system'}"
            case.save(update_fields=["officer", "updated_at"])
            moved += 1
    return moved


def letters_queue(
    *,
    recommendations: list,
    case_ids: dict[int, int],
    on: date,
    run_label: str,
    recorded_by=None,
    letter: str = "",
    note: str = "",
) -> list[LetterRequest]:
    """The one way a letter is asked for: queues each recommendation's letter once per case, letter and week (a
    database constraint backs this up), records it as a contact at the same time, so the ladder moves on, and hands it
    to Celery to render, store and send once this commits. A letter already queued that week is left out; returns the
    requests made. Used by the review (its automatic letters) and by an officer sending one.
    A letter for a tenancy under a Breathing Space with no new arrears since it began is never queued (R-BS-11),
    whatever the policy recommended. `letter` and `note`: an officer's choice of letter (and the diary's words for it)
    in place of each recommendation's."""
    from arrears.services.breathing_space import cases_held_by_moratorium

    week = monday_of(on)
    done = set(
        LetterRequest.objects.filter(
            case__any=[case_ids[r.account_id] for r in recommendations], week_commencing=week
        ).values_list("case_id", "letter")
    )
    held = cases_held_by_moratorium(case_ids=[case_ids[r.account_id] for r in recommendations], on=on)
    wanted = [
        r
        for r in recommendations
        if (case_ids[r.account_id], letter or r.letter) not in done and case_ids[r.account_id] not in held
    ]
    automatic = recorded_by is None
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                case_id=case_ids[r.account_id],
                kind=ContactKind.LETTER,
                code=letter or r.letter,
                outcome=ContactOutcome.QUEUED,
                occurred_on=on,
                notes=note or (f"{r.label} (automatic, arrears review)" if automatic else r.label),
                recorded_by=recorded_by,
            )
            for r in wanted
        ],
        batch_size=1000,
    )
    requests = LetterRequest.objects.bulk_create(
        [
            LetterRequest(
                case_id=contact.case_id,
                letter=letter or r.letter,
                week_commencing=week,
                recommendation=r,
                contact=contact,
            )
            for r, contact in zip(wanted, contacts, strict=True)
        ],
        batch_size=1000,
    )
    letters_render_after_commit([request.pk for request in requests], run_label)
    return requests


def letters_render_after_commit(request_ids: list[int], run_label: str) -> None:
    """Queued letters go to Celery in batches once the transaction that queued them commits (the only way a letter
    reaches the renderer). A broker that fails here stops nothing: the letters stay queued and the sweeper
    (arrears.letters.letters_sweep) or a resumed review hands them on."""
    from arrears.tasks import render_letters

    if not request_ids:
        return

    def hand_on():
        for start in range(0, len(request_ids), LETTER_BATCH):
            render_letters.delay(request_ids=request_ids[start : start + LETTER_BATCH], run_label=run_label)

    transaction.on_commit(hand_on, robust=True)


@transaction.atomic
def letter_send(*, case: ArrearsCase, sent_by, letter: str = "") -> LetterRequest:
    """An officer sends the letter the case's recommendation names (steps the policy leaves to a person, like the final
    warning), or with `letter` any letter that fits the case (arrears.letters.letters_fitting), queued as the review
    queues its automatic letters. Refused while the case is paused or its tenancy ended, and under a Breathing Space
    unless there are new arrears since it began, which the letter then speaks of alone (R-BS-11, R-BS-21)."""
    from arrears.letters import letter_refusal, letters_fitting
    from arrears.services.breathing_space import moratorium_hold

    staff_require(sent_by, "arrears.add_contact", "send letters")
    refused = letter_refusal(case, timezone.localdate())
    if refused:
        raise ValidationError(refused)
    moratorium_hold(
        tenancy=case.account.tenancy,
        on=timezone.localdate(),
        step="an arrears letter",
        rule="R-BS-11",
        unless_new_arrears=True,
    )
    recommendation = case.latest_recommendation
    note = ""
    if letter and letter != getattr(recommendation, "letter", ""):
        chosen = next((fit for fit in letters_fitting(case) if fit["key"] == letter), None)
        if chosen is None:
            raise ValidationError("That letter does not fit this case. Choose one of the letters listed.")
        note = f"{chosen['title']} (sent by an officer, not the recommended step)"
    elif recommendation is None or not recommendation.letter:
        raise ValidationError("The recommended step for this case is not a letter.")
    elif recommendation.mode == "approval":
        raise ValidationError("This step needs approval first; it cannot be sent from here.")
    queued = letters_queue(
        recommendations=[recommendation],
        case_ids={recommendation.account_id: case.pk},
        on=timezone.localdate(),
        run_label="officer",
        recorded_by=sent_by,
        letter=letter,
        note=note,
    )
    if not queued:
        raise ValidationError("This letter was already sent to this case this week: it is in the diary.")
    case_re_review(case)
    return queued[0]
