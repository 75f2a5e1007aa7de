"""The case page: the recommendation and what held it back, contacts, agreements, pauses, benefits, the balance
chart, the Breathing Space panel and the notice's lapse date as a Breathing Space moved it; `case_form_view` makes
the view of each of its forms, which shows the page again with the form's errors."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from arrears.chart import balance_bars
from arrears.constants import BreathingSpaceKind, ContactKind, ContactOutcome
from arrears.forms import CASE_PAGE_FORMS
from arrears.letters import letter_refusal, letters_fitting, letters_in_diary
from arrears.models import ArrearsCase
from arrears.moratorium import (
    Moratorium,
    MoratoriumLaw,
    deadline_moved,
    debt_split,
    midway_review_on,
    repeat_standard_warning,
    review_request_by,
)
from arrears.next_step import next_step, reason_sentence
from arrears.selectors import case_benefits, case_detail, moratoria, moratorium_law
from arrears.services.money_claim import recovery_panel
from complaints.selectors import open_arrears_action_complaints
from incomeapp.law import NoThreshold
from incomeapp.money import format_money
from incomeapp.signals import SpecialCategory, special_category_shown
from messaging.constants import MessageStatus
from messaging.services_receipts import replies_mark_read
from rentaccounts.selectors import balances_by_week
from tenancies.scoping import assert_can_see_tenancy


def _case_or_404(pk: int, user) -> ArrearsCase:
    """The case, or 404 when there is none or its tenancy is outside the user's scope (tenancies.scoping)."""
    try:
        case = case_detail(pk=pk)
    except ArrearsCase.DoesNotExist as error:
        raise Http404("There is no such case.") from error
    assert_can_see_tenancy(user, case.account.tenancy)
    return case


def _people(case: ArrearsCase):
    return [row.person for row in case.account.tenancy.tenancy_tenants.all()]


def _balance_chart(case: ArrearsCase, today) -> dict:
    points = balances_by_week(account=case.account, as_of=today, weeks=26)
    return {"balance_points": points, "balance_chart": balance_bars(points)}


def breathing_space_panel(*, case: ArrearsCase, today) -> dict:
    """The case's current Breathing Space (in force today, or recorded to start later) with what the panel shows:
    the dates the law sets (midway review, the last day to ask for a review and whether that is still open), the
    balance split into the held moratorium debt and the new arrears (R-BS-21), agents told (R-BS-15), the R-BS-01
    warning, and earlier ones."""
    tenancy = case.account.tenancy
    spaces = list(
        tenancy.breathing_spaces.select_related("debtor", "recorded_by").prefetch_related("agent_notices").all()
    )
    current = next((s for s in reversed(spaces) if s.ends_on is None or s.ends_on >= today), None)
    panel = {"breathing_space": current, "earlier_breathing_spaces": [s for s in spaces if s is not current]}
    if current is None:
        return panel
    try:
        law = moratorium_law(current.starts_on)
    except NoThreshold:
        law = MoratoriumLaw()
    last_day = review_request_by(current.starts_on, law)
    held, new_arrears = debt_split(balance=case.account.balance, moratorium_debt=current.debt_covered)
    others = [
        Moratorium(starts_on=s.starts_on, ends_on=s.ends_on, kind=s.kind, debt=s.debt_covered)
        for s in spaces
        if s is not current
    ]
    return panel | {
        "space_active": current.covers(today),
        "space_midway_review_on": midway_review_on(current.starts_on, law)
        if current.kind == BreathingSpaceKind.STANDARD
        else None,
        "space_review_request_by": last_day,
        "space_review_window_open": today <= last_day,
        "space_review_days_left": (last_day - today).days,
        "space_held": held,
        "space_new_arrears": new_arrears,
        "space_agents": list(current.agent_notices.all()),
        "space_warning": repeat_standard_warning(current.starts_on, others, law)
        if current.kind == BreathingSpaceKind.STANDARD
        else "",
    }


