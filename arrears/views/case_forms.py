"""The case page's forms: a contact, an agreement, a pause, a referral, a vulnerability review, a benefit claim, a
direct payment request, and sending the recommended letter. Each service re-reviews the case."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from arrears import services

from .case_page import _case_or_404, case_form_view

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
    case = _case_or_404(pk, request.user)
    try:
        services.letter_send(case=case, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Letter queued: it goes out with today's letters and shows in the diary.")
    return redirect("arrears:case", pk=case.pk)
