"""The case page's forms: a contact, an agreement, a pause, a referral, a vulnerability review, a benefit claim, a
direct payment request, and sending the recommended letter. Each service re-reviews the case."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from arrears.forms import (
    AgreementForm,
    BenefitClaimForm,
    ContactForm,
    DirectPaymentRequestForm,
    PauseForm,
    ReferralForm,
    VulnerabilityReviewForm,
)
from arrears.services import (
    agreement_create,
    benefit_claim_record,
    contact_record,
    direct_payment_request_record,
    letter_send,
    pause_create,
    referral_record,
    vulnerability_review_record,
)

from .case_page import _act, _case_or_404, _people


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_contact"), raise_exception=True)
def contact_add(request, pk):
    case = _case_or_404(pk, request.user)
    people = {str(p.pk): p for p in _people(case)}
    form = ContactForm(request.POST, people=people.values())

    def record(data):
        contact_record(
            case=case,
            kind=data["kind"],
            outcome=data["outcome"],
            occurred_on=data["occurred_on"],
            recorded_by=request.user,
            person=people.get(data["person"]),
            notes=data["notes"],
            promise_amount=data["promise_amount"],
            promise_on=data["promise_on"],
            non_payment_reason=data["non_payment_reason"],
        )

    return _act(request, case, form, record, "Contact recorded.", "contact_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_agreement"), raise_exception=True)
def agreement_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = AgreementForm(request.POST)

    def make(data):
        agreement_create(
            case=case,
            frequency=data["frequency"],
            amount=data["amount"],
            starts_on=data["starts_on"],
            created_by=request.user,
            monthly_income=data["monthly_income"],
            monthly_expenditure=data["monthly_expenditure"],
        )

    return _act(request, case, form, make, "Agreement made.", "agreement_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_pause"), raise_exception=True)
def pause_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = PauseForm(request.POST)

    def pause(data):
        pause_create(
            case=case, reason=data["reason"], ends_on=data["ends_on"], comment=data["comment"], created_by=request.user
        )

    return _act(request, case, form, pause, "Case paused.", "pause_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_referral"), raise_exception=True)
def referral_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = ReferralForm(request.POST)

    def record(data):
        referral_record(
            case=case,
            kind=data["referral_kind"],
            made_on=data["made_on"],
            to_whom=data["to_whom"],
            notes=data["notes"],
            made_by=request.user,
        )

    return _act(request, case, form, record, "Referral recorded.", "referral_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_vulnerabilityreview"), raise_exception=True)
def vulnerability_review_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = VulnerabilityReviewForm(request.POST)

    def record(data):
        vulnerability_review_record(
            case=case,
            reviewed_on=data["reviewed_on"],
            vulnerable=data["vulnerable"],
            adjustments=data["adjustments"],
            notes=data["vulnerability_notes"],
            reviewed_by=request.user,
        )

    return _act(request, case, form, record, "Vulnerability review recorded.", "vulnerability_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_benefitclaim"), raise_exception=True)
def benefit_claim_save(request, pk):
    case = _case_or_404(pk, request.user)
    form = BenefitClaimForm(request.POST)

    def save(data):
        benefit_claim_record(
            tenancy=case.account.tenancy,
            benefit=data["benefit"],
            status=data["claim_status"],
            weekly_amount=data["weekly_amount"],
            started_on=data["claim_started_on"],
            paid_to_landlord=data["paid_to_landlord"],
            evidence_complete=data["evidence_complete"],
            updated_by=request.user,
        )

    return _act(request, case, form, save, "Benefit claim saved.", "claim_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_directpaymentrequest"), raise_exception=True)
def direct_payment_request_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = DirectPaymentRequestForm(request.POST)

    def record(data):
        direct_payment_request_record(
            tenancy=case.account.tenancy,
            kind=data["request_kind"],
            requested_on=data["requested_on"],
            requested_by=request.user,
        )

    return _act(request, case, form, record, "Request recorded.", "direct_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_contact"), raise_exception=True)
def letter_send_view(request, pk):
    case = _case_or_404(pk, request.user)
    try:
        letter_send(case=case, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Letter queued: it goes out with today's letters and shows in the diary.")
    return redirect("arrears:case", pk=case.pk)
