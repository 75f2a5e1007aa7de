from django.db import models


class RentChangeStatus(models.TextChoices):
    DRAFT = "draft", "Draft: check the changes"
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for a second person to approve"
    APPROVED = "approved", "Approved: charges changed and letters made"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class RentChangeBasis(models.TextChoices):
    PERCENTAGE = "percentage", "A percentage rise (optionally capped per week)"
    CSV = "csv", "New charges from a CSV file"


class LoadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking every row"
    LOADING = "loading", "Loading"
    CHECKED = "checked", "Dry run: checked, nothing loaded"
    REFUSED = "refused", "Refused: errors found, nothing loaded"
    COMPLETED = "completed", "Loaded"
    FAILED = "failed", "Failed: nothing loaded"
