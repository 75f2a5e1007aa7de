"""The read API (docs/api.md): tenancies, accounts, the ledger, arrears cases, agreements, notices and the court stage.

Every list is cursor-paginated by id, so it is stable while rows are added and a nightly pull resumes from `next`. A
filter value that cannot be read is a 400 problem; an unknown reference or id is a 404 problem. API clients see every
tenancy (their service users have no staff scope), but the lists go through `tenancies.scoping` as the staff pages do,
so a scope given to a client's user would hold here too.
"""

from abc import ABC, abstractmethod

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from arrears.constants import AgreementState, CaseStatus, Ladder
from arrears.models import Agreement, AgreementStateChange, ArrearsCase
from courts.models import Hearing, LegalCase, Notice
from incomeapp.replica import replica_reads
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import accounts_weeks_in_arrears
from tenancies.constants import TenancyStatus
from tenancies.models import Charge, Tenancy, TenancyTenant
from tenancies.references import payment_reference_normalise
from tenancies.scoping import scoped
from tenancies.selectors import weekly_rent

from .constants import Scope
from .filters import MAX_ID, QueryFilters
from .serializers_read import (
    AccountReadSerializer,
    AgreementReadSerializer,
    CaseReadSerializer,
    NoticeReadSerializer,
    TenancyReadSerializer,
    TransactionReadSerializer,
    can_see_sensitive,
)
from .views_base import ApiDetailView, ApiListView


def _parameter(name: str, description: str, kind=OpenApiTypes.STR, enum=None) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


PAYMENT_REFERENCE = _parameter("payment_reference", "Only this tenancy's, e.g. RW00000018 (any case, spaces ignored).")
ID_IN_PATH = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
STATUS_CODE = _parameter("status", "Only those with this status.")


def _reference(filters: QueryFilters) -> str | None:
    value = filters.text("payment_reference", max_length=30)
    return payment_reference_normalise(value) if value else None


class ReadListView(ApiListView, ABC):
    """A list: `filtered()` reads the query with QueryFilters and narrows the queryset; `page_context()` adds what the
    serializer needs for the page (figures worked out for the page's rows at once, not row by row)."""

    model = None
    tenancy_path = ""

    @abstractmethod
    def base_queryset(self):
        """Every row the list may show, before its filters."""

    def filtered(self, queryset, filters: QueryFilters):
        return queryset

    def page_context(self, page: list) -> dict:
        return {}

    def for_payment_reference(self, queryset, filters: QueryFilters):
        """Only the rows of the tenancy named by `?payment_reference=`, reached through `tenancy_path`."""
        if reference := _reference(filters):
            queryset = queryset.filter(**{f"{self.tenancy_path}payment_reference": reference})
        return queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        filters = QueryFilters(self.request)
        queryset = self.filtered(scoped(self.base_queryset(), self.request.user, self.tenancy_path), filters)
        filters.raise_if_bad()
        return queryset

    def list(self, request, *args, **kwargs):
        with replica_reads():  # the key and its scopes were read from the primary
            page = self.paginate_queryset(self.get_queryset())
            context = {**self.get_serializer_context(), "today": timezone.localdate(), **self.page_context(page)}
            return self.get_paginator_response(self.get_serializer(page, many=True, context=context).data)

    def get_paginator_response(self, data):
        return self.paginator.get_paginated_response(data)


class ReadDetailView(ApiDetailView, ABC):
    """One row by its natural key; an unknown key is a 404 problem."""

    list_view: type[ReadListView]
    not_found = "There is nothing with that id."

    def get_queryset(self):  # for the schema only: retrieve() reads through the list's queryset
        return self.list_view.model.objects.none()

    @abstractmethod
    def found(self, queryset, key):
        """The row with this key in `queryset`, or None."""

    def retrieve(self, request, *args, **kwargs):
        lister = self.list_view(request=request, format_kwarg=None, kwargs={})
        with replica_reads():
            queryset = scoped(lister.base_queryset(), request.user, lister.tenancy_path)
            row = self.found(queryset, kwargs[self.lookup_url_kwarg])
            if row is None:
                raise Http404(self.not_found)
            context = {**self.get_serializer_context(), "today": timezone.localdate(), **lister.page_context([row])}
            return Response(self.get_serializer(row, context=context).data)


class ReadByIdDetailView(ReadDetailView):
    """One row by its id (`/<int:id>/`); an id out of range is simply not found."""

    lookup_url_kwarg = "id"

    def found(self, queryset, key):
        return queryset.filter(pk=key).first() if 0 < key <= MAX_ID else None


# ---- tenancies -------------------------------------------------------------------------------------------------------


