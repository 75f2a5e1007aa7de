"""Writes for legal action, each checking the person's permission itself. Serving a notice fixes what the planner
worked out on the day, renders the notice for each named tenant, and records the milestone on the arrears case (through
the arrears app's service) so the weekly review sees it."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from arrears.services import legal_milestone_record
from arrears.services.breathing_space import MoratoriumHold, moratorium_hold
from documents.constants import DeliveryState, DocumentKind
from documents.rendering import letter_pdf
from documents.services import document_store
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind
from rentaccounts.services.statements import account_statement
from tenancies.models import Tenancy

from .constants import ServiceMethod
from .models import Notice, NoticeRule
from .planner import notice_plan
from .prescribed import notice_sections, prescribed_form_for


@transaction.atomic
def notice_serve(
    *,
    tenancy: Tenancy,
    notice_code: str,
    served_on: date,
    method: str,
    signatory: str,
    proof_of_service: str,
    served_by,
) -> Notice:
    """Records a notice served today or earlier, from the plan for that date. Refused, in plain English, during a
    Breathing Space (for a rent-arrears notice), when nothing is owed, or when the notice is not one the tenure has."""
    staff_require(served_by, "courts.add_notice", "serve notices")
    if served_on > timezone.localdate():
        raise ValidationError("Record a notice once it has been served: the date of service cannot be in the future.")
    if not proof_of_service.strip():
        raise ValidationError("Say who served the notice, how and when (the proof of service).")
    if not signatory.strip():
        raise ValidationError("Give the name and role of the person signing the notice for the landlord.")
    plan = notice_plan(tenancy=tenancy, served_on=served_on, method=method)
    option = next((option for option in plan.options if option.spec.code == notice_code), None)
    if option is None:
        available = ", ".join(option.spec.label for option in plan.options) or "none"
        raise ValidationError(
            f"That notice is not one this tenancy can be given on {served_on:%-d %B %Y} (available: {available})."
        )
    if option.for_arrears:  # R-BS-12: void if served during a moratorium (either date); a section 21 is not barred
        try:
            for day in (served_on, plan.deemed_served_on):
                moratorium_hold(
                    tenancy=tenancy, on=day, step="serving a notice on rent-arrears grounds", rule="R-BS-12"
                )
        except MoratoriumHold as hold:
            raise MoratoriumHold(
                f"{hold.messages[0]} Wait until it ends: a notice on rent-arrears grounds served now would be void."
            ) from None
    if plan.position.rent_arrears <= 0 and option.spec.grounds:
        raise ValidationError("No rent lawfully due is unpaid on the date of service, so there is nothing to rely on.")
    rule = NoticeRule.objects.get(pk=option.spec.rule_id)
    people = tenancy.named_tenants()
    notice = Notice.objects.create(
        tenancy=tenancy,
        notice_rule=rule,
        prescribed_form=prescribed_form_for(notice_type=rule.notice_type, sector=rule.sector, on=served_on),
        label=option.spec.label,
        notice_type=option.spec.notice_type,
        served_on=served_on,
        method=method,
        deemed_served_on=plan.deemed_served_on,
        earliest_proceedings_on=option.earliest_proceedings,
        lapses_on=option.statutory_lapses_on,  # the law's date; a Breathing Space's move is worked out when read
        tenant_names=[person.full_name for person in people],
        address="\n".join(tenancy.property.address_lines),
        grounds=[{"code": g.code, "title": g.title, "text": g.text, "kind": g.kind} for g in option.spec.grounds],
        balance=plan.position.balance,
        rent_arrears=plan.position.rent_arrears,
        rent_per_period=plan.position.rent_per_period,
        rent_period=tenancy.rent_period,
        serious_arrears=option.as_dict()["serious_arrears"],
        review_by=option.review_by,
        signatory=signatory.strip(),
        proof_of_service=proof_of_service.strip(),
        served_by=served_by,
    )
    _notice_documents_make(notice, option, people)
    legal_milestone_record(
        account=tenancy.accounts.get(kind=AccountKind.RENT),
        recorded_by=served_by,
        note=(
            f"{notice.label} served ({ServiceMethod(method).label.lower()}) on {served_on:%-d %B %Y}; proceedings may "
            f"begin after {notice.earliest_proceedings_on:%-d %B %Y}"
            + (f"; it lapses on {notice.lapses_on:%-d %B %Y}." if notice.lapses_on else ".")
        ),
        on=served_on,
        nosp_served_on=notice.deemed_served_on,
        nosp_expires_on=notice.lapses_on,
    )
    return notice


def _notice_documents_make(notice: Notice, option, people) -> None:
    """The notice as a PDF for each named tenant (every one is named in each), from the version of its prescribed form
    in force on the date of service (sections in order, notes word for word), with a 13-week schedule."""
    tenancy = notice.tenancy
    provider = tenancy.property.scheme.provider
    account = tenancy.accounts.get(kind=AccountKind.RENT)
    schedule = account_statement(
        account=account,
        date_from=notice.served_on - timedelta(weeks=13) + timedelta(days=1),
        date_to=notice.served_on,
    )
    letterhead = provider.letterhead
    values = {
        "tenant_names": ", ".join(notice.tenant_names)
        + (" (every tenant is named in this notice, and each is given a copy)" if len(notice.tenant_names) > 1 else ""),
        "landlord": provider.name,
        "landlord_address": ", ".join(letterhead["address_lines"]),
        "landlord_phone": letterhead["phone"] or "",
        "address": ", ".join(tenancy.property.address_lines),
        "ground_numbers": " and ".join(g["code"].rpartition("-")[2] for g in notice.grounds),
        "served_on": f"{notice.served_on:%-d %B %Y}",
        "earliest_proceedings": f"{notice.earliest_proceedings_on:%A %-d %B %Y}",
        "takes_effect": f"{notice.earliest_proceedings_on:%A %-d %B %Y}",
        "notice_days": str((notice.earliest_proceedings_on - notice.served_on).days),
        "lapses_on": f"{notice.lapses_on:%-d %B %Y}" if notice.lapses_on else "",
        "review_by": f"{notice.review_by:%A %-d %B %Y}" if notice.review_by else "",
        "signatory": notice.signatory,
    }
    body = render_to_string(
        "courts/notice_body.html",
        {
            "notice": notice,
            "form": notice.prescribed_form,
            "sections": notice_sections(form=notice.prescribed_form, values=values),
            "spec": option.spec,
            "provider": provider,
            "schedule": schedule,
            "option": option,
            "not_rent": notice.balance - notice.rent_arrears,
        },
    )
    for person in people:
        pdf = letter_pdf(
            title=notice.notice_rule.get_notice_type_display(),
            landlord=provider.letterhead,
            recipient={"name": person.full_name, "address_lines": tenancy.property.address_lines},
            reference=tenancy.payment_reference,
            dated=notice.served_on,
            body_html=body,
        )
        document_store(
            kind=DocumentKind.NOTICE,
            pdf=pdf,
            title=f"{notice.label} served {notice.served_on:%-d %B %Y}",
            reference=tenancy.payment_reference,
            subject_key=f"notice:{notice.pk}:person:{person.pk}",
            recipient_name=person.full_name,
            made_by=notice.served_by,
            made_by_run=f"notice:{notice.pk}",
            delivery_state=DeliveryState.PRINTED,  # served by hand or post by the officer, not the post room
        )


@transaction.atomic
def notice_protocol_copy_record(*, notice: Notice, sent_on: date, recorded_by) -> Notice:
    """R-PAP-17: after serving a notice, the landlord sends the tenant a copy of the pre-action protocol."""
    staff_require(recorded_by, "courts.change_notice", "update notices")
    if sent_on < notice.served_on:
        raise ValidationError("The protocol copy is sent after the notice is served: give a date on or after service.")
    if sent_on > timezone.localdate():
        raise ValidationError("Record the protocol copy once it has been sent: the date cannot be in the future.")
    notice.protocol_copy_sent_on = sent_on
    notice.save(update_fields=["protocol_copy_sent_on"])
    return notice


@transaction.atomic
def intro_review_record(
    *, notice: Notice, requested_on: date, decision_on: date | None, upheld: bool | None, recorded_by
) -> Notice:
    """R-INT-03: an introductory tenant's request for a review of the decision to seek possession, and its decision.
    The review must be decided and the decision notified before the date in the notice, or no claim can follow."""
    staff_require(recorded_by, "courts.change_notice", "record reviews")
    if notice.review_by is None:
        raise ValidationError("Only a notice of proceedings for an introductory tenancy carries a right to a review.")
    if requested_on < notice.served_on:
        raise ValidationError("A review cannot be asked for before the notice was served.")
    if decision_on is not None and upheld is None:
        raise ValidationError("Say whether the decision to seek possession was upheld.")
    if decision_on is not None and decision_on < requested_on:
        raise ValidationError("The decision cannot come before the request.")
    notice.review_requested_on, notice.review_decision_on = requested_on, decision_on
    notice.review_upheld = upheld if decision_on is not None else None
    notice.save(update_fields=["review_requested_on", "review_decision_on", "review_upheld"])
    return notice
