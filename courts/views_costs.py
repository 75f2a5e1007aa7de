"""Correcting the court costs in a hearing's order: the old line is reversed and the right amount posted (never an
update), from the claim's page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from incomeapp.forms import GdsFormMixin, MoneyField
from rentaccounts.selectors_court_costs import hearing_costs_standing
from tenancies.scoping import scoped

from .court import hearing_costs_correct
from .models import Hearing, LegalCase


class CostsCorrectForm(GdsFormMixin, forms.Form):
    submit_label = "Correct the costs"

    costs = MoneyField(
        label="Costs the order awards us",
        width=10,
        help_text="Enter 0 if the order awards no costs.",
        error_messages={"required": "Enter the costs the order awards, or 0 if it awards none."},
    )
    reason = forms.CharField(
        label="Why the costs are being corrected",
        widget=forms.Textarea({"rows": 3}),
        help_text="For example, what the sealed order says. This shows on the account.",
        error_messages={"required": "Say why the costs are being corrected."},
    )


@permission_required(("incomeapp.use_legal", "courts.change_legalcase"), raise_exception=True)
def hearing_costs(request, pk, hearing_id):
    hearing = get_object_or_404(
        Hearing.objects.select_related("legal_case__tenancy__property"),
        pk=hearing_id,
        legal_case__in=scoped(LegalCase.objects, request.user, "tenancy__"),
        legal_case_id=pk,
    )
    standing = hearing_costs_standing(hearing_id=hearing.pk)
    form = CostsCorrectForm(request.POST or None, initial={"costs": standing.amount if standing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            done = hearing_costs_correct(
                hearing=hearing, costs=form.cleaned_data["costs"], reason=form.cleaned_data["reason"],
                corrected_by=request.user,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, done)
            return redirect("courts:legal_case", pk=pk)
    context = {"form": form, "hearing": hearing, "case": hearing.legal_case, "standing": standing}
    return render(request, "courts/costs_correct.html", context, status=400 if form.errors else 200)