def nosp_lapse_moved(*, case: ArrearsCase) -> dict | None:
    """The notice's lapse date moved by any Breathing Space it fell inside (R-BS-14): {on, why}, or None when it did
    not move. `on` is None while a crisis moratorium's end is not known."""
    if case.nosp_expires_on is None:
        return None
    spaces = moratoria(tenancy=case.account.tenancy)
    if not spaces:
        return None
    try:
        law = moratorium_law(case.nosp_expires_on)
    except NoThreshold:
        law = MoratoriumLaw()
    moved, why = deadline_moved(case.nosp_expires_on, spaces, law)
    return {"on": moved, "why": why} if why else None


def _special_categories_shown(request, context) -> None:
    """R-DP-03: the access log hears of a vulnerability review (its finding, or its notes) or a mental health crisis
    Breathing Space the case page shows, for each named tenant (a Breathing Space: for its debtor, when recorded)."""
    people = [person.pk for person in context["people"]]
    shown: dict[int, set[str]] = {pk: set() for pk in people}
    reviews = context["vulnerability_reviews"]
    if any(review.vulnerable or (context["can_see_sensitive"] and review.notes) for review in reviews):
        for pk in people:
            shown[pk].add(SpecialCategory.VULNERABILITY)
    spaces = [context.get("breathing_space"), *context.get("earlier_breathing_spaces", [])]
    for space in spaces:
        if space is not None and space.kind == BreathingSpaceKind.MENTAL_HEALTH_CRISIS:
            for pk in [space.debtor_id] if space.debtor_id else people:
                shown.setdefault(pk, set()).add(SpecialCategory.MENTAL_HEALTH_CRISIS)
    special_category_shown(request, shown)


# The forms the next-step button (or ?open=<name>) opens on the page, by the name `next_step` gives.
_OPENABLE = {
    *("contact", "agreement", "vulnerability", "claim", "letter", "pause", "referral"),
    *("trace", "agency", "money_claim"),  # former tenants' and sundry debts (arrears/views/recovery.py)
}


def _case_page(request, case, status=200, **forms):
    today = timezone.localdate()
    can_see_breathing_space = request.user.has_perm("arrears.view_breathingspace")
    people = _people(case)
    recommendation = case.latest_recommendation
    contacts = list(
        case.contacts.select_related("person", "recorded_by", "message", "inbound__read_by").order_by(
            "-occurred_on", "-id"
        )
    )
    letters = letters_in_diary(case)
    opened = request.GET.get("open", "")
    context = {
        "case": case,
        "tenancy": case.account.tenancy,
        "people": people,
        "recommendation": recommendation,
        "held_back": held_back_lines(recommendation),
        "next_step": next_step(recommendation),
        "reason_sentence": reason_sentence(recommendation, today),
        "open_form": opened if opened in _OPENABLE else "",
        "letter_choices": letters_fitting(case),
        "letter_refused": letter_refusal(case, today),
        "letter_error": forms.pop("letter_error", ""),
        "letter_chosen": forms.pop("letter_chosen", ""),
        "contacts": contacts,
        "agreements": case.agreements.all(),
        "pauses": [pause for pause in case.pauses.all() if pause.ends_on > today],
        **{
            key: forms.get(key) or form_class(people=people, initial=form_class.page_initial(today))
            for key, form_class in CASE_PAGE_FORMS.items()
        },
        **case_benefits(case=case, today=today),
        **_balance_chart(case, today),
        "referrals": case.referrals.all(),
        **recovery_panel(case=case),
        "vulnerability_reviews": case.vulnerability_reviews.all(),
        "can_see_sensitive": request.user.has_perm("incomeapp.view_sensitive_notes"),
        **(breathing_space_panel(case=case, today=today) if can_see_breathing_space else {"breathing_space": None}),
        "nosp_lapse": nosp_lapse_moved(case=case),
        "arrears_complaints": open_arrears_action_complaints(tenancy=case.account.tenancy, today=today)
        if request.user.has_perm("complaints.view_complaint")
        else [],
        "can_see_breathing_space": can_see_breathing_space,
        "today": today,
    }
    context["diary"] = diary_entries(case, context, contacts=contacts, letters=letters, today=today)
    context["unread_replies"] = sum(1 for c in contacts if c.inbound_id and c.inbound.read_at is None)
    _special_categories_shown(request, context)
    return render(request, "arrears/case.html", context, status=status)


