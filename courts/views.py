"""Legal: the notice planner (which notice, its grounds and dates, Ground 8, and anything that stops it)."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from .forms import NoticePlanForm
from .planner import notice_plan


@permission_required("incomeapp.use_legal", raise_exception=True)
def index(request):
    # A link from a case brings only ?reference=: show the form filled in, not errors.
    submitted = "served_on_0" in request.GET
    form = NoticePlanForm(
        request.GET if submitted else None, initial={"payment_reference": request.GET.get("reference", "")}
    )
    context = {"form": form}
    if submitted and form.is_valid():
        tenancy = form.cleaned_data["tenancy"]
        context["plan"] = notice_plan(
            tenancy=tenancy, served_on=form.cleaned_data["served_on"], method=form.cleaned_data["method"]
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "courts/index.html", context, status=status)