@extend_schema(
    summary="List tenancies, with their named tenants and charges",
    description="Vulnerability and health notes are included only for a client with the sensitive:read scope. "
    "`updated_since` is the tenancy record's own change time (its status, dates, tenure, payment method); a change "
    "to a tenant's details or a charge does not move it.",
    parameters=[
        _parameter("status", "Only current or former tenancies.", enum=TenancyStatus.values),
        PAYMENT_REFERENCE,
        _parameter(
            "updated_since", "Only tenancies changed at or after this ISO 8601 time.", kind=OpenApiTypes.DATETIME
        ),
    ],
)
class TenancyList(ReadListView):
    scopes = {"GET": Scope.TENANCIES_READ}
    serializer_class = TenancyReadSerializer
    model = Tenancy

    def base_queryset(self):
        return Tenancy.objects.select_related("property").prefetch_related(
            Prefetch("tenancy_tenants", queryset=TenancyTenant.objects.select_related("person")),
            Prefetch("charges", queryset=Charge.objects.order_by("-effective_from", "charge_type", "id")),
        )

    def filtered(self, queryset, filters):
        if status := filters.choice("status", TenancyStatus.values):
            queryset = queryset.filter(status=status)
        queryset = self.for_payment_reference(queryset, filters)
        if since := filters.moment("updated_since"):
            queryset = queryset.filter(updated_at__gte=since)
        return queryset

    def page_context(self, page):
        return {"weekly_rent": weekly_rent(tenancy_ids=[t.pk for t in page], on=timezone.localdate())}


@extend_schema(
    summary="One tenancy, by its payment reference",
    parameters=[OpenApiParameter("payment_reference", OpenApiTypes.STR, OpenApiParameter.PATH)],
)
class TenancyDetail(ReadDetailView):
    scopes = {"GET": Scope.TENANCIES_READ}
    serializer_class = TenancyReadSerializer
    list_view = TenancyList
    lookup_url_kwarg = "payment_reference"
    not_found = "No tenancy has that payment reference. Check it, or find it with GET /api/v1/tenancies/."

    def found(self, queryset, key):
        if "\x00" in key or len(key) > 100:
            return None
        return queryset.filter(payment_reference=payment_reference_normalise(key)).first()


# ---- accounts --------------------------------------------------------------------------------------------------------


@extend_schema(
    summary="List rent and other accounts, with balances and arrears in weeks",
    description="`arrears.weeks` is the figure the account page shows: the rent account's balance as weeks of the "
    "tenancy's weekly rent on its arrears policy's basis (`arrears.basis_label`).",
    parameters=[
        PAYMENT_REFERENCE,
        _parameter("kind", "Only accounts of this kind.", enum=AccountKind.values),
    ],
)
class AccountList(ReadListView):
    scopes = {"GET": Scope.ACCOUNTS_READ}
    serializer_class = AccountReadSerializer
    model = Account
    tenancy_path = "tenancy__"

    def base_queryset(self):
        return Account.objects.select_related("tenancy")

    def filtered(self, queryset, filters):
        queryset = self.for_payment_reference(queryset, filters)
        if kind := filters.choice("kind", AccountKind.values):
            queryset = queryset.filter(kind=kind)
        return queryset

    def page_context(self, page):
        return {"weeks": accounts_weeks_in_arrears(accounts=page, on=timezone.localdate())}


@extend_schema(
    summary="One account, by its id",
    parameters=[ID_IN_PATH],
)
class AccountDetail(ReadByIdDetailView):
    scopes = {"GET": Scope.ACCOUNTS_READ}
    serializer_class = AccountReadSerializer
    list_view = AccountList
    not_found = "No account has that id. Find accounts with GET /api/v1/accounts/?payment_reference=..."


# ---- the ledger ------------------------------------------------------------------------------------------------------


@extend_schema(
    summary="The ledger: transactions, oldest first, for a nightly pull",
    description="In id order (the order they were posted). Keep the `next` address of the last page you read and "
    "start there next time: you get only what was posted since, each transaction once. Amounts are as stored: "
    "positive is a debit (adds to what is owed), negative a credit (a payment, benefit, credit adjustment). A mistake "
    "is never edited: it is corrected by a reversal whose `reverses` is the id it cancels.",
    parameters=[
        _parameter("account", "Only this account's (its id).", kind=OpenApiTypes.INT),
        PAYMENT_REFERENCE,
        _parameter("type", "Only this type of transaction.", enum=TransactionType.values),
        _parameter("effective_from", "Only those effective on or after this date.", kind=OpenApiTypes.DATE),
        _parameter("effective_to", "Only those effective on or before this date.", kind=OpenApiTypes.DATE),
        _parameter("posted_after", "Only those posted after this ISO 8601 time.", kind=OpenApiTypes.DATETIME),
    ],
)
class TransactionList(ReadListView):
    scopes = {"GET": Scope.ACCOUNTS_READ}
    serializer_class = TransactionReadSerializer
    model = Transaction
    tenancy_path = "account__tenancy__"

    def base_queryset(self):
        return Transaction.objects.select_related("account__tenancy")

    def filtered(self, queryset, filters):
        if account := filters.integer("account"):
            queryset = queryset.filter(account_id=account)
        queryset = self.for_payment_reference(queryset, filters)
        if kind := filters.choice("type", TransactionType.values):
            queryset = queryset.filter(transaction_type=kind)
        start, end = filters.day("effective_from"), filters.day("effective_to")
        if start and end and end < start:
            filters.errors["effective_to"] = ["effective_to must be on or after effective_from."]
        if start:
            queryset = queryset.filter(effective_date__gte=start)
        if end:
            queryset = queryset.filter(effective_date__lte=end)
        if after := filters.moment("posted_after"):
            queryset = queryset.filter(posted_at__gt=after)
        return queryset


