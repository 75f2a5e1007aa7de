"""The onboarding files: which files there are, in the order they are read and loaded, and each one's columns (the
cell reader of each, whether it is required, its default) and key."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from incomeapp.constants import Jurisdiction
from tenancies.constants import (
    ChargeType,
    ContactChannel,
    EndReason,
    LandlordType,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    SchemeType,
    TenureType,
)
from tenancies.services_homes import MAX_BEDROOMS

from .cells import (
    balance,
    choice,
    email,
    integer,
    mobile,
    multiline,
    payment_reference_cell,
    phone,
    postcode,
    read_date,
    read_monday,
    reference,
    text,
    uprn,
    weekly_charge,
    yes_no,
)

# The files, in the order they are read and loaded (each may refer only to files above it, or to the database).
PROVIDERS = "providers"
SCHEMES = "schemes"
RENT_FREE_WEEKS = "rent_free_weeks"
PATCHES = "patches"
PROPERTIES = "properties"
PROPERTY_CHARGES = "property_charges"
PEOPLE = "people"
TENANCIES = "tenancies"
TENANTS = "tenants"
CHARGES = "charges"
OPENING_BALANCES = "opening_balances"
DIRECT_DEBITS = "direct_debits"

# --- the files ---------------------------------------------------------------------------------------------------

TENURE_ALIASES = {
    "introductory": TenureType.INTRO,
    "introductory tenancy": TenureType.INTRO,
    "assured shorthold": TenureType.AST,
    "starter": TenureType.AST,
    "starter tenancy": TenureType.AST,
    "licence": TenureType.LICENCE,
    "license": TenureType.LICENCE,
    "excluded licence": TenureType.EXCL_LICENCE,
    "flexible": TenureType.FLEXIBLE,
    "fixed term": TenureType.FLEXIBLE,
    "demoted": TenureType.DEMOTED,
    "secure": TenureType.SECURE,
    "assured": TenureType.ASSURED,
}
METHOD_ALIASES = {
    "dd": PaymentMethod.DIRECT_DEBIT,
    "so": PaymentMethod.STANDING_ORDER,
    "paypoint": PaymentMethod.ALLPAY,
    "bacs": PaymentMethod.BANK_TRANSFER,
    "hb": PaymentMethod.HOUSING_BENEFIT,
    "uc": PaymentMethod.UNIVERSAL_CREDIT,
}
PERIOD_ALIASES = {"week": RentPeriod.WEEKLY, "4 weekly": RentPeriod.FOUR_WEEKLY, "month": RentPeriod.MONTHLY}
CHARGE_ALIASES = {
    "service charge": ChargeType.ELIGIBLE_SERVICE,
    "eligible service charge": ChargeType.ELIGIBLE_SERVICE,
    "ineligible service charge": ChargeType.INELIGIBLE_SERVICE,
}
# A charge's counts_as_rent when the file leaves it blank: rent and eligible service charges count as rent.
COUNTS_AS_RENT_BY_DEFAULT = {ChargeType.RENT, ChargeType.ELIGIBLE_SERVICE}


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[str], Any]
    required: bool = False
    default: Any = ""
    help: str = ""


@dataclass(frozen=True)
class FileSpec:
    kind: str
    title: str  # "a provider": what one row is, for messages
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that identify a row (unique in the file)
    help: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.kind}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, read, required=False, default="", help=""):
    return Column(name, read, required, default, help)


SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        PROVIDERS,
        "provider",
        (
            _c("source_reference", reference, True, help="The provider's key in your system."),
            _c("name", text(200), True, help="The landlord's name as it prints on letters; unique."),
            _c("landlord_type", choice(LandlordType), True),
            _c("address", multiline(), True, help="The landlord's address block on letters."),
            _c("jurisdiction", choice(Jurisdiction), default=Jurisdiction.ENGLAND),
            _c("phone", text(30)),
            _c("email", email),
            _c("retired_on", read_date, default=None, help="The day it stopped being used; blank while in use."),
        ),
        ("source_reference",),
    ),
    FileSpec(
        SCHEMES,
        "scheme",
        (
            _c("source_reference", reference, True),
            _c("code", text(20), True, help="A short code, unique."),
            _c("name", text(200), True),
            _c("scheme_type", choice(SchemeType), True),
            _c("provider_reference", reference, True, help="The source_reference of its provider."),
            _c("retired_on", read_date, default=None),
        ),
        ("source_reference",),
    ),
    FileSpec(
        RENT_FREE_WEEKS,
        "rent-free week",
        (
            _c("scheme_reference", reference, True),
            _c("week_commencing", read_monday, True, default=None, help="The Monday the rent-free week starts."),
        ),
        ("scheme_reference", "week_commencing"),
    ),
    FileSpec(
        PATCHES,
        "patch",
        (
            _c("source_reference", reference, True),
            _c("name", text(100), True, help="Unique."),
            _c("officer", text(150), help="The income officer's Rentwise username or email address."),
            _c("retired_on", read_date, default=None),
        ),
        ("source_reference",),
    ),
    FileSpec(
        PROPERTIES,
        "home",
        (
            _c("source_reference", reference, True),
            _c("uprn", uprn),
            _c("unit_label", text(50), help="For example 'Flat 3' or 'Room 2'."),
            _c("address_line_1", text(200), True),
            _c("address_line_2", text(200)),
            _c("town", text(100), True),
            _c("postcode", postcode, True),
            _c("scheme_reference", reference, True),
            _c("patch_reference", reference),
            _c("bedrooms", integer(0, MAX_BEDROOMS), default=None),
            _c(
                "parent_reference", reference, help="For a room or flat in a shared building: the building's reference."
            ),
            _c("retired_on", read_date, default=None),
        ),
        ("source_reference",),
    ),
    FileSpec(
        PROPERTY_CHARGES,
        "home's charge",
        (
            _c("property_reference", reference, True),
            _c("charge_type", choice(ChargeType, CHARGE_ALIASES), True),
            _c("amount", weekly_charge, True, default=None, help="Due each week; 0.00 to stop a charge."),
            _c("effective_from", read_date, True, default=None),
            _c("counts_as_rent", yes_no, default=None, help="Blank: yes for rent and eligible service charges."),
        ),
        ("property_reference", "charge_type"),
    ),
    FileSpec(
        PEOPLE,
        "person",
        (
            _c("source_reference", reference, True),
            _c("title", text(20)),
            _c("first_name", text(100), True),
            _c("last_name", text(100), True),
            _c("date_of_birth", read_date, default=None),
            _c("email", email),
            _c("phone", phone, help="A UK number (10 or 11 digits) or an overseas one starting with +."),
            _c(
                "preferred_contact", choice(ContactChannel, {"text": ContactChannel.SMS}), default=ContactChannel.LETTER
            ),
            _c("mobile", mobile, help="For text messages; stored in +44 form."),
            _c("texts_allowed", yes_no, default=False, help="Agreed to text messages about their account."),
            _c("emails_allowed", yes_no, default=False, help="Agreed to emails about their account."),
            _c("correspondence_address", multiline()),
            _c("preferred_language", text(50), default="English"),
            _c("communication_adjustments", text(200)),
            _c("support_worker", text(200)),
            _c("vulnerability_notes", multiline(5000)),
            _c("health_notes", multiline(5000)),
        ),
        ("source_reference",),
    ),
    FileSpec(
        TENANCIES,
        "tenancy",
        (
            _c("source_reference", reference, True),
            _c("payment_reference", payment_reference_cell, True),
            _c("property_reference", reference, True),
            _c("tenure_type", choice(TenureType, TENURE_ALIASES), True),
            _c("licence_basis", choice(LicenceBasis), help="Required for a licence."),
            _c("start_date", read_date, True, default=None),
            _c("end_date", read_date, default=None, help="The last day of the tenancy; blank while it runs."),
            _c("end_reason", choice(EndReason), help="Why it ended; blank is recorded as 'other'."),
            _c("forwarding_address", multiline()),
            _c("rent_period", choice(RentPeriod, PERIOD_ALIASES), default=RentPeriod.WEEKLY),
            _c("payment_method", choice(PaymentMethod, METHOD_ALIASES), default=PaymentMethod.BANK_TRANSFER),
        ),
        ("source_reference",),
    ),
    FileSpec(
        TENANTS,
        "named tenant",
        (
            _c("tenancy_reference", reference, True),
            _c("person_reference", reference, True),
            _c("is_lead", yes_no, default=False, help="yes for the lead tenant: exactly one per tenancy."),
        ),
        ("tenancy_reference", "person_reference"),
    ),
    FileSpec(
        CHARGES,
        "tenancy's charge",
        (
            _c("tenancy_reference", reference, True),
            _c("charge_type", choice(ChargeType, CHARGE_ALIASES), True),
            _c("amount", weekly_charge, True, default=None, help="Due each rent period; 0.00 to stop a charge."),
            _c("effective_from", read_date, True, default=None),
            _c("counts_as_rent", yes_no, default=None, help="Blank: yes for rent and eligible service charges."),
        ),
        ("tenancy_reference", "charge_type"),
    ),
    FileSpec(
        OPENING_BALANCES,
        "opening balance",
        (
            _c("tenancy_reference", reference, True),
            _c("balance", balance, True, default=None),
            _c("as_at", read_date, True, default=None, help="The last day the balance includes."),
        ),
        ("tenancy_reference",),
    ),
    FileSpec(
        DIRECT_DEBITS,
        "direct debit mandate",
        (
            _c("mandate_reference", text(40), True),
            _c("tenancy_reference", reference, True),
            _c("collection_day", integer(1, 28), True, default=None),
            _c("amount", weekly_charge, default=None, help="Blank when the amount varies."),
            _c("start_date", read_date, True, default=None),
            _c("cancelled_on", read_date, default=None, help="Blank while the mandate is active."),
        ),
        ("mandate_reference",),
    ),
)
SPEC_BY_KIND: dict[str, FileSpec] = {spec.kind: spec for spec in SPECS}
KINDS: tuple[str, ...] = tuple(SPEC_BY_KIND)
