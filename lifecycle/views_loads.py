"""Data loads in the browser: upload a zip of the onboarding files (or one CSV), check it only or load it, as a
background job (`tasks.tenancy_load_run` over `onboarding.services.tenancy_load_process`); the load's page shows its
progress, then its report. The checking and loading are the onboarding engine's: nothing here checks a row."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from incomeapp.navigation import homes_sections

from .constants import LoadStatus
from .forms_loads import TenancyLoadForm
from .models import TenancyLoad
from .onboarding.formats import KINDS, SPEC_BY_KIND
from .onboarding.services import file_names, tenancy_load_create
from .tasks import tenancy_load_run

VIEW = "lifecycle.view_tenancyload"
ADD = "lifecycle.add_tenancyload"
LOADS_PER_PAGE = 25
IN_PROGRESS = (LoadStatus.QUEUED, LoadStatus.CHECKING, LoadStatus.LOADING)
SECTION = "Data loads"


def _render(request, template: str, context: dict):
    """A page of Homes' "Data loads" section, under the Homes sub-navigation."""
    context["sections"] = homes_sections(request.user, SECTION)
    return render(request, f"lifecycle/loads/{template}", context)


def _loads():
    # The files can be tens of megabytes: the pages need only their name.
    return TenancyLoad.objects.defer("content").select_related("uploaded_by")


def _start(load: TenancyLoad) -> None:
    """Runs the load in the background once the upload is saved. `robust`: with no broker the job runs here, at
    commit; a failure is kept on the load (its page says so) rather than breaking the page that started it."""
    load_id = load.pk
    transaction.on_commit(lambda: tenancy_load_run.delay(load_id=load_id), robust=True)


def _started_message(load: TenancyLoad) -> str:
    if load.dry_run:
        what = "a check of every row started (nothing will be loaded)"
    else:
        what = "a load started: every row is checked first, and if there is any error nothing is loaded"
    return f"{load.file_name} was uploaded and {what}. This page shows its progress, then its report."


@permission_required(VIEW, raise_exception=True)
def loads(request):
    """The list of loads, newest first, and (for a manager) the upload form."""
    form = TenancyLoadForm()
    if request.method == "POST":
        if not request.user.has_perm(ADD):
            messages.error(request, "Your role cannot load tenancies. Ask an income manager.")
            return redirect("lifecycle:loads")
        form = TenancyLoadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["files"]
            try:
                load = tenancy_load_create(
                    by=request.user, file_name=upload.name, content=upload.read(), dry_run=form.dry_run
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("files", message)
            else:
                _start(load)
                messages.success(request, _started_message(load))
                return redirect("lifecycle:load_detail", pk=load.pk)
    page = Paginator(_loads(), LOADS_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "list.html",
        {"form": form, "page": page, "file_names": file_names(), "can_load": request.user.has_perm(ADD)},
    )


def _file_rows(report: dict) -> list[dict]:
    """One row per file in the report: its name, rows, and the counts created, updated and unchanged."""
    names = {entry["kind"]: entry for entry in report.get("files", [])}
    rows = []
    counts_by_kind = report.get("counts", {})
    order = {kind: index for index, kind in enumerate(KINDS)}  # the order the files are loaded in
    for kind in sorted(counts_by_kind, key=lambda kind: order.get(kind, len(order))):
        counts = counts_by_kind[kind]
        entry = names.get(kind, {})
        spec = SPEC_BY_KIND.get(kind)
        rows.append(
            {
                "file": entry.get("file") or (spec.file_name if spec else kind),
                "rows": entry.get("rows"),
                "created": counts.get("created", 0),
                "updated": counts.get("updated", 0),
                "unchanged": counts.get("unchanged", 0),
            }
        )
    return rows


def _totals(rows: list[dict]) -> dict:
    totals = {name: sum(row[name] for row in rows) for name in ("created", "updated", "unchanged")}
    totals["rows"] = sum(row["rows"] or 0 for row in rows)
    return totals


@permission_required(VIEW, raise_exception=True)
def load_detail(request, pk: int):
    """A load's progress while it runs (the person asks for the latest figures: a timed reload fails WCAG 2.2.1),
    then its report."""
    load = get_object_or_404(_loads(), pk=pk)
    report = load.report or {}
    files = _file_rows(report)
    percent = min(100, round(100 * load.rows_done / load.rows_read)) if load.rows_read else 0
    errors = report.get("errors", [])
    context = {
        "load": load,
        "in_progress": load.status in IN_PROGRESS,
        "percent": percent,
        "report": report,
        "files": files,
        "totals": _totals(files),
        "errors": errors,
        "errors_not_listed": max(0, report.get("error_count", len(errors)) - len(errors)),
        "warnings": report.get("warnings", []),
        "warnings_not_listed": max(0, report.get("warning_count", 0) - len(report.get("warnings", []))),
        "can_load": request.user.has_perm(ADD),
        "loaded_since": _loaded_since(load),
    }
    return _render(request, "detail.html", context)


def _loaded_since(load: TenancyLoad) -> TenancyLoad | None:
    """For a passed check: a later load of the same files, if one was started (so the page links to it rather than
    offering to load them again)."""
    if load.status != LoadStatus.CHECKED:
        return None
    return (
        _loads()
        .filter(sha256=load.sha256, dry_run=False, created_at__gte=load.created_at)
        .exclude(pk=load.pk)
        .order_by("created_at")
        .first()
    )


@require_POST
@permission_required((VIEW, ADD), raise_exception=True)
def load_again(request, pk: int):
    """Loads the files a check passed: a new load of the same content, this time kept."""
    checked = get_object_or_404(TenancyLoad, pk=pk)
    if checked.status != LoadStatus.CHECKED:
        messages.error(
            request, "Only files whose check found no error can be loaded from here. Correct them and upload again."
        )
        return redirect("lifecycle:load_detail", pk=checked.pk)
    try:
        load = tenancy_load_create(
            by=request.user, file_name=checked.file_name, content=bytes(checked.content), dry_run=False
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("lifecycle:load_detail", pk=checked.pk)
    _start(load)
    messages.success(request, _started_message(load))
    return redirect("lifecycle:load_detail", pk=load.pk)
