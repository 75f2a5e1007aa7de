"""Rendering the letters the review (or an officer) queued: one per named tenant, as the protocol asks, through the
documents app. Safe to run again, and twice at once: a request is rendered only while its contact says "queued" and
under its row lock, and a tenant who already has this request's letter does not get a second one (a unique key).
Letters whose render died are found by the sweeper and handed on again."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from documents.constants import DeliveryState
from documents.models import Document
from documents.services import document_email, template_version_current
from incomeapp.money import format_money
from tenancies.constants import TenancyStatus
from tenancies.services_letters import tenant_letter_make

from .constants import ContactOutcome, Ladder
from .letters_ladders import ladder_letter_values
from .models import LetterRequest
from .services.breathing_space import moratorium_position


def case_letter_values(case, people: list, recommendation=None) -> dict:
    """The merge values for a case's letters (except tenant_name, which is per letter)."""
    tenancy = case.account.tenancy
    facts = recommendation.facts if recommendation else {}
    officer = case.officer
    provider = tenancy.property.scheme.provider
    agreement = case.agreements.exclude(state="cancelled").order_by("-starts_on", "-id").first()
    position = moratorium_position(tenancy=tenancy, on=timezone.localdate(), balance=case.account.balance)
    values = {
        "tenant_names": " and ".join(person.full_name for person in people),
        "address": tenancy.property.one_line_address,
        "payment_reference": tenancy.payment_reference,
        # Under a Breathing Space a letter never asks for the moratorium debt, only arrears since it began (R-BS-21).
        "balance": format_money(position.new_arrears if position else case.account.balance),
        "moratorium_note": _moratorium_note(position),
        "weekly_rent": format_money(Decimal(facts.get("weekly_rent", "0"))),
        "arrears_weeks": f"{recommendation.arrears_weeks:.1f}" if recommendation else "",
        "weeks_basis": recommendation.get_weeks_basis_display() if recommendation else "weeks of rent",
        "officer_name": (officer.get_full_name() or officer.username) if officer else "The Income Team",
        "officer_phone": (officer.phone if officer and officer.phone else provider.phone)
        or "the number on our website",
        "landlord_name": provider.name,
        "today": f"{timezone.localdate():%-d %B %Y}",
    }
    values |= ladder_letter_values(case, facts)  # amount_due, debt_for (former tenants' and sundry letters)
    if agreement is not None:
        values |= {
            "agreement_amount": format_money(agreement.amount),
            "agreement_frequency": agreement.get_frequency_display().lower(),
            "agreement_start": f"{agreement.starts_on:%-d %B %Y}",
        }
    return values


def _moratorium_note(position) -> str:
    if position is None:
        return ""
    moratorium = position.moratorium
    until = f"{moratorium.ends_on:%-d %B %Y}" if moratorium.ends_on else "it ends"
    return (
        f"You are in a Breathing Space that began on {moratorium.starts_on:%-d %B %Y}. This letter is only about rent "
        f"that has fallen due since then and not been paid ({format_money(position.new_arrears)}). We will not ask you "
        f"about the {format_money(position.held)} the Breathing Space covers until {until}; your debt adviser can "
        "talk to us about it."
    )


def moratorium_withheld(request, on) -> str:
    """Why a queued letter must not go out now: a Breathing Space covers the tenancy and the balance is all
    moratorium debt (recorded after the letter was queued). "" when it may go (R-BS-11)."""
    case = request.case
    position = moratorium_position(tenancy=case.account.tenancy, on=on, balance=case.account.balance)
    if position is None or position.new_arrears > 0:
        return ""
    return (
        f"Not sent: a Breathing Space began on {position.moratorium.starts_on:%-d %B %Y} and the balance of "
        f"{format_money(position.balance)} is all moratorium debt, so no arrears letter may go."
    )


def letter_to_person(*, request, version, values: dict, person, home, landlord: dict, run_label: str) -> Document:
    """One tenant's letter of a request, made once: found again by its idempotency key, which the database keeps
    unique. Posted, or waiting to be emailed to a tenant who chose email (`letter_email`)."""
    key = f"letter-request:{request.pk}:person:{person.pk}"
    document = Document.objects.filter(idempotency_key=key).first()
    if document is not None:
        return document
    address = person.postal_lines(home)
    if not address and not person.wants_email:
        raise ValidationError(
            f"There is no address to post to: {person.full_name} has left the home and no forwarding address or "
            "email is recorded. Add one, then retry."
        )
    return tenant_letter_make(
        version=version,
        values=values,
        person=person,
        address=address,
        landlord=landlord,
        reference=request.case.account.tenancy.payment_reference,
        subject_key=key,
        idempotency_key=key,
        made_by=request.contact.recorded_by,
        made_by_run=run_label,
    )


IN_HAND_ELSEWHERE = "being made by another worker"


