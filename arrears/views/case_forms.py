"""The case page's forms: a contact, an agreement, a pause, a referral, a vulnerability review, a benefit claim, a
direct payment request, and sending a letter (the recommended one, or any that fits the case). Each service re-reviews
the case, and the banner says what the action set off."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from arrears import services
from arrears.constants import ContactOutcome
from arrears.letters import letter_requests_render, letters_in_diary

from .case_page import _case_or_404, _case_page, case_form_view, effects_after, effects_before

contact_add = case_form_view(
    "contact_form",
    "arrears.add_contact",
    services.contact_record,
    about="case",
    officer="recorded_by",
    success="Contact recorded.",
)
agreement_add = case_form_view(
    "agreement_form",
    "arrears.add_agreement",
    services.agreement_create,
    about="case",
    officer="created_by",
    success="Agreement made.",
)
pause_add = case_form_view(
    "pause_form", "arrears.add_pause", services.pause_create, about="case", officer="created_by", success="Case paused."
)
referral_add = case_form_view(
    "referral_form",
    "arrears.add_referral",
    services.referral_record,
    about="case",
    officer="made_by",
    success="Referral recorded.",
)
vulnerability_review_add = case_form_view(
    "vulnerability_form",
    "arrears.add_vulnerabilityreview",
    services.vulnerability_review_record,
    about="case",
    officer="reviewed_by",
    success="Vulnerability review recorded.",
)
benefit_claim_save = case_form_view(
    "claim_form",
    "arrears.change_benefitclaim",
    services.benefit_claim_record,
    about="tenancy",
    officer="updated_by",
    success="Benefit claim saved.",
)
direct_payment_request_add = case_form_view(
    "direct_form",
    "arrears.add_directpaymentrequest",
    services.direct_payment_request_record,
    about="tenancy",
    officer="requested_by",
    success="Request recorded.",
)


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_contact"), raise_exception=True)
def letter_send_view(request, pk):
    """Sends the recommended letter (no `letter` posted) or the letter the officer chose from those that fit the case,
    through the one letter service (which checks the holds). The banner names the letter and links to it in the
    diary, and to each tenant's PDF when it is already made; a refusal shows the page again with the reason."""
    case = _case_or_404(pk, request.user)
    letter = request.POST.get("letter", "")
    if "letter" in request.POST and not letter:
        return _case_page(request, case, status=400, letter_error="Choose which letter to send")
    before = effects_before(case)
    try:
        queued = services.letter_send(case=case, sent_by=request.user, letter=letter)
    except ValidationError as error:
        if "letter" not in request.POST:
            messages.error(request, error.messages[0])
            return redirect("arrears:case", pk=case.pk)
        return _case_page(request, case, status=400, letter_error=error.messages[0], letter_chosen=letter)
    # Made now (one letter, the same renderer the queue uses), so the banner can link its PDF; the task queued with it
    # then finds it made and does nothing.
    letter_requests_render(request_ids=[queued.pk], run_label="officer")
    queued.contact.refresh_from_db()
    made = letters_in_diary(case).get(queued.contact_id, {}).get("documents", [])
    title = made[0].title if made else queued.contact.notes
    if queued.contact.outcome in (ContactOutcome.FAILED, ContactOutcome.WITHHELD):
        said = format_html("The letter was not sent: {}", queued.contact.notes)
        messages.warning(
            request,
            format_html(
                '{} <a class="govuk-notification-banner__link" href="#diary-contact-{}">See it in the diary</a>.',
                said,
                queued.contact_id,
            ),
        )
        return redirect("arrears:case", pk=case.pk)
    if made:
        pdfs = format_html_join(
            ", ",
            '<a class="govuk-notification-banner__link" href="{}">the letter to {} (PDF)</a>',
            ((reverse("documents:download", args=[document.pk]), document.recipient_name) for document in made),
        )
        said = format_html(
            "Letter “{}” made: {}. It is {}.",
            title,
            pdfs,
            made[0].get_delivery_state_display().lower(),
        )
    else:
        said = format_html(
            "Letter “{}” queued: it is made within a few minutes and goes out with today's letters.",
            title,
        )
    messages.success(
        request,
        format_html(
            '{} <a class="govuk-notification-banner__link" href="#diary-contact-{}">See it in the diary</a>. {}',
            said,
            queued.contact_id,
            effects_after(case, before | {"letter": queued.pk}),
        ),
    )
    return redirect("arrears:case", pk=case.pk)