@permission_required("incomeapp.use_worklist", raise_exception=True)
def case(request, pk):
    return _case_page(request, _case_or_404(pk, request.user))


@require_POST
@permission_required("messaging.change_inboundmessage", raise_exception=True)
def replies_read(request, pk):
    """Marks the case's unread replies read by this officer: they leave the worklist's Replies tab."""
    case = _case_or_404(pk, request.user)
    marked = replies_mark_read(
        inbound_ids=case.contacts.filter(inbound__isnull=False).values_list("inbound_id", flat=True), by=request.user
    )
    if marked:
        messages.success(
            request,
            f"Marked {marked} repl{'y' if marked == 1 else 'ies'} as read by you: the case no longer shows on the "
            "Replies tab of the worklist.",
        )
    else:
        messages.info(request, "There were no unread replies on this case: nothing changed.")
    return redirect(f"{reverse('arrears:case', args=[case.pk])}#diary")


def _current_space_or_404(case):
    space = breathing_space_panel(case=case, today=timezone.localdate())["breathing_space"]
    if space is None:
        raise Http404("There is no current Breathing Space on this case.")
    return space


# What a form's service is about: the case, its tenancy, or the tenancy's current Breathing Space.
_SUBJECTS = {
    "case": lambda case: case,
    "tenancy": lambda case: case.account.tenancy,
    "space": _current_space_or_404,
}


def case_form_view(form_key: str, permission: str, service, *, about: str, officer: str, success, warning=None):
    """The view of one of the case page's forms (`CASE_PAGE_FORMS[form_key]`), for officers with `permission`.

    A valid form goes to `service` with `about` (the case, its tenancy or its current Breathing Space, see
    `_SUBJECTS`), the form's `service_arguments` and the officer under the keyword `officer`. `success` is the banner,
    or a function of what the service returned that gives it; `warning` may give a warning from it too. The service
    re-reviews the case, so the page shows the new recommendation; an invalid form or a refusal shows the page again
    with the form's errors."""
    form_class = CASE_PAGE_FORMS[form_key]

    @require_POST
    @permission_required(("incomeapp.use_worklist", permission), raise_exception=True)
    def view(request, pk):
        case = _case_or_404(pk, request.user)
        subject = _SUBJECTS[about](case)
        form = form_class(request.POST, people=_people(case) if form_class.tenant_field else ())
        if form.is_valid():
            before = effects_before(case)
            try:
                result = service(**{about: subject}, **form.service_arguments(), **{officer: request.user})
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                warned = warning(result) if warning else ""
                if warned:
                    messages.warning(request, warned)
                said = success(result) if callable(success) else success
                messages.success(request, format_html("{} {}", said, effects_after(case, before, result)))
                return redirect("arrears:case", pk=case.pk)
        return _case_page(request, case, status=400, **{form_key: form})

    return view


def effects_before(case: ArrearsCase) -> dict:
    """What an action may set off, as it stands before the action: compared by `effects_after`."""
    return {
        "letter": case.letter_requests.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "pause": case.pauses.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "agreement": case.agreements.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "status": case.status,
        "recommendation": case.latest_recommendation.label if case.latest_recommendation else "",
    }


