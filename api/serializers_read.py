"""What the read API returns (docs/api.md): tenancies, accounts, the ledger, arrears cases, agreements, notices.

Money is a string with two decimal places ("12.50"). Codes (status, tenure, type...) are the values Rentwise keeps; each
field's help says where the list of values is. Vulnerability and health notes, and Breathing Space, are in the answer
only for a client with the sensitive:read scope: without it the fields are left out, not blanked.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from arrears.constants import (
    AgreementFrequency,
    AgreementState,
    AgreementType,
    BreathingSpaceKind,
    CaseStatus,
    Ladder,
)
from courts.constants import CourtOutcome, NoticeType, ServiceMethod
from rentaccounts.constants import AccountKind, TransactionType
from tenancies.constants import (
    ChargeType,
    ContactChannel,
    PaymentMethod,
    RentPeriod,
    TenancyStatus,
    TenureType,
    WeeksBasis,
)

from .constants import Scope


def _codes(choices) -> str:
    return "One of: " + ", ".join(choices.values) + "."


def Money(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def can_see_sensitive(context: dict) -> bool:
    request = context.get("request")
    client = getattr(request, "auth", None)
    return client is not None and hasattr(client, "has_scope") and client.has_scope(Scope.SENSITIVE_READ)


class SensitiveFieldsMixin:
    """Leaves `sensitive_fields` out of the answer unless the client has sensitive:read. They are declared
    `required=False` so the schema says they may be absent."""

    sensitive_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not can_see_sensitive(self.context):
            for name in self.sensitive_fields:
                data.pop(name, None)
        return data


# ---- tenancies -------------------------------------------------------------------------------------------------------


class TenancyReadPropertySerializer(serializers.Serializer):
    source_reference = serializers.CharField(help_text="The home's key in the housing management system.")
    uprn = serializers.CharField(help_text="Unique Property Reference Number, when known.")
    address_lines = serializers.ListField(child=serializers.CharField(), help_text="Unit, street, town, postcode.")
    postcode = serializers.CharField()


class TenancyReadTenantSerializer(SensitiveFieldsMixin, serializers.Serializer):
    sensitive_fields = ("vulnerability_notes", "health_notes")

    source_reference = serializers.CharField(source="person.source_reference")
    title = serializers.CharField(source="person.title")
    first_name = serializers.CharField(source="person.first_name")
    last_name = serializers.CharField(source="person.last_name")
    is_lead = serializers.BooleanField(help_text="The lead tenant: named first on letters.")
    joined_on = serializers.DateField(allow_null=True, help_text="When they became a named tenant, if after the start.")
    email = serializers.CharField(source="person.email")
    phone = serializers.CharField(source="person.phone")
    mobile = serializers.CharField(source="person.mobile")
    preferred_contact = serializers.CharField(source="person.preferred_contact", help_text=_codes(ContactChannel))
    texts_allowed = serializers.BooleanField(source="person.texts_allowed", help_text="Agreed to text messages.")
    emails_allowed = serializers.BooleanField(source="person.emails_allowed", help_text="Agreed to emails.")
    vulnerability_notes = serializers.CharField(
        source="person.vulnerability_notes", required=False, help_text="Only with the sensitive:read scope."
    )
    health_notes = serializers.CharField(
        source="person.health_notes", required=False, help_text="Only with the sensitive:read scope."
    )


class TenancyReadChargeSerializer(serializers.Serializer):
    charge_type = serializers.CharField(help_text=_codes(ChargeType))
    amount = Money(help_text="Due each rent period of the tenancy (see `per`).")
    per = serializers.SerializerMethodField(help_text="The rent period the amount is due for: " + _codes(RentPeriod))
    counts_as_rent = serializers.BooleanField(help_text="Rent for arrears and possession purposes.")
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True, help_text="The last day this amount applies; null: open.")

    def get_per(self, charge) -> str:
        return charge.tenancy.rent_period


class TenancyReadWeeklyRentSerializer(serializers.Serializer):
    rent = Money(help_text="The charges that count as rent, as a weekly figure.")
    gross = Money(help_text="Every charge in effect, as a weekly figure.")


class TenancyReadSerializer(serializers.Serializer):
    payment_reference = serializers.CharField()
    source_reference = serializers.CharField(help_text="The tenancy's key in the housing management system.")
    status = serializers.CharField(help_text=_codes(TenancyStatus))
    tenure_type = serializers.CharField(help_text=_codes(TenureType))
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="The last day of the tenancy; null while it runs.")
    rent_period = serializers.CharField(help_text=_codes(RentPeriod))
    payment_method = serializers.CharField(help_text=_codes(PaymentMethod))
    property = TenancyReadPropertySerializer()
    tenants = TenancyReadTenantSerializer(source="tenancy_tenants.all", many=True, help_text="Lead tenant first.")
    charges = TenancyReadChargeSerializer(source="charges.all", many=True, help_text="Newest first.")
    weekly_rent_today = serializers.SerializerMethodField(help_text="The charges in effect today, made weekly.")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(TenancyReadWeeklyRentSerializer)
    def get_weekly_rent_today(self, tenancy) -> dict:
        weekly = self.context.get("weekly_rent", {}).get(tenancy.pk)
        return TenancyReadWeeklyRentSerializer(
            {"rent": weekly.rent, "gross": weekly.gross} if weekly else {"rent": "0.00", "gross": "0.00"}
        ).data


# ---- accounts and the ledger -----------------------------------------------------------------------------------------


class AccountReadArrearsSerializer(serializers.Serializer):
    weekly_rent = Money(help_text="A week's rent on the tenancy's weeks basis, today.")
    weeks = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        allow_null=True,
        coerce_to_string=True,
        help_text="The balance as weeks of `weekly_rent`, to one place: the figure the account page shows. Null for "
        "an account that is not the rent account, one not owing, or a tenancy with nothing charged.",
    )
    basis = serializers.CharField(help_text=_codes(WeeksBasis))
    basis_label = serializers.CharField(help_text='What the weeks count, in words: "weeks of rent".')


class AccountReadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_codes(AccountKind))
    payment_reference = serializers.CharField(source="tenancy.payment_reference")
    balance = Money(help_text="Positive: owed. Negative: in credit.")
    arrears = serializers.SerializerMethodField()
    ledger = serializers.SerializerMethodField(help_text="The address of this account's transactions.")

    @extend_schema_field(AccountReadArrearsSerializer)
    def get_arrears(self, account) -> dict:
        return AccountReadArrearsSerializer(self.context["weeks"][account.pk]).data

    def get_ledger(self, account) -> str:
        path = f"{reverse('api:transaction-list')}?account={account.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class TransactionReadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    account_kind = serializers.CharField(source="account.kind", help_text=_codes(AccountKind))
    payment_reference = serializers.CharField(source="account.tenancy.payment_reference")
    type = serializers.CharField(source="transaction_type", help_text=_codes(TransactionType))
    payment_method = serializers.CharField(help_text="For payments: " + _codes(PaymentMethod) + " Else blank.")
    amount = Money(help_text="As stored: positive is a debit (adds to what is owed), negative is a credit.")
    effective_date = serializers.DateField()
    period_start = serializers.DateField(allow_null=True, help_text="Rent and benefit: the period covered.")
    period_end = serializers.DateField(allow_null=True)
    posted_at = serializers.DateTimeField()
    description = serializers.CharField()
    reverses = serializers.IntegerField(
        source="reverses_id", allow_null=True, help_text="A reversal: the id of the transaction it reverses."
    )
    external_reference = serializers.CharField(help_text="The payer's or provider's own reference.")


# ---- arrears cases ---------------------------------------------------------------------------------------------------


class CaseReadRecommendationSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="The policy's code for the step, e.g. send_letter_1.")
    label = serializers.CharField(help_text="The step in words.")
    mode = serializers.CharField(help_text="How it is carried out: auto, officer or approval.")
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why, in plain English, with the figures compared."
    )
    blocked_by = serializers.ListField(child=serializers.CharField(), help_text="What held a further step back.")
    balance = Money()
    arrears_weeks = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=True)
    weeks_basis = serializers.CharField(help_text=_codes(WeeksBasis))
    reviewed_on = serializers.DateField(source="run.as_of", help_text="The date of the review that made it.")


class CaseReadBreathingSpaceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_codes(BreathingSpaceKind))
    starts_on = serializers.DateField()
    expected_end_on = serializers.DateField(allow_null=True, help_text="Standard: 60 days after the start.")
    ends_on = serializers.DateField(
        allow_null=True, help_text="The last day it protects; null while a crisis moratorium has no end yet."
    )


@extend_schema_field(CaseReadBreathingSpaceSerializer(allow_null=True))
class BreathingSpaceInForceField(serializers.Field):
    """The case's tenancy's moratorium in force today (from the prefetched Breathing Spaces), or None. Not read-only
    only so that the schema may say it is absent: nothing is ever written through it."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, allow_null=True, **kwargs)

    def to_representation(self, case):
        if not can_see_sensitive(self.context):
            return None  # left out of the answer (SensitiveFieldsMixin)
        today = self.context["today"]
        spaces = list(case.account.tenancy.breathing_spaces.all())
        space = next((s for s in reversed(spaces) if s.covers(today)), None)
        return CaseReadBreathingSpaceSerializer(space).data if space is not None else None


