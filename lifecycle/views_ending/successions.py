"""Successions and assignments: the named tenants change, the tenancy continues."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render

from lifecycle.ending import tenancy_assignment, tenancy_succession
from lifecycle.forms_ending import AssignmentForm, SuccessionForm

from .steps import END, TEMPLATES, _check_page, _ended_redirect, _new_people, _posted, _service_result, _stage, _tenancy

# ---- successions and assignments -------------------------------------------------------------------------------------


def _named_tenants_view(request, payment_reference, *, form_class, template, what, run):
    tenancy = _tenancy(payment_reference, request.user)
    message = f"{tenancy.payment_reference} has ended, so its named tenants cannot change."
    if ended := _ended_redirect(request, tenancy, message):
        return ended
    tenants = tenancy.named_tenants()
    form = form_class(_posted(request), tenants=tenants)

    def work(data, *, dry_run):
        return run(tenancy, data)

    if (result := _service_result(request, form, work, rolled_back=True)) is not None:
        if _stage(request) == "confirm":
            if result.changed:
                messages.success(
                    request,
                    f"{what.capitalize()} recorded: the named tenants are now {_names(result.after)}. The "
                    "tenancy, its payment reference and its balance continue.",
                )
            else:
                messages.info(request, "Nothing changed: those are already the named tenants.")
            return redirect("tenancies:detail", tenancy.payment_reference)
        return _check_page(request, tenancy, "check_named.html", result, what=what, data=form.cleaned_data)
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
