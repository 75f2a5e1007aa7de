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
    # Housing Benefit overpayments recovered from the landlord (legal-spec R-HB-03, R-HB-04; docs/debts.md).
    HB_OVERPAYMENT = "hb_overpayment", "Housing Benefit overpayment recovered from us"
    HB_BLAMELESS_CREDIT = "hb_blameless_credit", "Housing Benefit deducted for another tenant's overpayment"


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
    WRITE_ON = "write_on", "Write-on (a write-off reversed)"


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


class WriteOffReason(models.TextChoices):
    """Why a debt is written off: every write-off names one (docs/debts.md)."""

    DECEASED_NO_ESTATE = "deceased_no_estate", "Deceased with no estate"
    GONE_AWAY = "gone_away", "Gone away and not traced"
    BANKRUPTCY = "bankruptcy", "Bankruptcy"
    DEBT_RELIEF_ORDER = "debt_relief_order", "Debt relief order"
    LIMITATION = "limitation", "Out of time under the Limitation Act"
    UNECONOMIC = "uneconomic", "Uneconomic to pursue"
    SMALL_BALANCE = "small_balance", "Small balance"


class WriteOffRunStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for approval"
    APPROVED = "approved", "Approved and written off"
    REJECTED = "rejected", "Rejected"


class InvoiceKind(models.TextChoices):
    RECHARGE = "recharge", "Rechargeable repair"
    SUNDRY = "sundry", "Sundry debt"


class SundryKind(models.TextChoices):
    GARAGE = "garage", "Garage or parking space"
    STORAGE = "storage", "Storage"
    FURNITURE = "furniture", "Furniture or equipment"
    CLEARANCE = "clearance", "Clearing belongings left behind"
    KEYS = "keys", "Lost keys or fobs"
    DAMAGE = "damage", "Damage to a shared area"
    OTHER = "other", "Other"


class InsolvencyKind(models.TextChoices):
    BANKRUPTCY = "bankruptcy", "Bankruptcy order"
    DEBT_RELIEF_ORDER = "debt_relief_order", "Debt relief order"


class OverpaymentRecovery(models.TextChoices):
    SCHEDULE_DEDUCTION = "schedule_deduction", "Deducted from a Housing Benefit payment schedule"
    INVOICE = "invoice", "Invoiced to us"


class OverpaymentLiability(models.TextChoices):
    RECOVERABLE = "recoverable", "Recoverable from the tenant"
    BLAMELESS = "blameless", "Blameless: the landlord's loss"


class OverpaymentStatus(models.TextChoices):
    OPEN = "open", "Being recovered from the tenant"
    RECOVERED = "recovered", "Recovered"
    WRITTEN_OFF = "written_off", "Written off"
    LANDLORD_LOSS = "landlord_loss", "The landlord's loss"