class CaseReadSerializer(SensitiveFieldsMixin, serializers.Serializer):
    sensitive_fields = ("breathing_space",)

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=_codes(CaseStatus))
    ladder = serializers.CharField(help_text=_codes(Ladder))
    payment_reference = serializers.CharField(source="account.tenancy.payment_reference")
    account = serializers.IntegerField(source="account_id")
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    officer = serializers.SerializerMethodField(help_text="The officer's name; null when none is assigned.")
    balance = Money(source="account.balance")
    nosp_served_on = serializers.DateField(allow_null=True)
    nosp_expires_on = serializers.DateField(allow_null=True, help_text="When the notice lapses.")
    court_date = serializers.DateField(allow_null=True)
    court_outcome = serializers.CharField(help_text="Blank, or " + _codes(CourtOutcome))
    eviction_date = serializers.DateField(allow_null=True)
    latest_recommendation = CaseReadRecommendationSerializer(allow_null=True)
    breathing_space = BreathingSpaceInForceField(
        help_text="Only with the sensitive:read scope (left out without it): the moratorium in force today, or null."
    )

    def get_officer(self, case) -> str | None:
        if case.officer is None:
            return None
        return case.officer.get_full_name() or case.officer.get_username()


# ---- agreements ------------------------------------------------------------------------------------------------------


