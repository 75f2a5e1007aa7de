"""Raising a rechargeable repair or a sundry debt from the tenancy's account page."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from incomeapp.money import format_money
from tenancies.models import Tenancy
from tenancies.scoping import scoped

from .constants import InvoiceKind
from .forms_invoices import RechargeForm, SundryForm
from .services.invoices import ACCOUNT_OF, RaisedInvoice, invoice_raise

FORMS = {InvoiceKind.RECHARGE: RechargeForm, InvoiceKind.SUNDRY: SundryForm}
HEADINGS = {InvoiceKind.RECHARGE: "Raise a recharge for a repair", InvoiceKind.SUNDRY: "Raise a sundry debt"}


def raised_message(raised: RaisedInvoice):
    """What raising did, in words, with a link to each tenant's letter."""
    invoice = raised.invoice
    account = invoice.account.get_kind_display().lower()
    made = [letter for letter in raised.letters if letter.document is not None]
    missed = [letter for letter in raised.letters if letter.document is None]
    start = "This invoice was already raised: nothing more was charged. " if raised.already_raised else ""
    parts = [
        format_html(
            "{}Invoice {} for {} raised on the {} account.",
            start,
            invoice.number,
            format_money(invoice.amount),
            account,
        )
    ]
    if made:
        links = format_html_join(
            " and ",
            '{} (<a class="govuk-notification-banner__link" href="{}">view the letter to {}</a>)',
            (
                (letter.person_name, reverse("documents:download", args=[letter.document.pk]), letter.person_name)
                for letter in made
            ),
        )
        parts.append(format_html(" An invoice letter was made for {}.", links))
    for letter in missed:
        parts.append(format_html(" No letter for {}: {}.", letter.person_name, letter.problem.rstrip(".")))
    parts.append(" The rent account and its arrears are unchanged: this is not rent.")
    return format_html_join("", "{}", ((part,) for part in parts))


@permission_required(("rentaccounts.add_invoice", "rentaccounts.view_account"), raise_exception=True)
def invoice_raise_view(request, payment_reference, kind):
    if kind not in FORMS:
        raise Http404("No such kind of invoice.")
    tenancy = get_object_or_404(
        scoped(Tenancy.objects.select_related("property"), request.user), payment_reference=payment_reference.upper()
    )
    form = FORMS[kind](request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            raised = invoice_raise(
                tenancy=tenancy,
                kind=kind,
                amount=data["amount"],
                description=data["description"],
                dated=data["dated"],
                job_reference=data.get("job_reference", ""),
                sundry_kind=data.get("sundry_kind", ""),
                raised_by=request.user,
                request_key=data["request_key"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, raised_message(raised))
            return redirect("accounts:detail_kind", tenancy.payment_reference, ACCOUNT_OF[kind])
    return render(
        request,
        "rentaccounts/invoice_form.html",
        {"form": form, "tenancy": tenancy, "kind": kind, "heading": HEADINGS[kind]},
    )


def recharge_raise(request, payment_reference):
    return invoice_raise_view(request, payment_reference, InvoiceKind.RECHARGE)


def sundry_raise(request, payment_reference):
    return invoice_raise_view(request, payment_reference, InvoiceKind.SUNDRY)
