from django.db import models


class AccountKind(models.TextChoices):
    RENT = "rent", "Rent account"
    COURT_COSTS = "court_costs", "Court costs"
    RECHARGEABLE_REPAIRS = "rechargeable_repairs", "Rechargeable repairs"
    SUNDRY = "sundry", "Sundry debts"


class TransactionType(models.TextChoices):
    """Typed sources of ledger postings. Positive amounts are debits (owed), negative are credits."""

    RENT_DEBIT = "rent_debit", "Rent"
    CHARGE_DEBIT = "charge_debit", "Charge"
    PAYMENT = "payment", "Payment"
    HOUSING_BENEFIT = "housing_benefit", "Housing Benefit"
    UC_MANAGED_PAYMENT = "uc_managed_payment", "Universal Credit managed payment"
    UC_DEDUCTION = "uc_deduction", "Universal Credit deduction towards arrears"
    DHP = "dhp", "Discretionary Housing Payment"
    ADJUSTMENT = "adjustment", "Adjustment"
    REVERSAL = "reversal", "Reversal"
    REFUND = "refund", "Refund"
    TRANSFER = "transfer", "Transfer"
    WRITE_OFF = "write_off", "Write-off"
    COURT_COSTS = "court_costs", "Court costs"
    RECHARGE = "recharge", "Rechargeable repair"
    SUNDRY = "sundry", "Sundry charge"


# Credits received from a tenant or on their behalf (what the collection KPI counts as received).
RECEIPT_TYPES = (
    TransactionType.PAYMENT,
    TransactionType.HOUSING_BENEFIT,
    TransactionType.UC_MANAGED_PAYMENT,
    TransactionType.UC_DEDUCTION,
    TransactionType.DHP,
)
CHARGE_TYPES = (TransactionType.RENT_DEBIT, TransactionType.CHARGE_DEBIT)


class ImportStatus(models.TextChoices):
    CHECKED = "checked", "Checked, not posted yet"  # the dry run: kept for a person to confirm; nothing posted
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    COMPLETED = "completed", "Imported"
    FAILED = "failed", "Failed"


class SuspenseStatus(models.TextChoices):
    OPEN = "open", "Waiting for an officer"
    ALLOCATED = "allocated", "Allocated to an account"
    REJECTED = "rejected", "Rejected"


class RequestKind(models.TextChoices):
    ADJUSTMENT = "adjustment", "Adjustment"
    REFUND = "refund", "Refund"
    TRANSFER = "transfer", "Transfer between accounts"
    WRITE_OFF = "write_off", "Write-off"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class MandateStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"


class CheckKind(models.TextChoices):
    DUPLICATE_PAYMENT = "duplicate_payment", "Possible duplicate payment"
    OVERLAPPING_PERIODS = "overlapping_periods", "Benefit payments for overlapping periods"


class CheckStatus(models.TextChoices):
    OPEN = "open", "To review"
    CONFIRMED_GENUINE = "genuine", "Checked: both payments are genuine"
    CORRECTED = "corrected", "Checked: corrected by reversal"
