"""The ledger: accounts with cached balances, append-only transactions, and the work around them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from incomeapp.models import MoneyField, TimeStampedModel
from tenancies.constants import PaymentMethod
from tenancies.models import Person, Tenancy

from .constants import (
    AccountKind,
    CheckKind,
    CheckStatus,
    ImportStatus,
    InsolvencyKind,
    InvoiceKind,
    MandateStatus,
    OverpaymentLiability,
    OverpaymentRecovery,
    OverpaymentStatus,
    RequestKind,
    RequestStatus,
    SundryKind,
    SuspenseStatus,
    TransactionType,
    WriteOffReason,
    WriteOffRunStatus,
)


class AccountQuerySet(models.QuerySet):
    def rent(self) -> "AccountQuerySet":
        """Rent accounts only: the account arrears work, notices and weeks of rent are about."""
        return self.filter(kind=AccountKind.RENT)


class Account(models.Model):
    """One of a tenancy's accounts. `balance` is a cache of the sum of its transactions, kept in the same database
    transaction as every posting; `reconcile_balances` proves it. Positive balance = owed; negative = in credit."""

    # Balances change with every posting, so the table keeps few indexes and spare room in each page (fillfactor, set
    # by this app's migration): an update then rewrites the row in place (a HOT update) instead of touching every index.
    # The unique (tenancy, kind) constraint serves lookups by tenancy.
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="accounts", db_index=False)
    kind = models.CharField(max_length=30, choices=AccountKind.choices, default=AccountKind.RENT)
    balance = MoneyField(default=0)

    objects = AccountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenancy", "kind"], name="one_account_of_each_kind")]

    def __str__(self) -> str:
        return f"{self.tenancy.payment_reference} {self.get_kind_display()}"


class RentRun(models.Model):
    """One invocation of the rent debit run for a week. Running again makes a new run that posts nothing twice."""

    week_commencing = models.DateField(db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    posted_count = models.PositiveIntegerField(default=0)
    posted_total = MoneyField(default=0)
    charging_changes = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="How many charging changes there were when the run read the charges (PostgreSQL): a later run of the "
        "same week with the same number has nothing new to post.",
    )
    checked_only = models.BooleanField(
        default=False, help_text="Nothing the run reads had changed since the week was posted, so it posted nothing."
    )


class ChargingChange(models.Model):
    """A change to what the rent run reads: a tenancy's charges; its start, end, rent period or home; a home's scheme;
    rent-free weeks; a rent account made or removed. Written by PostgreSQL triggers (made by this app's migration),
    one row for each statement that changed any row, in that statement's transaction. Never deleted: their number only
    grows, so a rent run that finds the same number as the run that posted its week knows nothing it reads has
    changed."""

    table_name = models.CharField(max_length=63)
    changed_at = models.DateTimeField()


class ImportBatch(TimeStampedModel):
    """A payment file. Its SHA-256 is unique, so the same file is never imported twice."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=40)
    content = models.BinaryField(help_text="The file as received, for the background import and for audit.")
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    rows_read = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0, help_text="Progress while importing.")
    rows_posted = models.PositiveIntegerField(default=0)
    total_posted = MoneyField(default=0)
    rows_suspense = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text="Times the import was started (a retry or a resume after a worker stopped adds one)."
    )

    class Meta:
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class Transaction(models.Model):
    """An append-only ledger line. Never updated or deleted: a mistake is corrected by a reversal that points at it."""

    # Indexed by txn_account_date (account first); a separate foreign-key index would only slow every posting.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transactions", db_index=False)
    transaction_type = models.CharField(max_length=30, choices=TransactionType.choices)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, blank=True)
    amount = MoneyField()
    effective_date = models.DateField()
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT)
    rent_run = models.ForeignKey(RentRun, null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    # Unique by the constraint below, not `unique=True`: that would add a second (pattern-ops) index on PostgreSQL.
    idempotency_key = models.CharField(max_length=200)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    description = models.CharField(max_length=255, blank=True)
    external_reference = models.CharField(max_length=100, blank=True)
    period_start = models.DateField(null=True, blank=True, help_text="For rent and benefit: the period covered.")
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "effective_date", "id"], name="txn_account_date"),
            models.Index(fields=["effective_date", "transaction_type"], name="txn_date_type"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="transaction_amount_not_zero"),
            models.UniqueConstraint(fields=["idempotency_key"], name="txn_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.effective_date:%-d %B %Y} {self.get_transaction_type_display()} {self.amount}"


class PaymentAllocationOrder(models.Model):
    """The order in which a payment clears a tenancy's accounts; what is left goes to the rent account."""

    kind = models.CharField(max_length=30, choices=AccountKind.choices, unique=True)
    position = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["position"]


class SuspenseItem(TimeStampedModel):
    """A payment row that could not be posted, with the reason, for an officer to allocate or reject."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="suspense_items")
    row_number = models.PositiveIntegerField()
    raw = models.JSONField(help_text="The row as read from the file.")
    payment_reference = models.CharField(max_length=50, blank=True)
    amount = MoneyField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    transaction_type = models.CharField(max_length=30, choices=TransactionType.choices, blank=True)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=SuspenseStatus.choices, default=SuspenseStatus.OPEN, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=255, blank=True)
    transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="suspense_item"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "row_number"]


class AdjustmentRequest(TimeStampedModel):
    """Maker and checker: an officer asks, someone else within their delegated authority decides."""

    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="adjustment_requests")
    to_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="incoming_transfer_requests"
    )
    amount = MoneyField(help_text="Positive adds to what is owed, negative reduces it (for transfers: the sum moved).")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    transactions = models.ManyToManyField(Transaction, blank=True, related_name="adjustment_requests")
    # Write-offs only: why (one of the reason codes) and what shows it; a write-on names the write-off it reverses.
    write_off_reason = models.CharField(max_length=30, choices=WriteOffReason.choices, blank=True)
    evidence = models.TextField(blank=True, help_text="What shows the reason holds, or a note of why it is believed.")
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="write_ons", db_index=False
    )
    write_off_run = models.ForeignKey(
        "WriteOffRun", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="request_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="nobody_decides_their_own_request",
            ),
        ]


class DirectDebitMandate(TimeStampedModel):
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="direct_debit_mandates")
    reference = models.CharField(max_length=40, unique=True)
    collection_day = models.PositiveSmallIntegerField(help_text="Day of the month (1–28) or of the week (1–7).")
    amount = MoneyField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=MandateStatus.choices, default=MandateStatus.ACTIVE, db_index=True)
    start_date = models.DateField()
    cancelled_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()


class AccountCheck(TimeStampedModel):
    """A suspected duplicate or overlapping payment for a senior officer to resolve."""

    kind = models.CharField(max_length=30, choices=CheckKind.choices)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="checks")
    transactions = models.ManyToManyField(Transaction, related_name="checks")
    fingerprint = models.CharField(max_length=200, unique=True, help_text="Stops one suspicion being raised twice.")
    detail = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=CheckStatus.choices, default=CheckStatus.OPEN, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=255, blank=True)
    history = HistoricalRecords()


class StatementRun(TimeStampedModel):
    """A quarterly statement run started from the browser (or the command), for its progress and its results.

    The accounts are handed to Celery in chunks; each chunk, when done, adds its result under its number in `results`,
    once (a chunk retried does not count twice). The run is finished when every chunk has reported."""

    period_end = models.DateField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    accounts_total = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict, blank=True, help_text="Each chunk's result, by chunk number.")
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Statements to {self.period_end:%-d %B %Y}"


class WriteOffRun(TimeStampedModel):
    """A small-balance write-off run: the rule a manager set, the accounts it found (kept as proposed, so what is
    approved is what was seen) and the decision, taken by someone else, for the whole batch."""

    balance_under = MoneyField(help_text="Accounts owing less than this (and more than nothing).")
    ended_months = models.PositiveSmallIntegerField(help_text="Tenancies ended at least this many months ago.")
    account_kinds = models.JSONField(default=list, help_text="The kinds of account included.")
    as_of = models.DateField()
    lines = models.JSONField(default=list, help_text="Each account found: id, payment reference, balance.")
    accounts_count = models.PositiveIntegerField(default=0)
    total = MoneyField(default=0)
    status = models.CharField(max_length=20, choices=WriteOffRunStatus.choices, default=WriteOffRunStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="nobody_decides_their_own_write_off_run",
            ),
        ]


class Invoice(TimeStampedModel):
    """A rechargeable repair or a sundry debt raised on its own account (never rent: docs/debts.md)."""

    number = models.CharField(max_length=20, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices)
    sundry_kind = models.CharField(max_length=20, choices=SundryKind.choices, blank=True)
    job_reference = models.CharField(max_length=50, blank=True, help_text="Recharges: the repair job's reference.")
    description = models.CharField(max_length=255)
    amount = MoneyField()
    dated = models.DateField(help_text="Recharges: when the repair was done. Sundry debts: when it fell due.")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-dated", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive")]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"


class DebtAcknowledgment(models.Model):
    """A written acknowledgment of a debt: it restarts the limitation period (Limitation Act 1980 s29, R-DP-02)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="acknowledgments")
    acknowledged_on = models.DateField()
    description = models.CharField(max_length=255, help_text="What the tenant signed or wrote.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acknowledged_on", "id"]


