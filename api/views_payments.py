"""POST /api/v1/payments/: a payment provider posts payments the way a payment file is posted (docs/api.md).

Every payment is checked first; one problem anywhere and nothing is posted. Then the payments become a generic CSV
file and go through the payment import itself (`import_batch_create`, `import_batch_process`), so the ledger, the
suspense queue, the re-review and the rule that a transaction id is posted once are the file's. The answer gives each
payment's outcome, read back from the batch's ledger lines and suspense items.
"""

import csv
import io

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from incomeapp.money import ZERO
from rentaccounts.constants import AccountKind, ImportStatus
from rentaccounts.imports.services import import_batch_create, import_batch_process
from rentaccounts.models import ImportBatch, SuspenseItem, Transaction

from .constants import Scope
from .idempotency import idempotent
from .problems import Problem
from .schema import ProblemSerializer
from .serializers_payments import PaymentsIn, PaymentsPostedOut
from .views_base import ApiView

FORMAT = "generic-csv"
# The file's columns: the generic format's, and the request it came from (kept with a suspense item's line, and it
# makes each request's file its own, so the same payments sent again under a new key are "already posted", not
# refused as a file already imported).
COLUMNS = ("payment_reference", "date", "amount", "method", "transaction_id", "api_request")
FIRST_ROW = 2  # the header is line 1
ALREADY_POSTED = "Already posted (same transaction_id): it was not posted again."
NOT_POSTED = "It was not posted. Ask the landlord's income team to look at the import batch."
IMPORT_FAILED = (
    "The payments could not be posted because of a fault on our side; nothing was posted. Send the same request "
    "again with the same Idempotency-Key."
)


def payments_file(payments: list[dict], request_label: str) -> bytes:
    """The payments as a generic CSV payment file, one line each, in request order (line n + 2 is payment n)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for payment in payments:
        writer.writerow(
            [
                payment["payment_reference"],
                payment["date"].isoformat(),
                f"{payment['amount']:.2f}",
                payment.get("method", ""),
                payment["transaction_id"],
                request_label,
            ]
        )
    return out.getvalue().encode("utf-8")


def _line(transaction: Transaction) -> dict:
    return {
        "id": transaction.pk,
        "account_id": transaction.account_id,
        "account_kind": transaction.account.kind,
        "amount": f"{transaction.amount:.2f}",
        "effective_date": transaction.effective_date.isoformat(),
    }


def _ledger_keys(transaction_id: str) -> list[str]:
    """Every ledger key a file line with this id can have: its own, and its split legs' (`<key>:<account kind>`)."""
    key = f"import:{FORMAT}:{transaction_id}"
    return [key, *(f"{key}:{kind}" for kind in AccountKind.values)]


def payments_outcomes(batch: ImportBatch, payments: list[dict]) -> dict:
    """Each payment's outcome, read from what the batch did: its ledger lines, then its suspense items, then the
    ledger lines an earlier posting of the same transaction id made."""
    posted: dict[str, list[Transaction]] = {}
    ours = Transaction.objects.filter(import_batch=batch, idempotency_key__startswith=f"import:{FORMAT}:")
    for line in ours.select_related("account").order_by("id"):
        posted.setdefault(line.external_reference, []).append(line)
    held = {item.row_number: item for item in SuspenseItem.objects.filter(batch=batch)}
    others = [p["transaction_id"] for p in payments if p["transaction_id"] not in posted]
    earlier: dict[str, list[Transaction]] = {}
    keys = [key for transaction_id in others for key in _ledger_keys(transaction_id)]
    for line in Transaction.objects.filter(idempotency_key__in=keys).select_related("account").order_by("id"):
        earlier.setdefault(line.external_reference, []).append(line)

    outcomes, totals = [], {"posted": 0, "suspense": 0, "already_posted": 0, "rejected": 0}
    posted_amount = suspense_amount = ZERO
    for index, payment in enumerate(payments):
        transaction_id = payment["transaction_id"]
        outcome = {
            "transaction_id": transaction_id,
            "payment_reference": payment["payment_reference"].upper(),
            "amount": f"{payment['amount']:.2f}",
            "reason": "",
            "transactions": [],
            "suspense_item_id": None,
        }
        item = held.get(FIRST_ROW + index)
        if transaction_id in posted:
            outcome["outcome"] = "posted"
            outcome["transactions"] = [_line(line) for line in posted[transaction_id]]
            posted_amount += payment["amount"]
        elif item is not None:
            outcome.update(outcome="suspense", reason=item.reason, suspense_item_id=item.pk)
            suspense_amount += payment["amount"]
        elif transaction_id in earlier:
            outcome.update(outcome="already_posted", reason=ALREADY_POSTED)
            outcome["transactions"] = [_line(line) for line in earlier[transaction_id]]
        else:
            outcome.update(outcome="rejected", reason=NOT_POSTED)
        totals[outcome["outcome"]] += 1
        outcomes.append(outcome)
    return {
        "batch_id": batch.pk,
        "payments": outcomes,
        "totals": {
            "payments": len(payments),
            "posted": totals["posted"],
            "posted_amount": f"{posted_amount:.2f}",
            "suspense": totals["suspense"],
            "suspense_amount": f"{suspense_amount:.2f}",
            "already_posted": totals["already_posted"],
            "rejected": totals["rejected"],
        },
    }


class PaymentsView(ApiView):
    scopes = {"POST": Scope.PAYMENTS_WRITE}
    idempotency_required = True

    @extend_schema(
        operation_id="payments_post",
        summary="Post payments (1 to 1,000)",
        description="Every payment is checked first: if any has a problem, the answer is a 400 problem naming each "
        "(`/payments/3/amount`) and nothing is posted. Otherwise they are posted as a payment file would be: a "
        "payment whose reference no tenancy has is held in suspense with the reason, and a transaction_id posted "
        "before is never posted again. Needs the payments:write scope and an Idempotency-Key.",
        request=PaymentsIn,
        responses={
            201: PaymentsPostedOut,
            503: OpenApiResponse(
                response=ProblemSerializer, description="A fault on our side stopped the posting; nothing was posted."
            ),
        },
        examples=[
            OpenApiExample(
                "Two payments",
                request_only=True,
                value={
                    "payments": [
                        {
                            "payment_reference": "RW000001",
                            "amount": "100.00",
                            "date": "2026-11-23",
                            "method": "dd",
                            "transaction_id": "BANK-20261123-0001",
                        },
                        {
                            "payment_reference": "RW000002",
                            "amount": "45.50",
                            "date": "2026-11-23",
                            "method": "card",
                            "transaction_id": "CARD-88812",
                        },
                    ]
                },
            )
        ],
        tags=["payments"],
    )
    def post(self, request):
        def work() -> Response:
            given = PaymentsIn(data=request.data)
            given.is_valid(raise_exception=True)
            payments = given.validated_data["payments"]
            key = request.headers["Idempotency-Key"].strip()
            label = f"API {request.auth.name} {key}"
            batch = import_batch_create(
                file_name=label, content=payments_file(payments, label), format=FORMAT, uploaded_by=request.user
            )
            batch = import_batch_process(batch_id=batch.pk)
            if batch.status != ImportStatus.COMPLETED:
                # Raised, so the request's transaction (and whatever the batch had done) is rolled back.
                raise Problem(status_code=503, slug="payments-not-posted", title="Nothing was posted",
                              detail=IMPORT_FAILED)  # fmt: skip
            return Response(payments_outcomes(batch, payments), status=status.HTTP_201_CREATED)

        return idempotent(request, work)
