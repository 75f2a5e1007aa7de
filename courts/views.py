"""Legal: the notice planner, serving a notice, and each notice's record."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from documents.models import Document
from tenancies.models import Tenancy

from .forms import NoticePlanForm, NoticeServeForm, ProtocolCopyForm
from .models import Notice
from .planner import notice_plan
from .services import notice_protocol_copy_record, notice_serve


@permission_required("incomeapp.use_legal", raise_exception=True)
def index(request):
    # A link from a case brings only ?reference=: show the form filled in, not errors.
    submitted = "served_on_0" in request.GET
    form = NoticePlanForm(
        request.GET if submitted else None, initial={"payment_reference": request.GET.get("reference", "")}
    )
    context = {"form": form, "notices": Notice.objects.select_related("tenancy")[:20]}
    if submitted and form.is_valid():
        plan = notice_plan(
            tenancy=form.cleaned_data["tenancy"],
            served_on=form.cleaned_data["served_on"],
            method=form.cleaned_data["method"],
        )
        context["plan"] = plan
        context["serve_forms"] = {
            option.spec.code: NoticeServeForm(
                initial={"notice_code": option.spec.code, "served_on": plan.served_on, "method": plan.method},
                auto_id=f"serve-{option.spec.code}-%s",
            )
            for option in plan.options
            if not option.barred
        }
    status = 400 if submitted and form.errors else 200
    return render(request, "courts/index.html", context, status=status)


@require_POST
@permission_required(("incomeapp.use_legal", "courts.add_notice"), raise_exception=True)
def serve(request, payment_reference):
    tenancy = get_object_or_404(
        Tenancy.objects.select_related("property__scheme__provider"), payment_reference=payment_reference.upper()
    )
    form = NoticeServeForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"The notice was not recorded: {problems}.")
        return redirect(_plan_url(tenancy.payment_reference, request.POST))
    try:
        notice = notice_serve(tenancy=tenancy, served_by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, f"The notice was not recorded. {error.messages[0]}")
        return redirect(_plan_url(tenancy.payment_reference, request.POST))
    messages.success(
        request,
        f"{notice.label} recorded as served. The notice is on the arrears case; send the tenants a copy of the "
        "pre-action protocol and record it below.",
    )
    return redirect("courts:notice", pk=notice.pk)


def _plan_url(reference: str, post) -> str:
    """Back to the plan the form was on."""
    try:
        served = date.fromisoformat(post.get("served_on", ""))
    except ValueError:
        return f"/legal/?reference={reference}"
    return (
        f"/legal/?payment_reference={reference}&served_on_0={served.day}&served_on_1={served.month}"
        f"&served_on_2={served.year}&method={post.get('method', 'hand')}#plan"
    )


@permission_required(("incomeapp.use_legal", "courts.view_notice"), raise_exception=True)
def notice(request, pk):
    record = get_object_or_404(Notice.objects.select_related("tenancy__property", "served_by", "notice_rule"), pk=pk)
    form = ProtocolCopyForm(request.POST or None)
    if request.method == "POST" and request.user.has_perm("courts.change_notice") and form.is_valid():
        try:
            notice_protocol_copy_record(notice=record, sent_on=form.cleaned_data["sent_on"], recorded_by=request.user)
        except ValidationError as error:
            form.add_error("sent_on", error.messages[0])
        else:
            messages.success(request, "Recorded: a copy of the pre-action protocol was sent.")
            return redirect("courts:notice", pk=record.pk)
    documents = Document.objects.filter(subject_key__startswith=f"notice:{record.pk}:").order_by("id")
    status = 400 if form.errors else 200
    return render(
        request, "courts/notice.html", {"notice": record, "form": form, "documents": documents}, status=status
    )
