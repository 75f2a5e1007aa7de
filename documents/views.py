"""Letter templates in the browser, for Income Managers: write a draft, preview it as the PDF the tenant would get
(on a real case or a sample tenant), publish it; see every version and go back to an earlier one."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from incomeapp.template_versions import template_versions_context, templates_in_use_and_draft, versions_with_state
from incomeapp.views_template_versions import version_or_404, version_publish_answer, version_revert_answer
from incomeapp.visibility import reference_visible, user_is_scoped

from .forms import TemplateCaseForm, TemplateEditForm
from .merge_fields import MERGE_FIELDS, TemplateError
from .models import Document, LetterTemplate, LetterTemplateVersion, PrintBatch
from .preview import template_preview, template_preview_pdf
from .services import (
    print_batch_make,
    print_runs_waiting,
    template_draft_save,
    template_version_publish,
    template_version_revert,
)


@permission_required("documents.view_lettertemplate", raise_exception=True)
def templates(request):
    rows = list(LetterTemplate.objects.prefetch_related("versions").order_by("key"))
    templates_in_use_and_draft(rows)
    return render(request, "documents/templates.html", {"templates": rows})


def _preview(form, user) -> dict:
    """The letter as the chosen case's tenant would get it (or, with no case chosen, a sample tenant), or why it
    cannot be shown."""
    reference = form.cleaned_data.get("case_reference", "")
    try:
        reference = _reference_checked(user, reference)
        preview = template_preview(
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            reference=reference,
            today=timezone.localdate(),
        )
    except (LookupError, TemplateError) as error:
        form.add_error("case_reference", str(error))
        return {}
    return {"preview": preview, "preview_reference": reference}


def _reference_checked(user, reference: str) -> str:
    """The typed payment reference, or "" for the sample tenant. Out of the person's scope: as if there were no case
    (our references may be typed with spaces)."""
    typed = (reference or "").strip().upper()
    if typed and not (reference_visible(user, typed) or reference_visible(user, "".join(typed.split()))):
        raise LookupError(f"No open arrears case has the payment reference {typed}.")
    return typed


@permission_required("documents.view_lettertemplate", raise_exception=True)
def template_edit(request, key):
    """The template in use, its history, and a form to write a new draft (preview it on a case or the sample tenant,
    then save it as a draft to check and publish)."""
    template = get_object_or_404(LetterTemplate, key=key)
    context = {
        **template_versions_context(template, *versions_with_state(template)),
        "merge_fields": MERGE_FIELDS.items(),
    }
    if request.method != "POST":
        start = context["draft"] or context["current"]
        form = TemplateEditForm(
            initial={"subject": start.subject if start else "", "body": start.body if start else ""}
        )
        return render(request, "documents/template_edit.html", {**context, "form": form, "started_from": start})
    form = TemplateEditForm(request.POST)
    if form.is_valid():
        context |= _preview(form, request.user)
        if "save" in request.POST:
            if not request.user.has_perm("documents.add_lettertemplateversion"):
                form.add_error(None, "You do not have permission to change letter templates.")
            else:
                try:
                    version = template_draft_save(
                        key=template.key,
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        created_by=request.user,
                    )
                except ValidationError as error:
                    form.add_error("body", error.messages[0])
                else:
                    messages.success(
                        request,
                        f"Saved as draft version {version.number}. Letters do not use it yet: check it as a PDF "
                        "below, then publish it.",
                    )
                    return redirect("documents:template_version", key=template.key, number=version.number)
    status = 400 if form.errors else 200
    return render(request, "documents/template_edit.html", {**context, "form": form}, status=status)


@permission_required("documents.view_lettertemplate", raise_exception=True)
def template_version(request, key, number):
    """One version, checked before it is published: the letter on the sample tenant (or a chosen case), a link to
    the PDF the tenant would get, and the button that publishes it (or goes back to it, for an earlier version)."""
    version = version_or_404(LetterTemplateVersion, key, number)
    versions, current = versions_with_state(version.template)
    version.state = next(v.state for v in versions if v.pk == version.pk)
    form = TemplateCaseForm(request.GET or None)
    reference, preview = "", None
    if form.is_bound and form.is_valid():
        try:
            reference = _reference_checked(request.user, form.cleaned_data["case_reference"])
        except LookupError as error:
            form.add_error("case_reference", str(error))
    if not form.errors:
        try:
            preview = template_preview(
                subject=version.subject, body=version.body, reference=reference, today=timezone.localdate()
            )
        except (LookupError, TemplateError) as error:
            form.add_error("case_reference", str(error))
            reference = ""
    context = {
        "version": version,
        "template": version.template,
        "current": current,
        "form": form,
        "preview": preview,
        "preview_reference": reference,
        "may_change": request.user.has_perm("documents.add_lettertemplateversion"),
    }
    return render(request, "documents/template_version.html", context, status=400 if form.errors else 200)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required("documents.view_lettertemplate", raise_exception=True)
def template_version_pdf(request, key, number):
    """A version as the PDF the tenant would get: on the case chosen (?case_reference=) or the sample tenant. Not
    stored: nothing is sent."""
    version = version_or_404(LetterTemplateVersion, key, number)
    try:
        reference = _reference_checked(request.user, request.GET.get("case_reference", ""))
        pdf = template_preview_pdf(
            subject=version.subject, body=version.body, reference=reference, today=timezone.localdate()
        )
    except (LookupError, TemplateError) as error:
        raise Http404(str(error)) from error
    return _pdf_response(pdf, f"preview-{key}-v{number}{'-' + reference if reference else ''}.pdf")


@require_POST
@permission_required("documents.view_lettertemplate", raise_exception=True)
def template_preview_pdf_view(request, key):
    """The text being written (not saved yet) as the PDF the tenant would get."""
    get_object_or_404(LetterTemplate, key=key)
    form = TemplateEditForm(request.POST)
    if not form.is_valid():
        raise Http404("Write a heading and the letter's text, then preview it.")
    try:
        reference = _reference_checked(request.user, form.cleaned_data["case_reference"])
        pdf = template_preview_pdf(
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            reference=reference,
            today=timezone.localdate(),
        )
    except (LookupError, TemplateError) as error:
        raise Http404(str(error)) from error
    return _pdf_response(pdf, f"preview-{key}.pdf")


@require_POST
@permission_required("documents.view_lettertemplate", raise_exception=True)
def template_publish(request, key, number):
    return version_publish_answer(
        request,
        version_or_404(LetterTemplateVersion, key, number),
        publish=template_version_publish,
        namespace="documents",
        made="letter",
    )


@require_POST
@permission_required("documents.view_lettertemplate", raise_exception=True)
def template_revert(request, key, number):
    return version_revert_answer(
        request,
        version_or_404(LetterTemplateVersion, key, number),
        revert=template_version_revert,
        namespace="documents",
        made="letter",
    )


def run_label_display(label: str) -> str:
    """A run's label as people say it: review:34 is "Arrears review 34"."""
    kind, _, rest = label.partition(":")
    if kind == "review" and rest:
        return f"Arrears review {rest}"
    if kind == "rent-change" and rest:
        return f"Rent change {rest}"
    if kind == "statements" and rest:
        try:
            return f"Quarterly statements to {date.fromisoformat(rest):%-d %B %Y}"
        except ValueError:
            pass
    if label == "officer":
        return "Sent by officers"
    return label or "Made by hand"


