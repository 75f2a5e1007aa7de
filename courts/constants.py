from django.db import models


class NoticeType(models.TextChoices):
    """The legal notice, whatever the landlord calls it (legal-spec R-LIC-04: "NRP" is a display label only)."""

    SECURE_NOSP = "secure_nosp", "Notice of seeking possession (Housing Act 1985 s83)"
    ASSURED_S8 = "assured_s8", "Notice seeking possession (Housing Act 1988 s8)"
    S21 = "s21", "Notice requiring possession (Housing Act 1988 s21)"
    INTRO_S128 = "intro_s128", "Notice of proceedings (Housing Act 1996 s128)"
    LICENCE_NTQ = "licence_ntq", "Notice to quit a licence (Protection from Eviction Act 1977 s5)"
    EXCLUDED_LICENCE = "excluded_licence", "Notice ending an excluded licence (Protection from Eviction Act 1977 s3A)"
    WALES_BREACH = "wales_breach", "Possession notice for breach of contract (Renting Homes (Wales) Act 2016 s159)"
    WALES_SERIOUS_ARREARS = "wales_serious_arrears", "Possession notice for serious rent arrears (RH(W)A 2016 s182)"


class DateRule(models.TextChoices):
    """How the earliest date for proceedings is worked out from the (deemed) date of service."""

    NOTICE_TO_QUIT = "ntq", "The longer of the minimum days or one rent period, ending on a period boundary"
    DAYS = "days", "The minimum days after service"
    MONTHS = "months", "The minimum calendar months after service"


class LapseRule(models.TextChoices):
    AFTER_SPECIFIED_DATE = "after_specified", "Months after the date specified in the notice"
    AFTER_SERVICE = "after_service", "Months after service"
    NONE = "none", "Does not lapse by statute"


class Sector(models.TextChoices):
    """Whether a rule is for social housing (a local authority or registered provider landlord) or not."""

    ANY = "any", "Any landlord"
    SOCIAL = "social", "Social landlords (local authority or registered provider)"
    NON_SOCIAL = "non_social", "Other landlords"


class GroundKind(models.TextChoices):
    MANDATORY = "mandatory", "Mandatory"
    DISCRETIONARY = "discretionary", "Discretionary"
    NO_GROUND = "none", "No ground needed"


class ServiceMethod(models.TextChoices):
    HAND = "hand", "Handed to the tenant"
    LEFT_AT_PROPERTY = "left", "Left at or put through the door of the home"
    FIRST_CLASS_POST = "post", "First class post"


class PeriodBoundary(models.TextChoices):
    """Which boundary a notice-to-quit style date lands on (legal-spec R-SEC-04, a house convention)."""

    FIRST_DAY = "first_day", "The first day of a rent period (the later, cautious choice)"
    LAST_DAY = "last_day", "The last day of a rent period"


class CourtOutcome(models.TextChoices):
    """Hearing outcomes (legal-spec §4.3); the codes the arrears policies read (income-management.md §3)."""

    ADJOURNED_GENERALLY = "adjourned_generally", "Adjourned generally (with permission to restore)"
    ADJOURNED_TO_NEXT_OPEN_DATE = "adjourned_to_next_open_date", "Adjourned to the next open date"
    ADJOURNED_TO_ANOTHER_HEARING = "adjourned_to_another_hearing", "Adjourned to another hearing"
    ADJOURNED_FOR_DIRECTIONS = "adjourned_for_directions", "Adjourned for directions"
    ADJOURNED_ON_TERMS = "adjourned_on_terms", "Adjourned on terms"
    OUTRIGHT_FORTHWITH = "outright_possession_forthwith", "Outright possession order, forthwith"
    OUTRIGHT_ON_DATE = "outright_possession_on_date", "Outright possession order, on a date"
    SUSPENDED = "suspended_possession", "Suspended possession order (on terms)"
    POSTPONED = "postponed_possession", "Postponed possession order (on terms)"
    STAY_OF_EXECUTION = "stay_of_execution", "Stay of execution (on terms)"
    DISMISSED = "dismissed", "Claim dismissed"
    STRUCK_OUT = "struck_out", "Claim struck out"
    STAYED = "stayed", "Claim stayed"
    WITHDRAWN = "withdrawn", "Claim withdrawn"


OUTRIGHT = (CourtOutcome.OUTRIGHT_FORTHWITH, CourtOutcome.OUTRIGHT_ON_DATE)
# Outcomes whose terms (current rent plus an amount towards the arrears) become a court agreement the arrears engine
# monitors every day.
WITH_TERMS = (
    CourtOutcome.ADJOURNED_ON_TERMS,
    CourtOutcome.ADJOURNED_GENERALLY,
    CourtOutcome.SUSPENDED,
    CourtOutcome.POSTPONED,
    CourtOutcome.STAY_OF_EXECUTION,
)
ENDS_THE_CLAIM = (CourtOutcome.DISMISSED, CourtOutcome.STRUCK_OUT, CourtOutcome.STAYED, CourtOutcome.WITHDRAWN)


class WarrantForm(models.TextChoices):
    N325 = "N325", "N325: request for a warrant of possession"
    N325A = "N325A", "N325A: after a suspended order's payment terms were broken (with the statement of payments)"


class WarrantStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved: apply to the court"
    APPLIED = "applied", "Applied for"
    EVICTION_BOOKED = "eviction_booked", "Eviction booked"
    DONE = "done", "Finished"
    REFUSED = "refused", "Not approved"


class EvictionOutcome(models.TextChoices):
    EVICTED = "evicted", "Possession taken"
    LEFT = "left", "The tenant left before the eviction"
    SUSPENDED_BY_COURT = "suspended", "Suspended by the court (N244)"
    CANCELLED = "cancelled", "Cancelled by us"
