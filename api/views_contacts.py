"""POST /api/v1/contacts/: a contact from the landlord's CRM goes in the diary of the tenancy's open arrears case,
through the same service as an officer's (`contact_record`), recorded by the client's service user; it asks for the
case's recommendation to be worked out again (docs/api.md)."""

from django.db.models import Case, IntegerField, Value, When
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from arrears.constants import CaseStatus
from arrears.models import ArrearsCase
from arrears.services import contact_record
from rentaccounts.constants import AccountKind
from tenancies.models import Tenancy
from tenancies.selectors_people import person_for_source_reference

from .constants import Scope
from .idempotency import idempotent
from .problems import Problem
from .serializers_contacts import ContactIn, ContactRecordedOut
from .views_base import ApiView


def open_case_for(tenancy: Tenancy) -> ArrearsCase | None:
    """The tenancy's open arrears case: the rent account's if it has one (a CRM's contact is about the rent), else
    the one opened last (a sundry or court costs debt)."""
    rent_first = Case(
        When(account__kind=AccountKind.RENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        ArrearsCase.objects.filter(account__tenancy=tenancy, status=CaseStatus.OPEN)
        .select_related("latest_recommendation")
        .order_by(rent_first, "-opened_on", "-id")
        .first()
    )


def _answer(contact, case: ArrearsCase, tenancy: Tenancy, person_reference: str, user) -> dict:
    case.refresh_from_db(fields=["latest_recommendation"])
    recommendation = case.latest_recommendation
    return {
        "id": contact.pk,
        "case_id": case.pk,
        "payment_reference": tenancy.payment_reference,
        "kind": contact.kind,
        "outcome": contact.outcome,
        "occurred_on": contact.occurred_on.isoformat(),
        "person": person_reference or None,
        "notes": contact.notes,
        "promise_amount": f"{contact.promise_amount:.2f}" if contact.promise_amount is not None else None,
        "promise_on": contact.promise_on.isoformat() if contact.promise_on else None,
        "non_payment_reason": contact.non_payment_reason,
        "recorded_by": user.get_full_name() or user.get_username(),
        "re_review_requested": True,
        "recommendation": (
            {"id": recommendation.pk, "action": recommendation.action, "label": recommendation.label}
            if recommendation is not None
            else None
        ),
    }


class ContactsView(ApiView):
    scopes = {"POST": Scope.CONTACTS_WRITE}
    idempotency_required = True

    @extend_schema(
        operation_id="contacts_post",
        summary="Add a contact to a tenancy's arrears diary",
        description="Records a call, visit, letter, text, email, surgery visit or note from your CRM in the diary of "
        "the tenancy's open arrears case, as an officer would, and asks for the case's recommended next step to be "
        "worked out again. A tenancy with no open case answers 422: contacts go in a case's diary. Needs the "
        "contacts:write scope and an Idempotency-Key.",
        request=ContactIn,
        responses={201: ContactRecordedOut},
        examples=[
            OpenApiExample(
                "A call with a promise to pay",
                request_only=True,
                value={
                    "payment_reference": "RW000001",
                    "kind": "call",
                    "outcome": "spoke",
                    "occurred_on": "2026-11-23",
                    "notes": "Tenant says Universal Credit was late; will pay on Friday.",
                    "person": "HMS-P-10442",
                    "promise_amount": "50.00",
                    "promise_on": "2026-11-27",
                    "non_payment_reason": "benefit_delay",
                },
            )
        ],
        tags=["contacts"],
    )
    def post(self, request):
        def work() -> Response:
            given = ContactIn(data=request.data)
            given.is_valid(raise_exception=True)
            data = given.validated_data
            tenancy = Tenancy.objects.filter(payment_reference=data["payment_reference"]).first()
            if tenancy is None:
                raise serializers.ValidationError(
                    {"payment_reference": [f"No tenancy has the payment reference '{data['payment_reference']}'."]}
                )
            person = None
            if data["person"]:
                person = person_for_source_reference(data["person"])
                if person is None or person not in tenancy.named_tenants():
                    raise serializers.ValidationError(
                        {
                            "person": [
                                f"'{data['person']}' is not the reference of a named tenant of tenancy "
                                f"{tenancy.payment_reference}. Send the source_reference of one of its named "
                                "tenants, or leave person out."
                            ]
                        }
                    )
            case = open_case_for(tenancy)
            if case is None:
                raise Problem(
                    status_code=422, slug="no-open-case", title="No open arrears case",
                    detail=f"There is no open arrears case for tenancy {tenancy.payment_reference}: contacts go in a "
                    "case's diary, and a case is opened by the arrears review when the account owes. Nothing was "
                    "recorded; keep the contact in your own system.",
                )  # fmt: skip
            contact = contact_record(
                case=case,
                kind=data["kind"],
                outcome=data["outcome"],
                occurred_on=data["occurred_on"],
                recorded_by=request.user,
                person=person,
                notes=data["notes"],
                promise_amount=data["promise_amount"],
                promise_on=data["promise_on"],
                non_payment_reason=data.get("non_payment_reason") or "",
            )
            return Response(
                _answer(contact, case, tenancy, data["person"], request.user), status=status.HTTP_201_CREATED
            )

        return idempotent(request, work)
