"""POST /api/v1/loads/: the same people and tenancy changes as the onboarding import (docs/onboarding.md), for a
housing management system's sync. Each kind of row in the body becomes the CSV file the import reads, and
`onboarding_load` checks and loads them exactly as it does a file: the same checks, the same services, the same
messages, one transaction, any error and nothing is loaded. Each error points at the row and column of the request.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from lifecycle.onboarding.services import KINDS, SPEC_BY_KIND, SourceFile, onboarding_load, tenancy_load_record
from tenancies.services_people import SENSITIVE_PERMISSION

from .constants import Scope
from .idempotency import HEADER, idempotent
from .problems import Problem, problem_response
from .schema import ProblemSerializer
from .serializers_loads import LoadInSerializer, LoadOutSerializer, rows_csv
from .views_base import ApiView

SENSITIVE_COLUMNS = ("vulnerability_notes", "health_notes")
BUSY_MESSAGE_START = "Another load is running"

EXAMPLE_IN = {
    "people": [
        {
            "source_reference": "P100",
            "first_name": "Amina",
            "last_name": "Hassan",
            "phone": "0117 496 0101",
            "mobile": "07700 900101",
            "texts_allowed": True,
        }
    ],
    "dry_run": False,
}


class _Rows:
    """Where each file's lines came from in the request, to point at them."""

    def __init__(self) -> None:
        self.kind_by_file: dict[str, str] = {}
        self.index_by_line: dict[str, dict[int, int]] = {}

    def pointer(self, error) -> str:
        kind = self.kind_by_file.get(error.file)
        if kind is None:
            return ""
        index = self.index_by_line[kind].get(error.line)
        if index is None:  # the header, or the file as a whole
            return f"/{kind}"
        return f"/{kind}/{index}" + (f"/{error.column}" if error.column else "")

    def problems(self, errors) -> list[dict]:
        found = []
        for error in errors.items:
            item = {"pointer": self.pointer(error), "detail": error.message}
            if error.value:
                item["value"] = error.value
            found.append(item)
        return found


def _sources(data: dict) -> tuple[list[SourceFile], _Rows]:
    sources, rows = [], _Rows()
    for kind in KINDS:
        if not data.get(kind):
            continue
        name = SPEC_BY_KIND[kind].file_name  # the import's own name, so its messages read the same
        content, index_by_line = rows_csv(kind, data[kind])
        sources.append(SourceFile(kind, name, content))
        rows.kind_by_file[name] = kind
        rows.index_by_line[kind] = index_by_line
    return sources, rows


def _sensitive_check(request, data: dict) -> None:
    """Vulnerability and health notes need the sensitive:read scope (the role rules), whether the services or the
    set-based first load would write them."""
    if request.user.has_perm(SENSITIVE_PERMISSION):
        return
    sent = [
        {"pointer": f"/people/{index}/{name}", "detail": f"Setting {name} needs the {Scope.SENSITIVE_READ} scope."}
        for index, row in enumerate(data.get("people") or [])
        for name in SENSITIVE_COLUMNS
        if name in row
    ]
    if sent:
        raise Problem(
            status_code=403, slug="forbidden", title="Not allowed",
            detail=f"This API client does not have the {Scope.SENSITIVE_READ} scope, so it cannot send vulnerability "
            "or health notes. Leave those columns out (Rentwise keeps its own), or ask for the scope to be added.",
            errors=sent[:100],
        )  # fmt: skip


def _busy(report) -> bool:
    return bool(report.errors.items) and all(
        not error.file and error.message.startswith(BUSY_MESSAGE_START) for error in report.errors.items
    )


def _file_name(request, kinds: list[str]) -> str:
    return f"API: {request.auth.name} ({', '.join(kinds)})"


class LoadsView(ApiView):
    scopes = {"POST": Scope.TENANCIES_WRITE}

    @extend_schema(
        operation_id="loads_create",
        summary="Load people and tenancy changes, as the onboarding import does",
        description=(
            "Each key is an onboarding file kind (docs/onboarding.md), a list of rows keyed by that file's columns. "
            "A column left out is left as it is in Rentwise; every row of a kind sends the same columns. Every row "
            "is checked first; one error and nothing is loaded (422, each error pointing at /kind/index/column). "
            "At most 5,000 rows a request: a bigger sync is a file (the Data loads page or import_tenancies). "
            "Vulnerability and health notes need the sensitive:read scope too."
        ),
        tags=["Loads"],
        request=LoadInSerializer,
        parameters=[
            OpenApiParameter(
                HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Your own unique id for this request (a UUID): a repeat returns the first result and "
                "loads nothing.",
            )
        ],
        responses={
            201: OpenApiResponse(LoadOutSerializer, description="Loaded: what was created, updated and unchanged."),
            200: OpenApiResponse(LoadOutSerializer, description="A dry run: what would change; nothing was kept."),
            409: OpenApiResponse(ProblemSerializer, description="Another load is running, or the same key is."),
            422: OpenApiResponse(
                ProblemSerializer, description="The rows were read and refused: each error points at its row."
            ),
        },
        examples=[OpenApiExample("A changed phone number", value=EXAMPLE_IN, request_only=True)],
    )
    def post(self, request):
        serializer = LoadInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _sensitive_check(request, data)
        return idempotent(request, lambda: self._load(request, data))

    def _load(self, request, data: dict) -> Response:
        dry_run = data["dry_run"]
        sources, rows = _sources(data)
        report = onboarding_load(by=request.user, sources=sources, dry_run=dry_run)
        if _busy(report):
            raise Problem(
                status_code=409, slug="load-running", title="Another load is running",
                detail="Another load (a file, the nightly sync or another request) is running. Nothing was loaded. "
                "Wait a minute, then send the request again with the same Idempotency-Key.",
            )  # fmt: skip
        # Kept as the command keeps a load, refused or not, for the Data loads page (a dry run keeps nothing). The work
        # is idempotent()'s transaction: a refusal returned (not raised) keeps this record and rolls nothing else back,
        # as the load itself has already rolled back.
        load = None
        if not dry_run:
            load = tenancy_load_record(by=request.user, file_name=_file_name(request, list(rows.index_by_line)),
                                       report=report)  # fmt: skip
        if not report.ok:
            shown = len(report.errors.items)
            more = f" The first {shown} are listed." if report.errors.count > shown else ""
            return problem_response(
                request, status_code=422, slug="load-refused", title="The rows were refused",
                detail=f"Nothing was loaded: {report.errors.count} error(s) found.{more} Correct each row named in "
                "errors, then send the request again.",
                errors=rows.problems(report.errors),
            )  # fmt: skip
        body = {
            "load_id": load.pk if load else None,
            "status": str(report.status),
            "dry_run": dry_run,
            "rows_read": report.rows_read,
            "counts": report.counts,
            "warning_count": report.warnings.count,
            "warnings": rows.problems(report.warnings),
            "opening_balances": {
                "posted": report.opening_balances_posted,
                "posted_total": f"{report.opening_balances_total:.2f}",
                "total_in_files": f"{report.opening_balances_in_files:.2f}",
            },
            "accounts_to_review": report.accounts_to_review,
        }
        return Response(body, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)
