"""Quarterly statement runs in the browser: check what a run would cover, start it (the Celery workers make the
statements in chunks), watch its progress (the page polls a small fragment with htmx; without JavaScript, a Check
progress link) and open its results: the statements made, and the Printing page to print the posted ones."""

from datetime import date, timedelta

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from documents.constants import DocumentKind
from documents.models import Document
from incomeapp.forms import GdsFormMixin
from tenancies.scoping import payment_references_visible

from .models import StatementRun
from .services.statement_run import (
    statement_period,
    statement_run_accounts,
    statement_run_label,
    statement_run_progress,
    statement_run_start,
)

SHOW_STATEMENTS = 200


def last_quarter_end(today: date) -> date:
    """The day before the current quarter began (31 March, 30 June, 30 September or 31 December)."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return quarter_start - timedelta(days=1)


class StatementRunForm(GdsFormMixin, forms.Form):
    submit_label = "Continue"

    period_end = DateInputField(
        label="Last day the statements cover",
        help_text="Each statement covers the 13 weeks up to this day. For example, 30 9 2026.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_end"].error_messages["required"] = "Enter the last day the statements cover"

    def clean_period_end(self):
        period_end = self.cleaned_data["period_end"]
        if period_end > timezone.localdate():
            raise forms.ValidationError("The last day must be today or in the past: statements show what has happened")
        return period_end


@permission_required("rentaccounts.view_statementrun", raise_exception=True)
def statement_runs(request):
    """The runs, newest first, and the form that starts one: Continue shows what the run covers, to check; Start
    starts it."""
    form = StatementRunForm(
        request.POST if request.method == "POST" else None,
        initial={"period_end": last_quarter_end(timezone.localdate())},
    )
    check = None
    if request.method == "POST":
        if not request.user.has_perm("rentaccounts.add_statementrun"):
            messages.error(request, "Your role cannot start statement runs. Ask an income manager.")
            return redirect("rentaccounts:statement_runs")
        if form.is_valid():
            period_end = form.cleaned_data["period_end"]
            if "start" in request.POST:
                try:
                    run = statement_run_start(period_end=period_end, started_by=request.user)
                except ValidationError as error:
                    form.add_error(None, error.messages[0])
                else:
                    messages.success(
                        request,
                        format_html(
                            "The statement run for {} accounts has started. Its progress shows here; you can "
                            'leave this page. <a class="govuk-notification-banner__link" href="{}">All statement '
                            "runs</a>",
                            run.accounts_total,
                            reverse("rentaccounts:statement_runs"),
                        ),
                    )
                    return redirect("rentaccounts:statement_run", pk=run.pk)
            else:
                date_from, date_to = statement_period(period_end)
                check = {
                    "period_end": period_end,
                    "date_from": date_from,
                    "date_to": date_to,
                    "accounts": len(statement_run_accounts(period_end)),
                    "made_before": Document.objects.filter(
                        kind=DocumentKind.STATEMENT, made_by_run=statement_run_label(period_end)
                    ).count(),
                }
    runs = StatementRun.objects.select_related("started_by").order_by("-created_at")[:20]
    return render(
        request,
        "rentaccounts/statement_runs.html",
        {"form": form, "check": check, "runs": [(run, statement_run_progress(run)) for run in runs]},
    )


def _run_context(request, run: StatementRun) -> dict:
    progress = statement_run_progress(run)
    context = {"run": run, "progress": progress}
    if progress["finished"]:
        statements = Document.objects.filter(kind=DocumentKind.STATEMENT, made_by_run=progress["label"]).order_by(
            "reference", "id"
        )
        shown = list(statements[:SHOW_STATEMENTS])
        seen = payment_references_visible(request.user, [document.reference for document in shown])
        context["statements"] = [document for document in shown if document.reference in seen]
        context["statements_count"] = statements.count()
    return context


@permission_required("rentaccounts.view_statementrun", raise_exception=True)
def statement_run(request, pk):
    run = get_object_or_404(StatementRun.objects.select_related("started_by"), pk=pk)
    return render(request, "rentaccounts/statement_run.html", _run_context(request, run))


@permission_required("rentaccounts.view_statementrun", raise_exception=True)
def statement_run_progress_view(request, pk):
    """The run's progress alone, for the page to poll every 2 seconds until the run has finished."""
    run = get_object_or_404(StatementRun.objects.select_related("started_by"), pk=pk)
    return render(request, "rentaccounts/_statement_run_progress.html", _run_context(request, run))
