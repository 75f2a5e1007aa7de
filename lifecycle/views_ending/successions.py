"""Successions and assignments: the named tenants change, the tenancy continues."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from lifecycle.ending import tenancy_assignment, tenancy_succession
from lifecycle.forms_ending import AssignmentForm, SuccessionForm
from tenancies.constants import TenancyStatus

from .steps import END, TEMPLATES, _answers, _new_people, _rolled_back, _service_errors, _stage, _tenancy

# ---- successions and assignments -------------------------------------------------------------------------------------


def _named_tenants_view(request, payment_reference, *, form_class, template, what, run):
    tenancy = _tenancy(payment_reference, request.user)
    if tenancy.status != TenancyStatus.CURRENT:
        messages.info(request, f"{tenancy.payment_reference} has ended, so its named tenants cannot change.")
        return redirect("tenancies:detail", tenancy.payment_reference)
    tenants = tenancy.named_tenants()
    stage = _stage(request)
    form = form_class(request.POST if request.method == "POST" else None, tenants=tenants)
    if stage != "form" and form.is_valid():

        def work():
            return run(tenancy, form.cleaned_data)

        try:
            result = work() if stage == "confirm" else _rolled_back(work)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if stage == "confirm":
                if result.changed:
                    messages.success(
                        request,
                        f"{what.capitalize()} recorded: the named tenants are now {_names(result.after)}. The "
                        "tenancy, its payment reference and its balance continue.",
                    )
                else:
                    messages.info(request, "Nothing changed: those are already the named tenants.")
                return redirect("tenancies:detail", tenancy.payment_reference)
            context = {
                "tenancy": tenancy,
                "result": result,
                "answers": _answers(request),
                "what": what,
                "data": form.cleaned_data,
            }
            return render(request, f"{TEMPLATES}/check_named.html", context)
    return render(request, f"{TEMPLATES}/{template}", {"tenancy": tenancy, "form": form, "tenants": tenants})


def _names(people) -> str:
    return ", ".join(p.full_name for p in people)


@permission_required(END, raise_exception=True)
def succession(request, payment_reference):
    def run(tenancy, data):
        successor = data["successor_person"] or _new_people(request.user, [data["new_person"]])[0]
        return tenancy_succession(
            by=request.user,
            tenancy=tenancy,
            on=data["on"],
            successor=successor,
            deceased=data["deceased_person"],
            reason=data["reason"],
        )

    return _named_tenants_view(
        request, payment_reference, form_class=SuccessionForm, template="succession.html", what="succession", run=run
    )


@permission_required(END, raise_exception=True)
def assignment(request, payment_reference):
    def run(tenancy, data):
        new = [p for p in [data["existing"]] if p]
        if data["new_person"]:
            new += _new_people(request.user, [data["new_person"]])
        people = [*new, *[p for p in data["kept_people"] if p.pk not in {n.pk for n in new}]]
        return tenancy_assignment(
            by=request.user, tenancy=tenancy, on=data["on"], new_tenants=people, reason=data["reason"]
        )

    return _named_tenants_view(
        request, payment_reference, form_class=AssignmentForm, template="assignment.html", what="assignment", run=run
    )