def letter_requests_render(*, request_ids: list[int], run_label: str = "") -> Counter:
    """Renders each queued request; the contact's outcome becomes "sent" (the PDFs wait to be printed, or were emailed
    to tenants who chose email) or "failed" with the reason, which brings the "review failed letter" step. Returns
    counts by outcome.

    Each request is made in its own transaction holding its row lock (taken with SKIP LOCKED): a second worker given
    the same letter at the same moment (a retried task, the sweeper) skips it, so one document is made per tenant and
    one email sent. A worker that dies mid-letter loses its transaction and its lock; the letter is still "queued" and
    the sweeper hands it on within minutes."""
    counts: Counter = Counter()
    for request_id in request_ids:
        with transaction.atomic():
            request = (
                LetterRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=request_id, contact__outcome=ContactOutcome.QUEUED)
                .select_related(
                    "contact",
                    "recommendation",
                    "case__officer",
                    "case__account__tenancy__property__scheme__provider",
                )
                .first()
            )
            if request is None:
                if LetterRequest.objects.filter(pk=request_id, contact__outcome=ContactOutcome.QUEUED).exists():
                    counts[IN_HAND_ELSEWHERE] += 1
                continue
            counts[_letter_request_render(request, run_label)] += 1
    return counts


def _letter_request_render(request: LetterRequest, run_label: str) -> str:
    tenancy = request.case.account.tenancy
    contact = request.contact
    if tenancy.status == TenancyStatus.FORMER and request.case.ladder == Ladder.CURRENT:
        # Queued before the tenancy ended: a current tenant's arrears letter is not sent to a former tenant.
        contact.outcome = ContactOutcome.NOTE
        contact.notes = f"{contact.notes} Not sent: the tenancy ended before the letter went out.".strip()
        contact.save(update_fields=["outcome", "notes"])
        return "not sent: tenancy ended"
    withheld = moratorium_withheld(request, timezone.localdate())
    if withheld:
        contact.outcome = ContactOutcome.WITHHELD
        contact.notes = f"{contact.notes} {withheld}".strip()
        contact.save(update_fields=["outcome", "notes"])
        return ContactOutcome.WITHHELD
    people = tenancy.named_tenants()
    provider = tenancy.property.scheme.provider
    try:
        version = template_version_current(request.letter)
        if version is None:
            raise ValidationError(f"There is no letter template called '{request.letter}'. Add it, then retry.")
        values = case_letter_values(request.case, people, request.recommendation)
        home = tenancy.property.address_lines if tenancy.is_live_on(timezone.localdate()) else None
        letters = [
            (
                person,
                letter_to_person(
                    request=request,
                    version=version,
                    values=values,
                    person=person,
                    home=home,
                    landlord=provider.letterhead,
                    run_label=run_label,
                ),
            )
            for person in people
        ]
        # Every letter is made before any is emailed, so a letter that cannot be made sends nothing.
        failures = []
        for person, document in letters:
            if document.delivery_state == DeliveryState.TO_EMAIL:
                document_email(
                    document=document,
                    to=[person.email],
                    greeting=f"Dear {person.full_name}",
                    landlord=provider.letterhead,
                )
            if document.delivery_state == DeliveryState.FAILED:
                failures.append(document.delivery_note)
        if failures:
            raise ValidationError(" ".join(failures))
    except ValidationError as error:
        contact.outcome = ContactOutcome.FAILED
        contact.notes = f"{contact.notes} Not sent: {error.messages[0]}".strip()
    else:
        contact.outcome = ContactOutcome.SENT
    contact.save(update_fields=["outcome", "notes"])
    return contact.outcome


def letter_run_label(request: LetterRequest) -> str:
    """The run a letter's documents belong to (their print batch): an officer's letter, else its review's."""
    return "officer" if request.contact.recorded_by_id else f"review:{request.recommendation.run_id}"


SWEEP_LIMIT = 5000  # letters handed on per sweep; the next sweep (minutes later) takes the rest


def letters_sweep() -> Counter:
    """Finds the letters whose render died and hands them to Celery again (beat, every few minutes): still "queued"
    LETTER_RENDER_STALE_MINUTES after they were queued (or last handed on), and not being rendered now. A render in
    progress, however slow, holds its letter's row lock, which this skips; a worker that died has lost its lock.
    After LETTER_RENDER_MAX_RETRIES hand-ons a letter is failed with the reason, for a person to review, so none stays
    "queued" for ever. Returns counts: handed on, failed."""
    from .services.casework import letters_render_after_commit

    cutoff = timezone.now() - timedelta(minutes=settings.LETTER_RENDER_STALE_MINUTES)
    counts: Counter = Counter()
    with transaction.atomic():
        stale = list(
            LetterRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(contact__outcome=ContactOutcome.QUEUED, created_at__lt=cutoff)
            .filter(Q(render_handed_at__isnull=True) | Q(render_handed_at__lt=cutoff))
            .select_related("contact", "recommendation")
            .order_by("id")[:SWEEP_LIMIT]
        )
        given_up = [r for r in stale if r.render_retries >= settings.LETTER_RENDER_MAX_RETRIES]
        handed = [r for r in stale if r.render_retries < settings.LETTER_RENDER_MAX_RETRIES]
        for request in given_up:
            request.contact.outcome = ContactOutcome.FAILED
            request.contact.notes = (
                f"{request.contact.notes} Not sent: the letter could not be made after {request.render_retries + 1} "
                "tries (the worker making it stopped each time). Check the letter's template and the tenants' "
                "details, then send it again."
            ).strip()
            request.contact.save(update_fields=["outcome", "notes"])
        LetterRequest.objects.filter(pk__in=[r.pk for r in handed]).update(
            render_handed_at=timezone.now(), render_retries=F("render_retries") + 1
        )
        by_run: dict[str, list[int]] = {}
        for request in handed:
            by_run.setdefault(letter_run_label(request), []).append(request.pk)
        for run_label, ids in by_run.items():
            letters_render_after_commit(ids, run_label)
        counts["handed on"], counts["failed"] = len(handed), len(given_up)
    return counts


