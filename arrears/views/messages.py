"""Sending a text or email from the case page: choose the named tenant (only those who can get that channel; the
others are listed with why) and a published template; check the text with this case's details filled in (editable,
with its part count and when it will go); send. It goes through the one queueing service, shows in the diary at once,
and its delivery status follows it there."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from arrears.forms_messages import MessageCheckForm, MessageChooseForm
from arrears.letters import case_letter_values
from arrears.services.messages import message_address
from arrears.services.officer_messages import officer_message_key, officer_message_queue
from documents.merge_fields import TemplateError, fields_used
from messaging.constants import Channel, MessageStatus, SuppressionReason
from messaging.models import Message, MessageTemplate
from messaging.parts import part_limits
from messaging.quiet_hours import next_sending_moment, quiet_reason
from messaging.selectors import template_version_current
from messaging.services import message_text, suppressed_addresses

from .case_page import _case_or_404

_ALREADY = "was already sent this message"


def _recipients(case, channel: str) -> tuple[list, list]:
    """([(person, address)] who can get `channel` now, [(person, why not)] who cannot), named tenants in order."""
    people = case.account.tenancy.named_tenants()
    found = [(person, *message_address(person, channel)) for person in people]
    suppressed = suppressed_addresses(address for _, address, _ in found if address)
    reachable, unreachable = [], []
    for person, address, why in found:
        if address and address in suppressed:
            said = SuppressionReason(suppressed[address]).label  # suppressed_addresses gives the reason's code
            why = said[:1].lower() + said[1:]
        if address and not why:
            reachable.append((person, address))
        else:
            unreachable.append((person, why))
    return reachable, unreachable


def _published(channel: str) -> list:
    """The version in use of each template of `channel`, by title (templates with none published are left out)."""
    versions = [template_version_current(template.key) for template in MessageTemplate.objects.filter(channel=channel)]
    return [version for version in versions if version is not None]


def _merged(case, person, version) -> tuple[str, str]:
    """The version's subject and text with this case's details for `person`; ValidationError in plain words when the
    case has no value for a merge field the template uses."""
    values = case_letter_values(case, case.account.tenancy.named_tenants(), case.latest_recommendation)
    values |= {"tenant_name": person.full_name}
    missing = [name for name in fields_used(version.subject + "\n" + version.body) if name not in values]
    if missing:
        names = ", ".join("{{ " + name + " }}" for name in missing)
        raise ValidationError(
            f"“{version.template.title}” uses {names}, which this case has no value for (for example, no agreement). "
            "Choose another message."
        )
    return message_text(version, values)


def _when(moment) -> dict:
    """When a message made at `moment` goes: now, or the next sending time and why it waits."""
    goes = next_sending_moment(moment)
    if goes == moment:
        return {"now": True, "words": "now"}
    local = timezone.localtime(goes)
    return {
        "now": False,
        "reason": quiet_reason(moment),
        "words": f"at {local:%H:%M} on {local:%A %-d %B %Y}",
    }


@permission_required(("incomeapp.use_worklist", "messaging.add_message"), raise_exception=True)
def message_send(request, pk):
    case = _case_or_404(pk, request.user)
    channel = request.GET.get("channel", Channel.TEXT)
    if channel not in Channel.values:
        raise Http404("There is no such kind of message.")
    reachable, unreachable = _recipients(case, channel)
    templates = _published(channel)
    context = {
        "case": case,
        "tenancy": case.account.tenancy,
        "channel": channel,
        "channel_name": Channel(channel).label,
        "other_channel": Channel.EMAIL if channel == Channel.TEXT else Channel.TEXT,
        "other_channel_name": (Channel.EMAIL if channel == Channel.TEXT else Channel.TEXT).label.lower(),
        "reachable": reachable,
        "unreachable": unreachable,
        "templates": templates,
    }
    if request.method != "POST":
        form = MessageChooseForm(reachable=reachable, templates=templates, initial={"token": secrets.token_urlsafe(24)})
        return render(request, "arrears/message_send.html", {**context, "form": form, "step": "choose"})
    if "check" in request.POST:
        return _choose_step(request, case, context)
    return _check_step(request, case, context)


def _choose_step(request, case, context):
    form = MessageChooseForm(request.POST, reachable=context["reachable"], templates=context["templates"])
    if form.is_valid():
        person = next(p for p, _ in context["reachable"] if p.pk == form.cleaned_data["person"])
        version = next(v for v in context["templates"] if v.template.key == form.cleaned_data["template"])
        try:
            subject, body = _merged(case, person, version)
        except ValidationError as error:
            form.add_error("template", error.messages[0])
        else:
            check = MessageCheckForm(
                initial={
                    "person": person.pk,
                    "template": version.template.key,
                    "token": form.cleaned_data["token"],
                    "body": body,
                }
            )
            return _check_page(request, context, check, person=person, version=version, subject=subject, body=body)
    return render(request, "arrears/message_send.html", {**context, "form": form, "step": "choose"}, status=400)


def _check_page(request, context, form, *, person, version, subject, body, status=200):
    address = next(address for p, address in context["reachable"] if p.pk == person.pk)
    is_text = context["channel"] == Channel.TEXT
    return render(
        request,
        "arrears/message_send.html",
        {
            **context,
            "form": form,
            "step": "check",
            "person": person,
            "address": address,
            "version": version,
            "subject": subject,
            "parts": part_limits(body) if is_text else None,
            "when": _when(timezone.now()),
        },
        status=status,
    )


def _check_step(request, case, context):
    form = MessageCheckForm(request.POST)
    if not form.is_valid() and {"person", "template", "token"} & set(form.errors):
        messages.error(request, "That message could not be sent: the form had expired. Start again.")
        return redirect(_send_url(case, context["channel"]))
    data = form.cleaned_data
    person = next((p for p, _ in context["reachable"] if p.pk == data.get("person")), None)
    version = next((v for v in context["templates"] if v.template.key == data.get("template")), None)
    if person is None or version is None:
        messages.error(
            request,
            "That message could not be sent: the tenant can no longer get it, or the template is no longer "
            "published. Choose again.",
        )
        return redirect(_send_url(case, context["channel"]))
    try:
        subject, _ = _merged(case, person, version)
    except ValidationError as error:  # the template changed since the form was shown
        messages.error(request, error.messages[0])
        return redirect(_send_url(case, context["channel"]))
    body = request.POST.get("body", "")
    if form.is_valid() and "send" in request.POST:
        try:
            result = officer_message_queue(
                case=case,
                template_key=version.template.key,
                person_id=person.pk,
                body=form.cleaned_data["body"],
                token=data["token"],
                officer=request.user,
            )
        except (ValidationError, TemplateError) as error:
            text = error.messages[0] if isinstance(error, ValidationError) else str(error)
            form.add_error("body", text.replace("the letter cannot be made", "the message cannot be made"))
        else:
            return _sent(request, case, result, person=person, token=data["token"], form=form, context=context)
    status = 400 if form.errors else 200
    return _check_page(
        request, context, form, person=person, version=version, subject=subject, body=body, status=status
    )


def _sent(request, case, result, *, person, token, form, context):
    if result.contacts:
        contact = result.contacts[0]
        message = contact.message
        messages.success(request, _sent_banner(message, contact.pk))
        return redirect(f"{reverse('arrears:case', args=[case.pk])}#diary-contact-{contact.pk}")
    reasons = [why for _, person_id, why in result.skipped if person_id in (person.pk, None)]
    if any(_ALREADY in why for why in reasons):
        message = Message.objects.filter(
            idempotency_key=officer_message_key(case=case, token=token, person_id=person.pk)
        )
        message = message.select_related("contact").first()
        contact_pk = message.contact.pk if message and hasattr(message, "contact") else None
        messages.info(
            request,
            format_html(
                "This message was already sent from this form: it was not sent again. {}",
                _diary_link(contact_pk) if contact_pk else "",
            ),
        )
        return redirect("arrears:case", pk=case.pk)
    form.add_error(None, f"The message was not sent: {'; '.join(reasons) or 'no reason was given'}.")
    body = form.cleaned_data.get("body", "")
    return _check_page(
        request,
        context,
        form,
        person=person,
        version=next(v for v in context["templates"] if v.template.key == form.cleaned_data["template"]),
        subject="",
        body=body,
        status=400,
    )


def _diary_link(contact_pk: int):
    return format_html(
        '<a class="govuk-notification-banner__link" href="#diary-contact-{}">See it in the diary</a>.', contact_pk
    )


def _sent_banner(message, contact_pk: int):
    what = message.get_channel_display().lower()
    parts = f", {message.parts} part{'s' if message.parts != 1 else ''}" if message.channel == Channel.TEXT else ""
    if message.status == MessageStatus.QUEUED:
        local = timezone.localtime(message.send_after)
        goes = (
            "It goes now"
            if message.send_after <= timezone.now()
            else f"It will go at {local:%H:%M} on {local:%A %-d %B %Y}, after quiet hours"
        )
        said = format_html(
            "{} queued to {} ({}): “{}”{}. {}. Its delivery status will show in the diary.",
            what.capitalize(),
            message.recipient_name,
            message.to,
            message.template_version.template.title,
            parts,
            goes,
        )
    else:
        said = format_html(
            "{} to {} ({}) recorded but not sent: {}. {}",
            what.capitalize(),
            message.recipient_name,
            message.to,
            message.get_status_display().lower(),
            message.status_note,
        )
    return format_html("{} {}", said, _diary_link(contact_pk))


def _send_url(case, channel: str) -> str:
    return f"{reverse('arrears:message_send', args=[case.pk])}?channel={channel}"