# ---- arrears cases ---------------------------------------------------------------------------------------------------


@extend_schema(
    summary="List arrears cases, each with its latest recommendation and the reasons for it",
    description="`breathing_space` (the moratorium in force today, or null) is included only for a client with the "
    "sensitive:read scope; without it the field is left out.",
    parameters=[
        _parameter("status", "Only open or closed cases.", enum=CaseStatus.values),
        _parameter("ladder", "Only cases on this ladder.", enum=Ladder.values),
        PAYMENT_REFERENCE,
    ],
)
class CaseList(ReadListView):
    scopes = {"GET": Scope.CASES_READ}
    serializer_class = CaseReadSerializer
    model = ArrearsCase
    tenancy_path = "account__tenancy__"

    def base_queryset(self):
        cases = ArrearsCase.objects.select_related("account__tenancy", "officer", "latest_recommendation__run")
        if can_see_sensitive({"request": self.request}):
            cases = cases.prefetch_related("account__tenancy__breathing_spaces")
        return cases

    def filtered(self, queryset, filters):
        if status := filters.choice("status", CaseStatus.values):
            queryset = queryset.filter(status=status)
        if ladder := filters.choice("ladder", Ladder.values):
            queryset = queryset.filter(ladder=ladder)
        queryset = self.for_payment_reference(queryset, filters)
        return queryset


@extend_schema(
    summary="One arrears case, by its id",
    parameters=[ID_IN_PATH],
)
class CaseDetail(ReadByIdDetailView):
    scopes = {"GET": Scope.CASES_READ}
    serializer_class = CaseReadSerializer
    list_view = CaseList
    not_found = "No arrears case has that id. Find cases with GET /api/v1/cases/?payment_reference=..."


# ---- agreements ------------------------------------------------------------------------------------------------------


@extend_schema(
    summary="List agreements to pay, each with its state changes",
    parameters=[
        _parameter("case", "Only this arrears case's (its id).", kind=OpenApiTypes.INT),
        _parameter("state", "Only agreements in this state.", enum=AgreementState.values),
        PAYMENT_REFERENCE,
    ],
)
class AgreementList(ReadListView):
    scopes = {"GET": Scope.CASES_READ}
    serializer_class = AgreementReadSerializer
    model = Agreement
    tenancy_path = "case__account__tenancy__"

    def base_queryset(self):
        return Agreement.objects.select_related("case__account__tenancy").prefetch_related(
            Prefetch("state_changes", queryset=AgreementStateChange.objects.order_by("on", "id"))
        )

    def filtered(self, queryset, filters):
        if case := filters.integer("case"):
            queryset = queryset.filter(case_id=case)
        if state := filters.choice("state", AgreementState.values):
            queryset = queryset.filter(state=state)
        queryset = self.for_payment_reference(queryset, filters)
        return queryset


# ---- notices and the court stage -------------------------------------------------------------------------------------


@extend_schema(
    summary="List possession notices served, each with its court stage",
    description="`legal_cases` are the possession claims made on the notice: their status, the claim, and each "
    "hearing with its outcome and any order's terms.",
    parameters=[
        PAYMENT_REFERENCE,
        _parameter("case", "Only notices on this arrears case's tenancy (the case's id).", kind=OpenApiTypes.INT),
    ],
)
class NoticeList(ReadListView):
    scopes = {"GET": Scope.CASES_READ}
    serializer_class = NoticeReadSerializer
    model = Notice
    tenancy_path = "tenancy__"

    def base_queryset(self):
        hearings = Prefetch("hearings", queryset=Hearing.objects.order_by("hearing_on", "id"))
        legal_cases = LegalCase.objects.order_by("opened_at", "id").prefetch_related(hearings)
        return Notice.objects.select_related("tenancy").prefetch_related(Prefetch("legal_cases", queryset=legal_cases))

    def filtered(self, queryset, filters):
        queryset = self.for_payment_reference(queryset, filters)
        if case := filters.integer("case"):
            queryset = queryset.filter(tenancy__accounts__arrears_cases=case)
        return queryset