class InsolvencyOrder(TimeStampedModel):
    """A bankruptcy order or debt relief order on a person: it stops recovery of the debts it covers (those that fell
    due before it was made) until it is discharged, and only those."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="insolvency_orders")
    kind = models.CharField(max_length=20, choices=InsolvencyKind.choices)
    reference = models.CharField(max_length=50, blank=True, help_text="The Insolvency Register reference.")
    made_on = models.DateField()
    discharged_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_on", "id"]


class HousingBenefitOverpayment(TimeStampedModel):
    """A Housing Benefit overpayment a council recovered from us, recorded against the tenancy it concerns and tracked
    until it is recovered from the tenant, written off, or accepted as the landlord's loss (R-HB-03, R-HB-04)."""

    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="hb_overpayments")
    council = models.CharField(max_length=150)
    period_start = models.DateField()
    period_end = models.DateField()
    amount = MoneyField()
    recovery_method = models.CharField(max_length=20, choices=OverpaymentRecovery.choices)
    schedule_reference = models.CharField(max_length=50, blank=True)
    deducted_from = models.ForeignKey(
        Tenancy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Schedule deductions: the tenancy whose Housing Benefit the council reduced to recover it.",
    )
    liability = models.CharField(max_length=20, choices=OverpaymentLiability.choices)
    status = models.CharField(max_length=20, choices=OverpaymentStatus.choices, default=OverpaymentStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    transactions = models.ManyToManyField(Transaction, blank=True, related_name="hb_overpayments")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="hb_overpayment_amount_positive")]
