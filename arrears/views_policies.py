"""Arrears policies in the browser, for Income Managers: see a policy's steps, change one (its wording, who takes it,
its letter, its thresholds) as a new draft version, preview the draft's effect on this week's cases (the review
preview), then publish it. The YAML upload stays for changes the form does not cover (conditions, new steps)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.models import LetterTemplate
from incomeapp.refusals import refusal_shown

from .constants import PolicyVersionStatus
from .forms_policies import PolicyStepForm
from .models import ArrearsPolicy, ArrearsPolicyVersion, ReviewRun
from .policy_steps import steps, steps_compare
from .review import review_preview_create
from .services.policies import policy_step_change, policy_version_publish
from .tasks import review_preview

VIEW = ("incomeapp.use_worklist", "arrears.view_arrearspolicyversion")


@permission_required(VIEW, raise_exception=True)
def policies(request):
    rows = ArrearsPolicy.objects.prefetch_related("versions__created_by", "versions__published_by").order_by(
        "-is_default", "name"
    )
    return render(request, "arrears/policies/index.html", {"policies": rows})


def _version(pk: int) -> ArrearsPolicyVersion:
    return get_object_or_404(ArrearsPolicyVersion.objects.select_related("policy", "created_by", "published_by"), pk=pk)


def _live(version: ArrearsPolicyVersion) -> ArrearsPolicyVersion | None:
    return version.policy.versions.filter(status=PolicyVersionStatus.LIVE).first()


@permission_required(VIEW, raise_exception=True)
def policy_version(request, pk):
    """A version's steps, what it changes from the live version, and (for a draft) preview its effect and publish."""
    version = _version(pk)
    live = _live(version)
    letters = dict(LetterTemplate.objects.values_list("key", "title"))
    rows = steps(version.document)
    for step in rows:
        step["letter_title"] = letters.get(step["letter"], step["letter"])
    previews = ReviewRun.objects.filter(compare=version, dry_run=True).order_by("-id")[:3]
    context = {
        "version": version,
        "policy": version.policy,
        "live": live,
        "steps": rows,
        "changes": steps_compare(live.document, version.document) if live and live.pk != version.pk else None,
        "previews": previews,
        "may_change": request.user.has_perm("arrears.add_arrearspolicyversion"),
        "may_publish": request.user.has_perm("arrears.change_arrearspolicyversion"),
        "may_preview": request.user.has_perm("arrears.add_reviewrun"),
    }
    return render(request, "arrears/policies/version.html", context)


def _letters() -> list[tuple[str, str]]:
    return [(key, title) for key, title in LetterTemplate.objects.order_by("title").values_list("key", "title")]


@permission_required((*VIEW, "arrears.add_arrearspolicyversion"), raise_exception=True)
def policy_step_edit(request, pk, key):
    """One step of a version as a form; saving keeps the whole policy, with the step changed, as a new draft."""
    version = _version(pk)
    step = next((step for step in steps(version.document) if step["key"] == key), None)
    if step is None:
        raise Http404("The policy has no such step.")
    if request.method == "POST":
        form = PolicyStepForm(request.POST, step=step, letters=_letters())
        if form.is_valid():
            try:
                draft, created = policy_step_change(
                    version=version,
                    key=key,
                    label=form.cleaned_data["label"],
                    mode=form.cleaned_data["mode"],
                    letter=form.cleaned_data["letter"],
                    contact_first_days=form.cleaned_data["contact_first_days"],
                    thresholds=form.cleaned_data["thresholds"],
                    changed_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                if created:
                    messages.success(
                        request,
                        f"Saved as draft version {draft.number} of {draft.policy.title}. The review does not use it "
                        "until it is published: preview its effect on this week's cases, then publish it.",
                    )
                else:
                    messages.info(request, f"Nothing changed: version {draft.number} already says this.")
                return redirect("arrears:policy_version", pk=draft.pk)
    else:
        form = PolicyStepForm(step=step, letters=_letters())
    context = {"version": version, "policy": version.policy, "step": step, "form": form}
    return render(request, "arrears/policies/step_edit.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required((*VIEW, "arrears.add_reviewrun"), raise_exception=True)
def policy_version_preview(request, pk):
    """The review preview (a dry run over this week's cases) with this version beside the live one: what would
    change. Nothing is kept but the report."""
    version = _version(pk)
    if version.status != PolicyVersionStatus.DRAFT:
        messages.error(request, f"Version {version.number} is not a draft: the review uses the live version already.")
        return redirect("arrears:policy_version", pk=version.pk)
    preview = review_preview_create(as_of=timezone.localdate(), started_by=request.user, compare=version)
    transaction.on_commit(lambda: review_preview.delay(preview_id=preview.pk))
    messages.success(
        request,
        f"The preview of draft version {version.number} has started. It changes nothing; the cases whose "
        "recommendation would change show here when it is done.",
    )
    return redirect("arrears:review_detail", pk=preview.pk)


@require_POST
@permission_required((*VIEW, "arrears.change_arrearspolicyversion"), raise_exception=True)
def policy_version_publish_view(request, pk):
    version = _version(pk)
    with refusal_shown(request):
        policy_version_publish(version=version, published_by=request.user)
        messages.success(
            request,
            f"Version {version.number} of {version.policy.title} is now live. The next review uses it (every Monday "
            "at 06:00, or start one now from Reviews); recommendations already made keep their version.",
        )
    return redirect("arrears:policy_version", pk=version.pk)