def effects_after(case: ArrearsCase, before: dict, result=None) -> str:
    """Everything the action set off, for the banner, each with a link to it in the diary: the diary entry the
    action made, a letter the re-review queued, a pause or agreement made, the case closed or opened, and the
    recommendation the case was re-reviewed to (so no effect is hidden)."""
    case.refresh_from_db()
    said = []
    kind = type(result).__name__.lower() if result is not None else ""
    if kind == "contact":
        said.append(
            format_html(
                '<a class="govuk-notification-banner__link" href="#diary-contact-{}">See it in the diary</a>.',
                result.pk,
            )
        )
    new_letters = list(case.letter_requests.filter(pk__gt=before["letter"]).select_related("contact"))
    states = letters_in_diary(case) if new_letters else {}
    for request in new_letters:
        shown = states.get(request.contact_id, {})
        made = shown.get("documents")
        said.append(
            format_html(
                'This set off a letter, “{}” ({}): <a class="govuk-notification-banner__link" '
                'href="#diary-contact-{}">see it in the diary</a>.',
                made[0].title if made else request.contact.notes.removesuffix(" (automatic, arrears review)"),
                (shown.get("state") or "queued").lower(),
                request.contact_id,
            )
        )
    for pause in case.pauses.filter(pk__gt=before["pause"]):
        said.append(
            format_html(
                'The case is paused until {}: <a class="govuk-notification-banner__link" href="#diary-pause-{}">'
                "see the pause</a>.",
                f"{pause.ends_on:%-d %B %Y}",
                pause.pk,
            )
        )
    if case.agreements.filter(pk__gt=before["agreement"]).exists():
        said.append(
            format_html(
                'An agreement was made: <a class="govuk-notification-banner__link" href="#agreements">see it</a>.',
            )
        )
    if case.status != before["status"]:
        said.append(format_html("The case is now {}.", case.get_status_display().lower()))
    recommendation = case.latest_recommendation
    if recommendation is not None:
        again = "now" if recommendation.label != before["recommendation"] else "still"
        said.append(
            format_html(
                'The case was reviewed again: the next step is {} “{}”. <a class="govuk-notification-banner__link" '
                'href="#next-step">Go to the next step</a>.',
                again,
                recommendation.label,
            )
        )
    return format_html_join(" ", "{}", ((part,) for part in said))


_BLOCKER_KEY = re.compile(r"^([a-z][a-z0-9_]*): ")


def held_back_lines(recommendation) -> list[str]:
    """What held the recommendation back, in words: a blocker's key ("breathing_space: ...") read as a label
    ("Breathing space: ...")."""
    if recommendation is None:
        return []
    return [
        _BLOCKER_KEY.sub(lambda match: match.group(1).replace("_", " ").capitalize() + ": ", line)
        for line in recommendation.blocked_by
    ]


