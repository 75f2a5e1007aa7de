from django.db import models


class TenureType(models.TextChoices):
    """The tenure catalogue of legal-spec §2.1 (England); the notice each needs is courts' business."""

    SECURE = "SECURE", "Secure tenancy"
    FLEXIBLE = "FLEXIBLE", "Flexible (fixed-term secure) tenancy"
    INTRO = "INTRO", "Introductory tenancy"
    DEMOTED = "DEMOTED", "Demoted tenancy"
    ASSURED = "ASSURED", "Assured tenancy"
    AST = "AST", "Assured shorthold tenancy"
    LICENCE = "LICENCE", "Periodic licence"
    EXCL_LICENCE = "EXCL_LICENCE", "Excluded licence"


LICENCE_TENURES = (TenureType.LICENCE, TenureType.EXCL_LICENCE)


class LandlordType(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    PRIVATE_REGISTERED_PROVIDER = "private_registered_provider", "Private registered provider"
    OTHER = "other", "Other landlord"


class SchemeType(models.TextChoices):
    GENERAL_NEEDS = "general_needs", "General needs"
    SUPPORTED = "supported", "Supported housing"
    TEMPORARY = "temporary", "Temporary accommodation"


class RentPeriod(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Monthly"


WEEKS_IN_PERIOD = {RentPeriod.WEEKLY: 1, RentPeriod.FORTNIGHTLY: 2, RentPeriod.FOUR_WEEKLY: 4}


class WeeksBasis(models.TextChoices):
    """What "a week's rent" means when arrears are counted in weeks: a named setting of each arrears policy.

    Ground 8 and a possession claim count only rent lawfully due (the charges that count as rent); Hackney's published
    ladder divides by the gross weekly charges (rent plus service, support and other charges). Every screen says which.
    """

    RENT = "rent", "weeks of rent"
    GROSS = "gross", "weeks of rent and all charges"


class TenancyStatus(models.TextChoices):
    CURRENT = "current", "Current"
    FORMER = "former", "Former"


class ChargeType(models.TextChoices):
    RENT = "rent", "Rent"
    ELIGIBLE_SERVICE = "eligible_service", "Service charge (eligible for benefit)"
    INELIGIBLE_SERVICE = "ineligible_service", "Service charge (not eligible for benefit)"
    SUPPORT = "support", "Support charge"
    WATER = "water", "Water charge"
    OTHER = "other", "Other charge"


# Each charge type's label, for ledger descriptions, letters and screens.
CHARGE_LABELS = dict(ChargeType.choices)


class ContactChannel(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"


class PaymentMethod(models.TextChoices):
    DIRECT_DEBIT = "direct_debit", "Direct debit"
    STANDING_ORDER = "standing_order", "Standing order"
    CARD = "card", "Card"
    ALLPAY = "allpay", "allpay / PayPoint"
    CASH = "cash", "Cash"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    HOUSING_BENEFIT = "housing_benefit", "Housing Benefit (paid to us)"
    UNIVERSAL_CREDIT = "universal_credit", "Universal Credit managed payment"
    DEBT_AGENCY = "debt_agency", "Collected by a debt collection agency"


class LicenceBasis(models.TextChoices):
    """Why an occupation agreement is a licence rather than a tenancy (R-LIC-03: substance, not label)."""

    SHARED_ACCOMMODATION = "shared_accommodation", "Shared accommodation: no exclusive possession"
    HOSTEL = "hostel", "Hostel"
    SUPPORT_LINKED = "support_linked", "Access is linked to support and staff keep access"
    TEMPORARY_ACCOMMODATION = "temporary_accommodation", "Temporary accommodation under homelessness duties"
    RESIDENT_LANDLORD = "resident_landlord", "Shares accommodation with the landlord (excluded licence)"
    OTHER = "other", "Other basis (explained in the notes)"


class EndReason(models.TextChoices):
    TENANTS_NOTICE = "tenants_notice", "Tenant's notice"
    DEATH = "death", "Death of the tenant"
    EVICTION = "eviction", "Eviction"
    ABANDONMENT = "abandonment", "Abandonment"
    TRANSFER = "transfer", "Transfer to another of our homes"
    MUTUAL_EXCHANGE = "mutual_exchange", "Mutual exchange"
    LICENCE_ENDED = "licence_ended", "Licence ended"
    OTHER = "other", "Other"


class TenancyEventKind(models.TextChoices):
    SIGN_UP = "sign_up", "Signed up"
    LOADED = "loaded", "Loaded from the housing management system"
    CHARGE_CHANGE = "charge_change", "Charges changed"
    RENT_CHANGE = "rent_change", "Annual rent change"
    SUCCESSION = "succession", "Succession"
    ASSIGNMENT = "assignment", "Assignment"
    MUTUAL_EXCHANGE = "mutual_exchange", "Mutual exchange"
    TRANSFER = "transfer", "Transfer"
    ENDED = "ended", "Tenancy ended"
    END_CORRECTED = "end_corrected", "End of tenancy corrected"
