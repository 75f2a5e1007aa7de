"""Campaigns from the worklist: one message to everyone on a list a manager chose. The form (the worklist's filters,
a published template and a title), the preview (how many get it, who does not and why, a sample with its parts, and
when it goes), then Send; the campaign page counts its messages by status and lists who was left out."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from arrears.forms_campaigns import CampaignForm
from arrears.selectors_campaigns import campaign_status_counts, campaign_waiting_from, campaigns_list
from arrears.services.campaigns import campaign_outcome, campaign_preview, campaign_send
from messaging.models import Campaign

TEMPLATES = "arrears/campaigns"
_NOT_ANSWERS = {"csrfmiddlewaretoken", "confirm", "edit", "submission", "preview"}
PAGE_SIZE = 100


def _answers(request) -> list[tuple[str, str]]:
    """The answers as posted, carried through the preview in hidden fields (nothing is kept before Send), and the
    preview's one-time key, which makes a second press of Send make nothing more."""
    answers = [(name, value) for name, values in request.POST.lists() if name not in _NOT_ANSWERS for value in values]
    return [*answers, ("submission", request.POST.get("submission") or uuid.uuid4().hex)]


def _form_page(request, form, status: int = 200):
    return render(request, f"{TEMPLATES}/form.html", {"form": form}, status=status)


def _moment(value) -> str:
    local = timezone.localtime(value)
    return f"{local:%-d %B %Y} at {local:%H:%M}"


def _groups_words(outcome) -> str:
    """ "1 not agreed to texts, 1 because a Breathing Space holds the arrears" (a reason that is a sentence reads
    after "because"; names such as Breathing Space keep their capitals)."""
    return ", ".join(
        f"{count} because a{label[1:]}" if label.startswith("A ") else f"{count} {label[:1].lower()}{label[1:]}"
        for label, count in outcome.not_sent_groups
    )


def _provider_set_up() -> bool:
    """Whether a text message and email provider is set up; without one, messages are kept as "not sent"."""
    return bool((settings.MESSAGING_PROVIDER or "").strip())


def _from_worklist(request) -> dict:
    """The worklist's tab and filters, when the form is opened from the worklist's link ("me" is the person)."""
    initial = {key: request.GET[key] for key in ("tab", "patch", "scheme", "stage", "action") if request.GET.get(key)}
    officer = request.GET.get("officer", "")
    if officer == "me":
        initial["officer"] = request.user.pk
    elif officer.isdigit():
        initial["officer"] = int(officer)
    return initial


@permission_required("messaging.view_campaign", raise_exception=True)
def campaigns(request):
    """The campaigns sent, newest first."""
    page = Paginator(campaigns_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, f"{TEMPLATES}/list.html", {"page": page, "can_send": request.user.has_perm("messaging.add_campaign")}
    )


@permission_required("messaging.add_campaign", raise_exception=True)
def campaign_new(request):
    """Choose the list, the message and a title; then the preview; then Send (once, however often it is pressed)."""
    if request.method != "POST":
        return _form_page(request, CampaignForm(initial=_from_worklist(request)))
    if "edit" in request.POST:
        return _form_page(request, CampaignForm(request.POST))
    form = CampaignForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    arguments = {"title": data["title"], "template_key": data["template"], "criteria": form.criteria()}
    try:
        if "confirm" not in request.POST:
            outcome = campaign_preview(**arguments, previewed_by=request.user)
            return render(
                request,
                f"{TEMPLATES}/check.html",
                {
                    "outcome": outcome,
                    "answers": _answers(request),
                    "sends_at": _moment(outcome.sends_at),
                    "message_title": dict(form.fields["template"].choices).get(data["template"], "").rsplit(" (", 1)[0],
                    "provider_set_up": _provider_set_up(),
                },
            )
        outcome = campaign_send(**arguments, sent_by=request.user, submission_key=request.POST.get("submission"))
    except ValidationError as error:
        form.add_error(None, error.messages[0])
        return _form_page(request, form, status=400)
    campaign = outcome.campaign
    link = reverse("arrears:campaign", args=[campaign.pk])
    if outcome.already:
        messages.info(
            request,
            format_html(
                'Campaign “{}” was already sent: nothing new was made. <a class="govuk-notification-banner__link" '
                'href="{}">See what happened to its messages</a>.',
                campaign.title,
                link,
            ),
        )
        return redirect(link)
    left_out = (
        f" {len(outcome.not_sent)} left out: {_groups_words(outcome)}." if outcome.not_sent else " No one was left out."
    )
    if not _provider_set_up():
        messages.success(
            request,
            format_html(
                "Campaign “{}” made: {} message{}, but none was sent because no text message or email provider is "
                "set up (each is kept as “not sent”).{} Each is in its case's diary. "
                '<a class="govuk-notification-banner__link" href="{}">See the campaign</a>.',
                campaign.title,
                outcome.people,
                "" if outcome.people == 1 else "s",
                left_out,
                link,
            ),
        )
        return redirect(link)
    messages.success(
        request,
        format_html(
            "Campaign “{}” sent: {} message{} queued, to go from {}.{} Each is in its case's diary. "
            '<a class="govuk-notification-banner__link" href="{}">See the campaign</a>.',
            campaign.title,
            outcome.people,
            "" if outcome.people == 1 else "s",
            _moment(outcome.sends_at),
            left_out,
            link,
        ),
    )
    return redirect(link)


@permission_required("messaging.view_campaign", raise_exception=True)
def campaign(request, pk):
    """A campaign: who it went to in words, its messages by status, and who was left out and why."""
    found = get_object_or_404(Campaign.objects.select_related("template_version__template", "created_by"), pk=pk)
    outcome = campaign_outcome(found)
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            "campaign": found,
            "outcome": outcome,
            "counts": campaign_status_counts(found),
            "waiting_from": campaign_waiting_from(found),
        },
    )
