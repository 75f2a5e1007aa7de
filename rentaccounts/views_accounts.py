"""The account page (transactions with running balance, filters, statement figures) and its CSV export."""

from datetime import timedelta

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from incomeapp.csvsafe import SafeCsvWriter
from incomeapp.forms import GdsFormMixin
from incomeapp.money import money_from_sum
from tenancies.scoping import scoped

from .constants import AccountKind, TransactionType
from .models import Account, Transaction
from .selectors import account_summary
from .selectors_invoices import tenancy_debts
from .services.statements import PAYMENTS, SEND_BY, account_statement, statement_send

PAGE_SIZE = 50


class AccountFilterForm(GdsFormMixin, forms.Form):
    submit_label = "Show transactions"

    date_from = DateInputField(label="From", required=False)
    date_to = DateInputField(label="To", required=False)
    transaction_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *TransactionType.choices]
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            self.add_error("date_to", "The end date must be on or after the start date")
        return cleaned


STAFF_GROUP_NAMES = {PAYMENTS: "Payments received"}


class StatementSendForm(GdsFormMixin, forms.Form):
    """Sends the statement shown on the account page (its dates travel as hidden fields)."""

    submit_label = "Send this statement"
    submit_name = "send_statement"

    date_from = forms.DateField(widget=forms.HiddenInput)
    date_to = forms.DateField(widget=forms.HiddenInput)
    send_by = forms.ChoiceField(
        label="How should the tenants get it?",
        choices=list(SEND_BY.items()),
        widget=forms.RadioSelect,
        initial="post",
        error_messages={"required": "Choose post or email"},
    )


def _account(request, payment_reference: str, kind: str) -> Account:
    """The account, or 404 when there is none or its tenancy is outside the user's scope (tenancies.scoping)."""
    if kind not in AccountKind.values:
        raise Http404("No such account.")
    return get_object_or_404(
        scoped(Account.objects.select_related("tenancy__property"), request.user, "tenancy__"),
        tenancy__payment_reference=payment_reference.upper(),
        kind=kind,
    )


def _running_rows(account: Account, filters: dict, limit: int | None, offset: int):
    """The account's lines newest first, each with the account's running balance after it (one query).

    The running sum is taken over every line of the account before the filters apply, so a filtered view still shows
    the true balance at each line.
    """
    table = Transaction._meta.db_table
    where, params = ["account_id = %s"], [account.pk]
    outer, outer_params = [], []
    if filters.get("date_from"):
        outer.append("effective_date >= %s")
        outer_params.append(filters["date_from"])
    if filters.get("date_to"):
        outer.append("effective_date <= %s")
        outer_params.append(filters["date_to"])
    if filters.get("transaction_type"):
        outer.append("transaction_type = %s")
        outer_params.append(filters["transaction_type"])
    sql = (
        f"SELECT * FROM (SELECT t.*, SUM(t.amount) OVER (ORDER BY t.effective_date, t.id) AS running "  # noqa: S608
        f"FROM {table} AS t WHERE {' AND '.join(where)}) AS x "
        f"{'WHERE ' + ' AND '.join(outer) if outer else ''} ORDER BY effective_date DESC, id DESC"
    )
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        outer_params += [limit, offset]
    for row in Transaction.objects.raw(sql, params + outer_params):
        # SQLite sums as floating point: round back to pence (PostgreSQL returns exact NUMERIC).
        row.running = money_from_sum(row.running)
        yield row


def _filtered_count(account: Account, filters: dict) -> int:
    rows = account.transactions.all()
    if filters.get("date_from"):
        rows = rows.filter(effective_date__gte=filters["date_from"])
    if filters.get("date_to"):
        rows = rows.filter(effective_date__lte=filters["date_to"])
    if filters.get("transaction_type"):
        rows = rows.filter(transaction_type=filters["transaction_type"])
    return rows.count()