def diary_entries(case, context: dict, *, contacts, letters: dict, today) -> list[dict]:
    """The case's diary for the timeline, newest first: contacts and letters (each letter with its state and a link
    to each tenant's PDF), agreements and what became of them, pauses, Breathing Spaces (for those who may see them),
    referrals, vulnerability reviews, and the legal milestones the case records. Each entry: {"id" (the anchor a
    banner links to), "on", "title", "byline", "lines", "letter" (state, tag, documents) or None}."""
    entries = []

    def add(key, on, title, *lines, byline="", letter=None, order=0, message=None):
        entries.append(
            {
                "id": f"diary-{key}",
                "on": on,
                "order": order,
                "title": title,
                "lines": [line for line in lines if line],
                "byline": byline,
                "letter": letter,
                "message": message,
            }
        )

    def by(user):
        return user.get_full_name() or user.username if user else ""

    for contact in contacts:
        what = contact.get_outcome_display()
        letter = letters.get(contact.pk)
        if contact.kind == ContactKind.LETTER:
            made = letter["documents"] if letter else []
            title = f"Letter: {made[0].title}" if made else "Letter"
        else:
            title = contact.get_kind_display()
            title += f" with {contact.person.full_name}" if contact.person else ""
        if contact.outcome == ContactOutcome.REPLIED:  # a tenant's reply by text or email (messaging)
            who = contact.person.full_name if contact.person else "a tenant"
            title = f"Reply by {contact.get_kind_display().lower()} from {who}"
            read = contact.inbound if contact.inbound_id else None
            what = (
                f"Read by {by(read.read_by) or 'the system'} on {timezone.localtime(read.read_at):%-d %B %Y}"
                if read and read.read_at
                else "Not read yet"
            )
        promise = (
            f"Promised to pay {format_money(contact.promise_amount)} by {contact.promise_on:%-d %B %Y}"
            if contact.promise_amount
            else ""
        )
        message = message_in_diary(contact.message) if contact.message_id else None
        add(
            f"contact-{contact.pk}",
            contact.occurred_on,
            title,
            "" if letter or message or contact.kind == ContactKind.NOTE else what,
            contact.notes,
            *(message["lines"] if message else ()),
            promise,
            contact.get_non_payment_reason_display() if contact.non_payment_reason else "",
            byline=by(contact.recorded_by) or ("the arrears review" if contact.kind == ContactKind.LETTER else ""),
            letter=letter,
            message=message,
            order=contact.pk,
        )
    # Agreements made, changed or cancelled are in the diary as the notes their service records; here, what the
    # daily check found (kept, broken).
    for agreement in context["agreements"]:
        for change in agreement.state_changes.all():
            add(
                f"agreement-state-{change.pk}",
                change.on,
                f"Agreement {change.get_state_display().lower()}",
                change.note,
            )
    for pause in case.pauses.select_related("created_by"):
        add(
            f"pause-{pause.pk}",
            pause.created_at.date(),
            f"Case paused until {pause.ends_on:%-d %B %Y}",
            pause.get_reason_display(),
            pause.comment,
            byline=by(pause.created_by),
        )
    if context["can_see_breathing_space"]:
        spaces = [context.get("breathing_space"), *context.get("earlier_breathing_spaces", [])]
        for space in [s for s in spaces if s is not None]:
            add(
                f"breathing-space-{space.pk}",
                space.starts_on,
                "Breathing Space began",
                f"{space.get_kind_display()}, covering {format_money(space.debt_covered)}.",
            )
            if space.ends_on and space.ends_on <= today:
                add(f"breathing-space-end-{space.pk}", space.ends_on, "Breathing Space ended")
    for referral in context["referrals"]:
        add(
            f"referral-{referral.pk}",
            referral.made_on,
            f"Referred to {referral.get_kind_display().lower()}",
            referral.to_whom,
            referral.notes,
            byline=by(referral.made_by),
        )
    for review in context["vulnerability_reviews"]:
        add(
            f"vulnerability-{review.pk}",
            review.reviewed_on,
            "Vulnerability review",
            f"Particularly vulnerable. {review.adjustments}" if review.vulnerable else "Not particularly vulnerable.",
            review.notes if context["can_see_sensitive"] else "",
            byline=by(review.reviewed_by),
        )
    if case.nosp_served_on:
        add("notice", case.nosp_served_on, "Notice served")
    if case.court_date and case.court_date <= today:
        add("court", case.court_date, "Court hearing", case.court_outcome)
    add("opened", case.opened_on, "Case opened", order=-1)
    return sorted(entries, key=lambda entry: (entry["on"], entry["order"]), reverse=True)


# The tag colour of a text or email's status in the diary (messaging.constants.MessageStatus).
_MESSAGE_TAGS = {
    "delivered": "green",
    "queued": "blue",
    "sending": "blue",
    "sent": "light-blue",
    "no_provider": "orange",
    "withheld": "orange",
    "temporary_failure": "red",
    "permanent_failure": "red",
    "failed": "red",
}


def message_in_diary(message) -> dict:
    """A text or email's status for its diary entry: the status in words with its tag colour, and lines saying when
    it was delivered (or when it will go), why it was withheld or failed, and what it said."""
    when = timezone.localtime(message.delivered_at) if message.delivered_at else None
    waiting = timezone.localtime(message.send_after)
    lines = [
        f"To {message.recipient_name} ({message.to}).",
        f"Delivered {when:%-d %B %Y} at {when:%H:%M}." if when else "",
        f"Waiting for quiet hours to end: it goes at {waiting:%H:%M} on {waiting:%-d %B %Y}."
        if message.status == MessageStatus.QUEUED and message.send_after > timezone.now()
        else "",
        f"Why: {message.status_note}" if message.status_note and message.status != MessageStatus.DELIVERED else "",
        f"It said: “{message.body}”",
    ]
    return {
        "status": message.get_status_display(),
        "tag": _MESSAGE_TAGS.get(message.status, "grey"),
        "lines": [line for line in lines if line],
    }
