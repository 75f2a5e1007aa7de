"""Recording written acknowledgments of a debt and bankruptcy or debt relief orders (docs/debts.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format

from rentaccounts.forms_debts import AcknowledgmentForm, InsolvencyDischargeForm, InsolvencyOrderForm
from rentaccounts.models import Account, InsolvencyOrder
from rentaccounts.services.debts import debt_acknowledgment_record, insolvency_order_discharge, insolvency_order_record
from tenancies.models import Person
from tenancies.scoping import assert_can_see_person, scoped


def _errors_to_form(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _day(value) -> str:
    return date_format(value, "j F Y")


def _account_url(account: Account) -> str:
    return reverse("accounts:detail_kind", args=[account.tenancy.payment_reference, account.kind])


@permission_required("rentaccounts.add_debtacknowledgment", raise_exception=True)
def acknowledgment_add(request, pk):
    account = get_object_or_404(scoped(Account.objects.select_related("tenancy"), request.user, "tenancy__"), pk=pk)
    form = AcknowledgmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            debt_acknowledgment_record(
                account=account,
                acknowledged_on=form.cleaned_data["acknowledged_on"],
                description=form.cleaned_data["description"],
                user=request.user,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                f"Acknowledgment of {_day(form.cleaned_data['acknowledged_on'])} recorded: time to recover the debt "
                "still in time runs again from that date.",
            )
            return redirect(_account_url(account))
    return render(request, "rentaccounts/debts/acknowledgment_form.html", {"form": form, "account": account})


def _person(request, person_id) -> Person:
    person = get_object_or_404(Person, pk=person_id)
    assert_can_see_person(request.user, person)
    return person


@permission_required("rentaccounts.add_insolvencyorder", raise_exception=True)
def insolvency_order_add(request, pk):
    person = _person(request, pk)
    form = InsolvencyOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = insolvency_order_record(person=person, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                f"{order.get_kind_display()} made {_day(order.made_on)} recorded. Do not ask for what "
                f"{person.full_name} owed before that date.",
            )
            return redirect("people:detail", pk=person.pk)
    return render(request, "rentaccounts/debts/insolvency_order_form.html", {"form": form, "person": person})


@permission_required("rentaccounts.change_insolvencyorder", raise_exception=True)
def insolvency_order_discharge_view(request, pk):
    order = get_object_or_404(InsolvencyOrder.objects.select_related("person"), pk=pk)
    assert_can_see_person(request.user, order.person)
    form = InsolvencyDischargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            insolvency_order_discharge(order=order, discharged_on=form.cleaned_data["discharged_on"], user=request.user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                f"Discharge on {_day(form.cleaned_data['discharged_on'])} recorded. The debts the order covered are "
                "released: ask for them to be written off, giving the order as the reason.",
            )
            return redirect("people:detail", pk=order.person_id)
    return render(request, "rentaccounts/debts/insolvency_discharge_form.html", {"form": form, "order": order})
