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