class AgreementReadStateChangeSerializer(serializers.Serializer):
    state = serializers.CharField(help_text=_codes(AgreementState))
    on = serializers.DateField()
    balance = Money(help_text="The balance on the day.")
    expected_balance = Money(help_text="What the balance would have been had the agreement been kept.")
    note = serializers.CharField(help_text='In words, e.g. "Breached by £12.50".')


class AgreementReadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    payment_reference = serializers.CharField(source="case.account.tenancy.payment_reference")
    type = serializers.CharField(source="agreement_type", help_text=_codes(AgreementType))
    frequency = serializers.CharField(help_text=_codes(AgreementFrequency))
    amount = Money(help_text="Paid towards the arrears each time, on top of the rent.")
    starts_on = serializers.DateField()
    first_payment_due_on = serializers.DateField()
    starting_balance = Money()
    state = serializers.CharField(help_text=_codes(AgreementState))
    terms = serializers.CharField(help_text="A court order's conditions as the court wrote them; else blank.")
    state_changes = AgreementReadStateChangeSerializer(source="state_changes.all", many=True, help_text="Oldest first.")


# ---- notices and the court stage -------------------------------------------------------------------------------------


class NoticeReadHearingSerializer(serializers.Serializer):
    hearing_on = serializers.DateField()
    outcome = serializers.CharField(help_text="Blank until recorded, then " + _codes(CourtOutcome))
    possession_on = serializers.DateField(allow_null=True, help_text="The date for possession in the order.")
    terms_amount = Money(allow_null=True, help_text="Paid towards the arrears each week, on top of rent.")
    terms = serializers.CharField(help_text="The order's conditions as the court wrote them.")
    terms_first_payment_on = serializers.DateField(allow_null=True)
    date_fixed_on = serializers.DateField(allow_null=True, help_text="After a postponed order was broken.")


class NoticeReadLegalCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="One of: preparing, approved, closed.")
    claim_issued_on = serializers.DateField(allow_null=True)
    court_name = serializers.CharField()
    claim_number = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    closed_reason = serializers.CharField()
    hearings = NoticeReadHearingSerializer(source="hearings.all", many=True, help_text="Oldest first.")


class NoticeReadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    payment_reference = serializers.CharField(source="tenancy.payment_reference")
    label = serializers.CharField(help_text="What staff call it, e.g. NOSP.")
    notice_type = serializers.CharField(help_text=_codes(NoticeType))
    served_on = serializers.DateField()
    method = serializers.CharField(help_text=_codes(ServiceMethod))
    deemed_served_on = serializers.DateField()
    earliest_proceedings_on = serializers.DateField()
    lapses_on = serializers.DateField(allow_null=True)
    rent_arrears = Money(help_text="Rent lawfully due and unpaid on the date of service.")
    voided_on = serializers.DateField(allow_null=True, help_text="When the notice was found to be void.")
    void_reason = serializers.CharField()
    legal_cases = NoticeReadLegalCaseSerializer(
        source="legal_cases.all", many=True, help_text="The court stage: possession claims on this notice."
    )
