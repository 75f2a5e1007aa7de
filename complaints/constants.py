from django.db import models


class ComplaintStageKind(models.TextChoices):
    STAGE_1 = "stage_1", "Stage 1"
    STAGE_2 = "stage_2", "Stage 2"
    OMBUDSMAN = "ombudsman", "Referred to the Housing Ombudsman"


class ComplaintAbout(models.TextChoices):
    ARREARS_ACTION = "arrears_action", "Arrears action (letters, calls, notices, court)"
    RENT_ACCOUNT = "rent_account", "The rent account, charges or payments"
    SERVICE_CHARGES = "service_charges", "Service or support charges"
    STAFF = "staff", "How a member of staff behaved"
    OTHER = "other", "Something else"


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    WITHDRAWN = "withdrawn", "Withdrawn by the complainant"


class ResponseClockStart(models.TextChoices):
    RECEIVED = "received", "From the day the complaint (or escalation) was received"
    ACKNOWLEDGED = "acknowledged", "From the day it was acknowledged"