class _CountedRows:
    """Lets Paginator page through the raw query with a separate COUNT."""

    def __init__(self, account, filters):
        self.account, self.filters = account, filters

    def count(self):
        return _filtered_count(self.account, self.filters)

    def __getitem__(self, page_slice: slice):
        return list(_running_rows(self.account, self.filters, page_slice.stop - page_slice.start, page_slice.start))


@permission_required("rentaccounts.view_transaction", raise_exception=True)
def account_detail(request, payment_reference, kind=AccountKind.RENT):
    return _account_page(request, _account(request, payment_reference, kind))


def _account_page(request, account: Account, send_form: "StatementSendForm | None" = None):
    """The account page; `send_form` is the statement form sent back with its errors."""
    form = AccountFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(_CountedRows(account, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    statement_from = filters.get("date_from") or today - timedelta(weeks=13)
    statement_to = filters.get("date_to") or today
    statement = account_statement(account=account, date_from=statement_from, date_to=statement_to)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "account": account,
        "tenancy": account.tenancy,
        "form": form,
        "page": page,
        "statement": statement,
        # Staff words on the staff page; the tenant's statement PDF says "Your payments".
        "statement_totals": [(STAFF_GROUP_NAMES.get(group, group), total) for group, total in statement.totals.items()],
        "query": query.urlencode(),
        "summary": account_summary(tenancy=account.tenancy),
        "debts": tenancy_debts(tenancy=account.tenancy),  # each account's balance and invoices (_debts_panel.html)
        "send_form": send_form or StatementSendForm(initial={"date_from": statement_from, "date_to": statement_to}),
    }
    return render(request, "rentaccounts/account.html", context)


@require_POST
@permission_required(("rentaccounts.view_transaction", "documents.add_document"), raise_exception=True)
def statement_send_view(request, payment_reference, kind=AccountKind.RENT):
    """Makes the statement for the dates on the page and posts or emails it; back to the page with what happened."""
    account = _account(request, payment_reference, kind)
    form = StatementSendForm(request.POST)
    back = reverse("accounts:detail_kind", args=[account.tenancy.payment_reference, account.kind])
    if not form.is_valid():
        return _account_page(request, account, send_form=form)
    dates = {"date_from": form.cleaned_data["date_from"], "date_to": form.cleaned_data["date_to"]}
    try:
        document = statement_send(account=account, send_by=form.cleaned_data["send_by"], made_by=request.user, **dates)
    except ValidationError as error:
        messages.error(request, f"The statement was not sent. {error.messages[0]}")
    else:
        what = {
            "to_print": "It will be posted: it is in the next print batch.",
            "emailed": document.delivery_note + ".",
            "failed": document.delivery_note,
        }[document.delivery_state]
        messages.success(request, f"The statement ({document.pages} pages) is made and kept with the tenancy. {what}")
    # Back to the same dates (the filter's day, month and year boxes).
    query = "&".join(
        f"{name}_{n}={getattr(value, part)}"
        for name, value in dates.items()
        for n, part in enumerate(("day", "month", "year"))
    )
    return redirect(f"{back}?{query}")


class _Echo:
    def write(self, value):
        return value


@permission_required("rentaccounts.view_transaction", raise_exception=True)
def account_export(request, payment_reference, kind=AccountKind.RENT):
    account = _account(request, payment_reference, kind)
    form = AccountFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    writer = SafeCsvWriter(_Echo())

    def rows():
        yield writer.writerow(["date", "type", "method", "description", "reference", "amount", "balance", "posted_at"])
        for line in _running_rows(account, filters, None, 0):
            yield writer.writerow(
                [
                    line.effective_date.isoformat(),
                    line.get_transaction_type_display(),
                    line.get_payment_method_display() if line.payment_method else "",
                    line.description,
                    line.external_reference,
                    str(line.amount),
                    str(line.running),
                    line.posted_at.isoformat(),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"{account.tenancy.payment_reference}-{account.kind}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
