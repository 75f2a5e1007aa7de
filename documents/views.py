"""Letter templates in the browser, for Income Managers: edit, preview on a real case, save as a new version."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from incomeapp.visibility import reference_visible, user_is_scoped

from .forms import TemplateEditForm
from .merge_fields import MERGE_FIELDS, TemplateError, fill, merge
from .models import Document, LetterTemplate, PrintBatch
from .preview import preview_context
from .services import print_batch_make, print_runs_waiting, template_version_create


@permission_required("documents.view_lettertemplate", raise_exception=True)
def templates(request):
    rows = LetterTemplate.objects.prefetch_related("versions").order_by("key")
    return render(request, "documents/templates.html", {"templates": rows})


def _preview(form, user) -> dict:
    """The letter as the chosen case's tenant would get it, or why it cannot be shown."""
    reference = form.cleaned_data.get("case_reference", "")
    if not reference:
        return {}
    try:
        typed = reference.strip().upper()
        # Out of the person's scope: as if there were no case (our references may be typed with spaces).
        if not (reference_visible(user, typed) or reference_visible(user, "".join(typed.split()))):
            raise LookupError(f"No open arrears case has the payment reference {typed}.")
        values, recipient, landlord = preview_context(reference)
        return {
            "preview_title": fill(form.cleaned_data["subject"], values),
            "preview_body": merge(form.cleaned_data["body"], values),
            "preview_recipient": recipient,
            "preview_landlord": landlord,
        }
    except (LookupError, TemplateError) as error:
        form.add_error("case_reference", str(error))
        return {}


@permission_required("documents.view_lettertemplate", raise_exception=True)
def template_edit(request, key):
    template = get_object_or_404(LetterTemplate, key=key)
    current = template.versions.first()
    context = {"template": template, "current": current, "merge_fields": MERGE_FIELDS.items()}
    if request.method != "POST":
        form = TemplateEditForm(
            initial={"subject": current.subject if current else "", "body": current.body if current else ""}
        )
        return render(request, "documents/template_edit.html", {**context, "form": form})
    form = TemplateEditForm(request.POST)
    status = 200
    if form.is_valid():
        context |= _preview(form, request.user)
        if "save" in request.POST:
            if not request.user.has_perm("documents.add_lettertemplateversion"):
                form.add_error(None, "You do not have permission to change letter templates.")
            else:
                try:
                    version = template_version_create(
                        key=template.key,
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        created_by=request.user,
                    )
                except ValidationError as error:
                    form.add_error("body", error.messages[0])
                else:
                    messages.success(request, f"Saved as version {version.number}. Letters made from now on use it.")
                    return redirect("documents:template_edit", key=template.key)
    if form.errors:
        status = 400
    return render(request, "documents/template_edit.html", {**context, "form": form}, status=status)


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
