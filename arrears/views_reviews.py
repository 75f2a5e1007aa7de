"""Reviews and policies in the browser, for Income Managers: preview (dry run) and start the weekly review and watch
its progress; upload a policy version, compare it with the live one on this week's cases, publish it."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenancies.scoping import payment_references_visible

from .forms import PolicyUploadForm, PreviewForm
from .models import ArrearsPolicy, ArrearsPolicyVersion, ReviewRun
from .review import review_preview_create
from .services import policy_import, policy_version_publish
from .tasks import review_preview, review_start


def _page(request, upload_form=None, preview_form=None, status=200):
    runs = ReviewRun.objects.filter(scope__in=["all", "preview"]).select_related("started_by", "compare__policy")
    context = {
        "runs": runs.order_by("-id")[:20],
        "policies": ArrearsPolicy.objects.prefetch_related("versions").order_by("-is_default", "name"),
        "upload_form": upload_form or PolicyUploadForm(),
        "preview_form": preview_form or PreviewForm(),
        "today": timezone.localdate(),
    }
    return render(request, "arrears/reviews.html", context, status=status)


@permission_required("incomeapp.use_worklist", raise_exception=True)
def reviews(request):
    return _page(request)


@permission_required("incomeapp.use_worklist", raise_exception=True)
def review_detail(request, pk):
    run = get_object_or_404(ReviewRun.objects.select_related("started_by", "compare__policy"), pk=pk)
    summary = run.summary or {}
    changed = (summary.get("changed_cases") or [])[:100]
    seen = payment_references_visible(request.user, [case.get("payment_reference") for case in changed])
    return render(
        request,
        "arrears/review_detail.html",
        {
            "run": run,
            "actions": sorted((summary.get("actions") or {}).items(), key=lambda item: -item[1]),
            "changes": list((summary.get("changes") or {}).items()),
            "changed_cases": [case for case in changed if case.get("payment_reference") in seen],
        },
    )


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_reviewrun"), raise_exception=True)
def review_preview_start(request):
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return _page(request, preview_form=form, status=400)
    preview = review_preview_create(
        as_of=timezone.localdate(), started_by=request.user, compare=form.cleaned_data["compare"]
    )
    transaction.on_commit(lambda: review_preview.delay(preview_id=preview.pk))
    messages.success(request, "The preview has started. It changes nothing; its report appears here when it is done.")
    return redirect("arrears:review_detail", pk=preview.pk)


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_reviewrun"), raise_exception=True)
def review_start_view(request):
    today, user_id = timezone.localdate().isoformat(), request.user.pk
    transaction.on_commit(lambda: review_start.delay(as_of=today, started_by_id=user_id))
    messages.success(request, "This week's review has started. It shows below while it runs; check its progress here.")
    return redirect("arrears:reviews")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_arrearspolicyversion"), raise_exception=True)
def policy_upload(request):
    form = PolicyUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version, created = policy_import(text=form.cleaned_data["policy_file"], imported_by=request.user)
        except ValidationError as error:
            form.add_error("policy_file", error.messages[0])
        else:
            said = "kept as draft version" if created else "is the same as version"
            messages.success(request, f"{version.policy.title}: {said} {version.number}.")
            return redirect("arrears:reviews")
    return _page(request, upload_form=form, status=400)


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_arrearspolicyversion"), raise_exception=True)
def policy_publish(request, pk):
    version = get_object_or_404(ArrearsPolicyVersion.objects.select_related("policy"), pk=pk)
    try:
        policy_version_publish(version=version, published_by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{version.policy.title}: version {version.number} is now live.")
    return redirect("arrears:reviews")


@permission_required("incomeapp.use_worklist", raise_exception=True)
def policy_download(request, pk):
    """A version's YAML as it was uploaded, to edit and upload again as a new version."""
    version = get_object_or_404(ArrearsPolicyVersion.objects.select_related("policy"), pk=pk)
    response = HttpResponse(version.source_text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{version.policy.name}-v{version.number}.yaml"'
    return response