def _refuse_scoped(user) -> None:
    """A print batch holds every landlord's letters: printing is for staff who see every tenancy."""
    if user_is_scoped(user):
        raise PermissionDenied(
            "Print batches hold letters for every landlord, so only staff who see every tenancy print them."
        )


@permission_required("documents.view_printbatch", raise_exception=True)
def print_batches(request):
    """Documents waiting to be printed, by the run that made them, each made into one PDF in one click; and the
    batches made, which can be downloaded again."""
    _refuse_scoped(request.user)
    if request.method == "POST":
        if not request.user.has_perm("documents.add_printbatch"):
            raise PermissionDenied("You do not have permission to make print batches.")
        run = request.POST.get("run", "")
        batch = print_batch_make(run_label=run, made_by=request.user)
        if batch is None:
            messages.error(request, f"Nothing from {run_label_display(run)} is waiting to be printed any more.")
        else:
            messages.success(
                request,
                f"Print batch {batch.pk} is ready: {batch.documents_count} documents, {batch.pages} pages. "
                "Download it from the list below; its documents are marked printed.",
            )
        return redirect("documents:print_batches")
    waiting = [{**row, "label": run_label_display(row["made_by_run"])} for row in print_runs_waiting()]
    batches = PrintBatch.objects.select_related("made_by")[:20]
    for batch in batches:
        batch.label = run_label_display(batch.run_label)
    return render(request, "documents/print_batches.html", {"waiting": waiting, "batches": batches})


@permission_required("documents.view_printbatch", raise_exception=True)
def print_batch_download(request, pk):
    _refuse_scoped(request.user)
    batch = get_object_or_404(PrintBatch, pk=pk)
    response = FileResponse(batch.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="print-batch-{batch.pk}.pdf"'
    return response


@permission_required("documents.view_document", raise_exception=True)
def download(request, pk):
    """A document's PDF, as it was made (its SHA-256 is on the record)."""
    document = get_object_or_404(Document, pk=pk)
    if not reference_visible(request.user, document.reference):
        raise Http404("No document has that number.")  # out of the person's scope: as if it did not exist
    response = FileResponse(document.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.reference}-{document.pk}.pdf"'
    return response
