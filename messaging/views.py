"""Message templates in the browser: officers read them; Income Managers write a draft (with the merge fields listed
and, for a text, its part count), publish it, and go back to an earlier version. Versioned like letter templates
(documents/views.py): append-only, and each message keeps the version it was made from."""

import difflib
import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from documents.merge_fields import MERGE_FIELDS
from incomeapp.template_versions import template_versions_context, templates_in_use_and_draft, versions_with_state
from incomeapp.views_template_versions import version_or_404, version_publish_answer, version_revert_answer

from .constants import Channel
from .forms import PARTS_EXPLAINED, MessageTemplateEditForm
from .models import MessageTemplate, MessageTemplateVersion
from .parts import part_limits
from .services_templates import (
    CHANGE_PERMISSION,
    message_template_draft_save,
    message_template_version_publish,
    message_template_version_revert,
)

VIEW_PERMISSION = "messaging.view_messagetemplate"

# Long but ordinary values for the merge fields texts use, so the page can say how many parts a tenant's message
# usually comes to: counted as written, "{{ officer_phone }}" is 19 places (a brace takes two), its value 13.
EXAMPLE_VALUES = {
    "tenant_name": "Alexandra Richardson",
    "tenant_names": "Alexandra Richardson and Sam Richardson",
    "payment_reference": "RW123456",
    "balance": "£1,234.56",
    "weekly_rent": "£123.45",
    "officer_name": "Jo Robinson",
    "officer_phone": "0161 496 0000",
    "landlord_name": "Northfield Community Housing Association",
    "agreement_amount": "£25.00",
    "agreement_frequency": "fortnightly",
    "agreement_start": "18 December 2026",
    "today": "30 November 2026",
}
_MERGE_FIELD = re.compile(r"{{\s*([a-z_]+)\s*}}")
_ANY_FIELD = re.compile(r"{{\s*([^{}]*?)\s*}}")
_FIELDS_LISTED = " The merge fields are: "


def _refusal_words(said: str, body: str) -> str:
    """The refusal of an unknown merge field without its list of all forty names (they are listed beside the text),
    with the nearest name for each slip: "Did you mean {{ tenant_name }}?"."""
    if _FIELDS_LISTED not in said:
        return said
    unknown = [name for name in _ANY_FIELD.findall(body) if name not in MERGE_FIELDS]
    guesses = [match for name in unknown for match in difflib.get_close_matches(name, MERGE_FIELDS, n=1)]
    words = said.split(_FIELDS_LISTED)[0]
    if guesses:
        words += " Did you mean " + " or ".join("{{ " + guess + " }}" for guess in dict.fromkeys(guesses)) + "?"
    return words + " The merge fields you can use are listed under “Merge fields you can use”."


def _parts_filled(body: str) -> dict | None:
    """The part count with example values in the merge fields the text uses (a field without an example is counted
    as written), or None when the text has no merge field (its count as written is the count)."""
    if not _MERGE_FIELD.search(body or ""):
        return None
    return part_limits(_MERGE_FIELD.sub(lambda match: EXAMPLE_VALUES.get(match.group(1), match.group(0)), body))


def _history(template: MessageTemplate):
    versions, current = versions_with_state(template)
    for version in versions:
        version.parts = part_limits(version.body) if template.channel == Channel.TEXT else None
        version.parts_filled = _parts_filled(version.body) if template.channel == Channel.TEXT else None
    return versions, current


@permission_required(VIEW_PERMISSION, raise_exception=True)
def templates(request):
    rows = list(MessageTemplate.objects.prefetch_related("versions").order_by("title"))
    templates_in_use_and_draft(rows)
    return render(
        request,
        "messaging/templates.html",
        {"templates": rows, "may_change": request.user.has_perm(CHANGE_PERMISSION)},
    )


@permission_required(VIEW_PERMISSION, raise_exception=True)
def template_edit(request, key):
    """The template in use, its versions, and (for managers) a form to write a new draft, with the merge fields
    listed and a text's part count."""
    template = get_object_or_404(MessageTemplate, key=key)
    may_change = request.user.has_perm(CHANGE_PERMISSION)
    context = {
        **template_versions_context(template, *_history(template)),
        "merge_fields": MERGE_FIELDS.items(),
        "may_change": may_change,
        "parts_explained": PARTS_EXPLAINED,
        "is_text": template.channel == Channel.TEXT,
    }
    if request.method != "POST":
        start = context["draft"] or context["current"]
        form = MessageTemplateEditForm(
            channel=template.channel,
            initial={"subject": start.subject if start else "", "body": start.body if start else ""},
        )
        parts = part_limits(start.body if start else "") if context["is_text"] else None
        parts_filled = _parts_filled(start.body if start else "") if context["is_text"] else None
        return render(
            request,
            "messaging/template_edit.html",
            {**context, "form": form, "started_from": start, "parts": parts, "parts_filled": parts_filled},
        )
    if not may_change:
        raise PermissionDenied("You do not have permission to change message templates.")
    form = MessageTemplateEditForm(request.POST, channel=template.channel)
    parts = part_limits(request.POST.get("body", "")) if context["is_text"] else None
    if form.is_valid():
        try:
            version = message_template_draft_save(
                template=template,
                subject=form.cleaned_data.get("subject", ""),
                body=form.cleaned_data["body"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error("body", _refusal_words(error.messages[0], form.cleaned_data["body"]))
        else:
            messages.success(
                request,
                f"Saved as draft version {version.number} of “{template.title}”. No message uses it yet: check it "
                "below, then publish it.",
            )
            return redirect("messaging:template_version", key=template.key, number=version.number)
    parts_filled = _parts_filled(request.POST.get("body", "")) if context["is_text"] else None
    return render(
        request,
        "messaging/template_edit.html",
        {**context, "form": form, "parts": parts, "parts_filled": parts_filled},
        status=400,
    )


@permission_required(VIEW_PERMISSION, raise_exception=True)
def template_version(request, key, number):
    """One version: its text, its part count (a text), and the button that publishes it (a draft) or goes back to it
    (an earlier version)."""
    version = version_or_404(MessageTemplateVersion, key, number)
    versions, current = _history(version.template)
    version.state = next(v.state for v in versions if v.pk == version.pk)
    is_text = version.template.channel == Channel.TEXT
    context = {
        "version": version,
        "template": version.template,
        "current": current,
        "parts": part_limits(version.body) if is_text else None,
        "parts_filled": _parts_filled(version.body) if is_text else None,
        "is_text": is_text,
        "parts_explained": PARTS_EXPLAINED,
        "may_change": request.user.has_perm(CHANGE_PERMISSION),
    }
    return render(request, "messaging/template_version.html", context)


@require_POST
@permission_required(VIEW_PERMISSION, raise_exception=True)
def template_publish(request, key, number):
    return version_publish_answer(
        request,
        version_or_404(MessageTemplateVersion, key, number),
        publish=message_template_version_publish,
        namespace="messaging",
        made="message",
    )


@require_POST
@permission_required(VIEW_PERMISSION, raise_exception=True)
def template_revert(request, key, number):
    return version_revert_answer(
        request,
        version_or_404(MessageTemplateVersion, key, number),
        revert=message_template_version_revert,
        namespace="messaging",
        made="message",
    )
