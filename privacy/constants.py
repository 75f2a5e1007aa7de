from django.db import models


class RetentionCategory(models.TextChoices):
    """The categories of a former tenant's personal data the retention schedule (RetentionRule) keeps a period for.
    What each covers is fixed in privacy.retention; the schedule says how long and why."""

    SPECIAL_CATEGORY = "special_category", "Health and vulnerability (special category)"
    CONTACT_DIARY = "contact_diary", "Contact diary and case notes"
    DOCUMENTS = "documents", "Letters, notices and statements (stored PDFs)"
    IDENTITY = "identity_and_contact", "Identity and contact details"
    RENT_ACCOUNT = "rent_account", "Rent account figures"


# The order a run works through the categories: identity last, because the others are found through the person.
CATEGORY_ORDER = (
    RetentionCategory.SPECIAL_CATEGORY,
    RetentionCategory.CONTACT_DIARY,
    RetentionCategory.DOCUMENTS,
    RetentionCategory.IDENTITY,
)


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", "Anonymise"
    KEEP = "keep", "Keep (not anonymised)"


class Blocker(models.TextChoices):
    """Why a former tenant past the schedule is left alone."""

    CURRENT_TENANCY = "current_tenancy", "Named on a current tenancy"
    BALANCE = "balance", "An account of a tenancy they held is not at £0.00"
    OPEN_CASE = "open_case", "An open arrears case"
    LEGAL_CASE = "legal_case", "A legal case not closed"
    BREATHING_SPACE = "breathing_space", "A Breathing Space not yet ended"
    AGREEMENT = "agreement", "A live agreement to pay"
    PENDING_REQUEST = "pending_request", "An adjustment, refund or write-off awaiting a decision"
