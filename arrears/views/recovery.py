"""Recovery of former tenants' and sundry debts (docs/debts.md, "Recovery actions"): the case page's trace result,
debt agency referral and money claim pack forms, and the managers' "Debt agency referrals" page (the export file of
referrals waiting to be sent, the agency's return file and what it posted)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from arrears.constants import ReferralStatus
from arrears.forms_recovery import AgencyReturnForm
from arrears.models import DebtAgencyExport, DebtAgencyReferral, DebtAgencyReturn
from arrears.services.agency_files import (
    RETURN_COLUMNS,
    agency_export_make,
    agency_return_import,
    referral_reference,
)
from arrears.services.money_claim import money_claim_pack_make
from arrears.services.recovery import agency_referral_make, debt_agencies, trace_record
from incomeapp.money import format_money
from incomeapp.refusals import refusal_shown

from .case_page import case_form_view

MANAGE = ("incomeapp.use_worklist", "arrears.add_debtagencyexport")


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _trace_said(result) -> str:
    if result.address_updated:
        return "Trace result recorded: the tenant's correspondence address is updated, so letters go there."
    return "Trace result recorded."


def _pack_said(document) -> str:
    return format_html(
        'Money claim pack made: <a class="govuk-notification-banner__link" href="{}">{} (PDF)</a>. Send the letter '
        "before claim with the protocol's Information Sheet, Reply Form and Financial Statement form.",
        reverse("documents:download", args=[document.pk]),
        document.title,
    )


trace_add = case_form_view(
    "trace_form", "arrears.add_contact", trace_record, about="case", officer="recorded_by", success=_trace_said
)
agency_refer = case_form_view(
    "agency_form",
    "arrears.add_debtagencyreferral",
    agency_referral_make,
    about="case",
    officer="referred_by",
    success=lambda referral: (
        f"Referred {format_money(referral.amount_referred)} to {referral.agency}. It goes to the agency in the next "
        "export file a manager makes."
    ),
)
money_claim_make = case_form_view(
    "money_claim_form",
    "documents.add_document",
    money_claim_pack_make,
    about="case",
    officer="made_by",
    success=_pack_said,
)


def _referrals_page(request, form=None, status=200):
    agencies = []
    for agency in debt_agencies():
        waiting = list(
            DebtAgencyReferral.objects.filter(agency=agency, status=ReferralStatus.REFERRED)
            .select_related("case__account__tenancy", "referred_by")
            .order_by("referred_on", "pk")
        )
        agencies.append(
            {
                "name": agency,
                "waiting": [(referral_reference(r), r) for r in waiting],
                "waiting_total": sum(r.amount_referred for r in waiting),
                "exports": DebtAgencyExport.objects.filter(agency=agency)
                .select_related("made_by")
                .order_by("-pk")[:10],
            }
        )
    context = {
        "agencies": agencies,
        "form": form or AgencyReturnForm(),
        "return_columns": RETURN_COLUMNS,
        "returns": DebtAgencyReturn.objects.select_related("imported_by").order_by("-pk")[:10],
        "sent": DebtAgencyReferral.objects.filter(status=ReferralStatus.SENT).count(),
    }
    return render(request, "arrears/agency_referrals.html", context, status=status)


@login_required
@permission_required(MANAGE, raise_exception=True)
def agency_referrals(request):
    return _referrals_page(request)


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def agency_export(request):
    with refusal_shown(request):
        export = agency_export_make(agency=request.POST.get("agency", ""), made_by=request.user)
        messages.success(
            request,
            format_html(
                'Export file made for {}: {} marked sent. <a class="govuk-notification-banner__link" '
                'href="{}">Download {}</a> and send it to the agency.',
                export.agency,
                _count(export.referrals.count(), "referral"),
                reverse("arrears:agency_export_download", args=[export.pk]),
                export.file_name,
            ),
        )
    return redirect("arrears:agency_referrals")


@login_required
@permission_required(MANAGE, raise_exception=True)
def agency_export_download(request, pk):
    export = get_object_or_404(DebtAgencyExport, pk=pk)
    response = HttpResponse(bytes(export.content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


@require_POST
@login_required
@permission_required(("incomeapp.use_worklist", "arrears.add_debtagencyreturn"), raise_exception=True)
def agency_return(request):
    form = AgencyReturnForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["return_file"]
        try:
            imported = agency_return_import(
                agency=form.cleaned_data["agency"],
                file_name=upload.name,
                content=upload.read(),
                imported_by=request.user,
            )
        except ValidationError as error:
            form.add_error("return_file", error.messages[0])
        else:
            problems = len(imported.report.get("problems", []))
            messages.success(
                request,
                f"Return file imported: {_count(imported.rows_posted, 'payment')} posted, "
                f"{format_money(imported.total_collected)} in all"
                + (f"; {_count(problems, 'row')} to check." if problems else "."),
            )
            return redirect("arrears:agency_return_detail", pk=imported.pk)
    return _referrals_page(request, form=form, status=400)


@login_required
@permission_required(("incomeapp.use_worklist", "arrears.view_debtagencyreturn"), raise_exception=True)
def agency_return_detail(request, pk):
    imported = get_object_or_404(DebtAgencyReturn.objects.select_related("imported_by"), pk=pk)
    report = imported.report or {}
    # Our reference is the payment reference and the referral's number: the account page is the payment reference's.
    posted = [row | {"payment_reference": row["reference"].rsplit("-", 1)[0]} for row in report.get("posted", [])]
    closed = [(ref, ref.rsplit("-", 1)[0]) for ref in report.get("closed", [])]
    return render(
        request,
        "arrears/agency_return.html",
        {
            "imported": imported,
            "posted": posted,
            "already_posted": report.get("already_posted", []),
            "closed": closed,
            "problems": report.get("problems", []),
        },
    )
