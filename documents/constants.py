from django.db import models


class DocumentKind(models.TextChoices):
    LETTER = "letter", "Letter"
    NOTICE = "notice", "Notice"
    STATEMENT = "statement", "Rent statement"
    CLAIM_PACK = "claim_pack", "Claim pack"


class DeliveryState(models.TextChoices):
    TO_PRINT = "to_print", "To print"
    TO_EMAIL = "to_email", "To email"
    PRINTED = "printed", "Printed"
    EMAILED = "emailed", "Emailed"
    FAILED = "failed", "Failed"