# ---- letters on demand: which letters fit a case, what stops one, and each letter's state for the diary -------------


def letters_fitting(case) -> list[dict]:
    """The letters an officer may send this case now, in the policy's order: each arrears letter the case's policy
    names (not one that needs approval first, and the agreement letter too), whose template is published and whose
    merge fields this case can all fill (an agreement letter needs an agreement). [{key, title}]."""
    from documents.services import TemplateError, fields_used  # the merge fields check documents itself uses

    from .constants import AGREEMENT_LETTER

    recommendation = case.latest_recommendation
    if recommendation is None:
        return []
    document = recommendation.policy_version.document
    outcomes = [rule["outcome"] for rule in document.get("rules", [])] + [document.get("otherwise") or {}]
    keys = list(dict.fromkeys(o["letter"] for o in outcomes if o.get("letter") and o.get("mode") != "approval"))
    keys.append(AGREEMENT_LETTER)
    values = case_letter_values(case, case.account.tenancy.named_tenants(), recommendation)
    fitting = []
    for key in keys:
        version = template_version_current(key)
        if version is None:
            continue
        try:
            used = fields_used(f"{version.subject}\n{version.body}")
        except TemplateError:
            continue
        if all(name == "tenant_name" or name in values for name in used):
            fitting.append({"key": key, "title": version.template.title or version.subject})
    return fitting


def letter_refusal(case, on) -> str:
    """Why no arrears letter may go to this case on `on`, in plain words ("" when one may): a Breathing Space
    covering the whole balance, a pause, or a tenancy that has ended. `letter_send` checks the legal hold again."""
    tenancy = case.account.tenancy
    if tenancy.status == TenancyStatus.FORMER:
        return "No arrears letter can be sent: this tenancy has ended. Former tenant letters go with the statements."
    position = moratorium_position(tenancy=tenancy, on=on, balance=case.account.balance)
    if position is not None and position.new_arrears <= 0:
        return (
            f"No letter can be sent while the Breathing Space that began on {position.moratorium.starts_on:%-d %B %Y} "
            f"lasts: it covers all of the {format_money(position.balance)} owed, so there is nothing the tenant may "
            "be asked to pay. Talk to their debt adviser instead."
        )
    pause = case.pauses.filter(ends_on__gt=on).order_by("-ends_on").first()
    if pause is not None:
        return (
            f"No letter can be sent while the case is paused (until {pause.ends_on:%-d %B %Y}: "
            f"{pause.get_reason_display().lower()}). Wait until then, or ask a manager to end the pause."
        )
    return ""


def letters_in_diary(case) -> dict[int, dict]:
    """Each letter contact of the case with its state and its documents (one PDF per named tenant): {contact id:
    {"state", "tag" (a govuk-tag colour), "documents": [Document]}}. Once the documents are made the state is theirs,
    in the words the tenancy's documents list uses (To print, Printed, To email, Emailed, Failed); before that, the
    contact's (queued, withheld, failed)."""
    requests = {
        request.pk: request.contact_id for request in LetterRequest.objects.filter(case=case).only("pk", "contact_id")
    }
    documents: dict[int, list] = {}
    letters = Document.objects.filter(reference=case.account.tenancy.payment_reference).filter(
        Q(subject_key__startswith="letter-request:") | Q(subject_key__startswith="agreement-letter:")
    )
    for document in letters.order_by("id"):
        kind, number = document.subject_key.split(":")[:2]
        if kind == "letter-request" and int(number) in requests:
            documents.setdefault(requests[int(number)], []).append(document)
        elif kind == "agreement-letter":  # "agreement-letter:<contact id>:person:<id>" (arrears.services.agreements)
            documents.setdefault(int(number), []).append(document)
    shown = {}
    for contact in case.contacts.filter(pk__in={*requests.values(), *documents}):
        made = documents.get(contact.pk, [])
        if made:
            states = {document.delivery_state for document in made}
            state = made[0].get_delivery_state_display() if len(states) == 1 else "Made: see each letter"
            tag = "red" if DeliveryState.FAILED in states else "green" if states <= _DONE else "blue"
        elif contact.outcome == ContactOutcome.QUEUED:
            state, tag = "Queued", "grey"
        else:
            state, tag = contact.get_outcome_display(), "red" if contact.outcome == ContactOutcome.FAILED else "grey"
        shown[contact.pk] = {"state": state, "tag": tag, "documents": made}
    return shown


_DONE = {DeliveryState.PRINTED, DeliveryState.EMAILED}
