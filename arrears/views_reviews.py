"""Reviews and policies in the browser, for Income Managers: preview (dry run) and start the weekly review and watch
its progress; upload a policy version, compare it with the live one on this week's cases, publish it."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from incomeapp.refusals import refusal_shown
from tenancies.scoping import payment_references_visible

from .constants import PolicyVersionStatus, ReviewStatus
from .forms import PolicyUploadForm, PreviewForm
from .models import ArrearsPolicy, ArrearsPolicyVersion, ReviewRun
from .review import review_preview_create
from .selectors import action_labels
from .services import policy_import, policy_version_publish
from .tasks import review_preview, review_start

WAIT_FOR_START = timedelta(seconds=60)  # how long the page waits for a review just started to appear


def _runs_context(request) -> dict:
    """The recent whole-book reviews and previews, and whether the page should keep asking for them (one is running,
    or one was started here in the last minute and the worker has not begun it yet)."""
    runs = list(
        ReviewRun.objects.filter(scope__in=["all", "preview"])
        .select_related("started_by", "compare__policy")
        .order_by("-id")[:20]
    )
    watching = any(run.status == ReviewStatus.RUNNING for run in runs)
    started = request.session.get("review_started_at")
    if started and not watching:
        started_at = datetime.fromisoformat(started)
        begun = any(run.started_at >= started_at for run in runs)
        watching = not begun and timezone.now() - started_at < WAIT_FOR_START
    return {"runs": runs, "watching": watching}


def _page(request, upload_form=None, preview_form=None, status=200):
    context = {
        **_runs_context(request),
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
def review_runs_fragment(request):
    """The table of recent reviews alone: the reviews page polls it (htmx) while a review runs."""
    return render(request, "arrears/_review_runs.html", _runs_context(request))


@permission_required("incomeapp.use_worklist", raise_exception=True)
def review_progress(request, pk):
    """A review's progress alone: its page polls it every 2 seconds until the review has finished."""
    run = get_object_or_404(ReviewRun.objects.select_related("started_by", "compare__policy"), pk=pk)
    return render(request, "arrears/_review_progress.html", {"run": run, "watched": True})


@permission_required("incomeapp.use_worklist", raise_exception=True)
def review_detail(request, pk):
    run = get_object_or_404(ReviewRun.objects.select_related("started_by", "compare__policy"), pk=pk)
    summary = run.summary or {}
    changed = (summary.get("changed_cases") or [])[:100]
    seen = payment_references_visible(request.user, [case.get("payment_reference") for case in changed])
    label = _action_label(run)
    changes = []
    for change, count in (summary.get("changes") or {}).items():
        now, _, would_be = change.partition(" → ")
        changes.append((f"{label(now)} → {label(would_be)}", count))
    cases = [
        {**case, "now": label(case.get("now", "")), "would_be": label(case.get("would_be", ""))}
        for case in changed
        if case.get("payment_reference") in seen
    ]
    return render(
        request,
        "arrears/review_detail.html",
        {
            "run": run,
            "actions": sorted(((label(a), n) for a, n in (summary.get("actions") or {}).items()), key=lambda i: -i[1]),
            "changes": changes,
            "changed_cases": cases,
        },
    )


def _action_label(run):
    """Action keys in a review's summary as the policies word them ("Send a friendly reminder", not a key)."""
    documents = [version.document for version in ArrearsPolicyVersion.objects.filter(status=PolicyVersionStatus.LIVE)]
    if run.compare is not None:
        documents.append(run.compare.document)
    labels = action_labels(documents)
    return lambda key: labels.get(key) or key.replace("_", " ").capitalize()


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
    request.session["review_started_at"] = timezone.now().isoformat()
    transaction.on_commit(lambda: review_start.delay(as_of=today, started_by_id=user_id))
    messages.success(
        request,
        "This week's review has started. Its progress shows under Reviews below; open it to see its "
        "recommendations when it has finished.",
    )
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
    with refusal_shown(request):
        policy_version_publish(version=version, published_by=request.user)
        messages.success(request, f"{version.policy.title}: version {version.number} is now live.")
    return redirect("arrears:reviews")


@permission_required("incomeapp.use_worklist", raise_exception=True)
def policy_download(request, pk):
    """A version's YAML as it was uploaded, to edit and upload again as a new version."""
    version = get_object_or_404(ArrearsPolicyVersion.objects.select_related("policy"), pk=pk)
    response = HttpResponse(version.source_text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{version.policy.name}-v{version.number}.yaml"'
    return response
