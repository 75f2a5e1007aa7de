"""Arrears policies as data: a named policy with numbered versions; one version is live at a time.

A version's `document` is the whole policy (rules, blockers, outcomes) as checked by `arrears.engine.policy_check`.
Versions are never edited: a change is a new version, so any past recommendation can be explained by the version it
used.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from incomeapp.models import MoneyField, TimeStampedModel
from tenancies.constants import TenureType, WeeksBasis
from tenancies.models import Scheme

from .constants import (
    AgentKind,
    AgreementChangeKind,
    AgreementFrequency,
    AgreementState,
    AgreementType,
    Benefit,
    BreathingSpaceEnd,
    BreathingSpaceKind,
    BreathingSpaceReviewOutcome,
    CaseStatus,
    ClaimStatus,
    ContactKind,
    ContactOutcome,
    DirectPaymentKind,
    DirectPaymentStatus,
    Ladder,
    NonPaymentReason,
    PauseReason,
    PolicyVersionStatus,
    ReferralKind,
    ReferralStatus,
    ReviewPartStatus,
    ReviewStatus,
)


class ArrearsPolicy(TimeStampedModel):
    """Which policy a tenancy follows: the most specific match wins (scheme, then tenure, then the default)."""

    name = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=150)
    is_default = models.BooleanField(default=False, help_text="Used where no other policy applies.")
    ladder = models.CharField(
        max_length=10, choices=Ladder.choices, default=Ladder.CURRENT, help_text="Which debts this policy works."
    )
    tenure_types = models.JSONField(
        default=list, blank=True, help_text=f"Tenure codes this policy applies to: {', '.join(TenureType.values)}."
    )
    schemes = models.ManyToManyField(Scheme, blank=True, related_name="arrears_policies")
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "arrears policies"
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default")]

    def __str__(self) -> str:
        return self.title


class ArrearsPolicyVersion(models.Model):
    policy = models.ForeignKey(ArrearsPolicy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField(help_text="The policy as checked by the engine.")
    source_text = models.TextField(help_text="The YAML as imported, kept for export.")
    status = models.CharField(max_length=10, choices=PolicyVersionStatus.choices, default=PolicyVersionStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="one_number_per_policy_version"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status=PolicyVersionStatus.LIVE), name="one_live_version_per_policy"
            ),
        ]
        ordering = ["policy", "-number"]

    def __str__(self) -> str:
        return f"{self.policy.name} v{self.number} ({self.get_status_display()})"


class ArrearsCase(TimeStampedModel):
    """One open case per rent account in arrears, assigned to the patch's officer. Legal milestones are recorded here
    by the courts app through arrears services, so the weekly review reads them without importing it. Each weekly
    review repoints every open case at its newest recommendation, so the table keeps spare room in each page
    (fillfactor, set by this app's migration on PostgreSQL) for that update to touch no index."""

    account = models.ForeignKey("rentaccounts.Account", on_delete=models.PROTECT, related_name="arrears_cases")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    ladder = models.CharField(max_length=10, choices=Ladder.choices, default=Ladder.CURRENT)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="arrears_cases"
    )
    nosp_served_on = models.DateField("NOSP served on", null=True, blank=True)
    nosp_expires_on = models.DateField("NOSP lapses on", null=True, blank=True)
    court_date = models.DateField(null=True, blank=True)
    court_outcome = models.CharField(max_length=40, blank=True)
    eviction_date = models.DateField(null=True, blank=True)
    vulnerability_reviewed_on = models.DateField(null=True, blank=True)
    # Set by every review; no index, so that update rewrites the row in place (recommendations are never deleted).
    latest_recommendation = models.ForeignKey(
        "Recommendation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    history = HistoricalRecords(excluded_fields=["latest_recommendation"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status=CaseStatus.OPEN), name="one_open_case_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.get_status_display()})"


class Contact(models.Model):
    """The contact diary: calls, visits, letters, texts, emails, notes, with who, the outcome and any promise."""

    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey("tenancies.Person", null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    code = models.CharField(
        max_length=40, blank=True, help_text="The stage this contact was, for the policy (e.g. reminder_1)."
    )
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    occurred_on = models.DateField()
    notes = models.TextField(blank=True)
    promise_amount = MoneyField(null=True, blank=True)
    promise_on = models.DateField(null=True, blank=True)
    non_payment_reason = models.CharField(max_length=20, choices=NonPaymentReason.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A text or email this product sent (its status is the message's), or a reply that came back.
    message = models.OneToOneField(
        "messaging.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="contact"
    )
    inbound = models.ForeignKey(
        "messaging.InboundMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )

    class Meta:
        indexes = [
            models.Index(fields=["case", "occurred_on", "id"], name="contact_case_date"),
            # The letters still waiting to be made, for the sweeper (a few among millions of contacts).
            models.Index(fields=["id"], condition=Q(outcome=ContactOutcome.QUEUED), name="contact_letter_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%-d %B %Y}"


class Pause(models.Model):
    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="pauses")
    reason = models.CharField(max_length=30, choices=PauseReason.choices)
    ends_on = models.DateField()
    comment = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()


class BreathingSpace(models.Model):
    """A debt moratorium (SI 2020/1311, legal-spec §6) through its whole life. Standard: expected to end 60 days after
    it starts, with the adviser's midway review. Mental health crisis: until 30 days after the crisis treatment ends,
    so open-ended until that is recorded. Either may be cancelled or ended early. `ends_on` is the last day it
    protects, worked out by `arrears.services.breathing_space` from the others (never typed): the early end, else the
    treatment end + 30 days, else the expected end; empty while a crisis moratorium has no end yet.

    The moratorium debt (`debt_covered`) is the balance owed when it started, frozen: arrears that build up after the
    start are new arrears, acted on under the usual rules (R-BS-21)."""

    tenancy = models.ForeignKey("tenancies.Tenancy", on_delete=models.PROTECT, related_name="breathing_spaces")
    debtor = models.ForeignKey(
        "tenancies.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="breathing_spaces",
        help_text="The named tenant in the moratorium; joint tenants are protected for the same debt.",
    )
    kind = models.CharField(max_length=30, choices=BreathingSpaceKind.choices)
    reference = models.CharField(max_length=50, blank=True, help_text="The Insolvency Service reference.")
    notified_on = models.DateField(null=True, blank=True, help_text="When we were told of it.")
    starts_on = models.DateField()
    adviser_name = models.CharField(max_length=200, blank=True)
    adviser_organisation = models.CharField(max_length=200, blank=True)
    adviser_contact = models.CharField(max_length=200, blank=True, help_text="Phone or email for the adviser.")
    expected_end_on = models.DateField(null=True, blank=True, help_text="Standard: 60 days after the start.")
    treatment_ended_on = models.DateField(
        null=True, blank=True, help_text="Mental health crisis: the day the crisis treatment ended."
    )
    ended_on = models.DateField(null=True, blank=True, help_text="An early end or cancellation: its date.")
    end_reason = models.CharField(max_length=20, choices=BreathingSpaceEnd.choices, blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="The last day it protects (worked out).")
    debt_covered = MoneyField(help_text="Arrears owed when the moratorium started: the moratorium debt, frozen.")
    review_requested_on = models.DateField(
        null=True, blank=True, help_text="When we asked the adviser for a review (within 20 days of the start)."
    )
    review_grounds = models.TextField(blank=True)
    review_outcome = models.CharField(max_length=20, choices=BreathingSpaceReviewOutcome.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on:%-d %B %Y}"

    def covers(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class BreathingSpaceAgentNotice(models.Model):
    """A landlord's agent (solicitors, enforcement agents, a debt collection agency) told of a moratorium: the
    evidence reg 12 asks for (a creditor who does not tell its agents is liable for what they do)."""

    breathing_space = models.ForeignKey(BreathingSpace, on_delete=models.PROTECT, related_name="agent_notices")
    agent_kind = models.CharField(max_length=30, choices=AgentKind.choices)
    agent_name = models.CharField(max_length=200)
    told_on = models.DateField()
    how = models.CharField(max_length=200, blank=True, help_text="Email, letter, portal: how they were told.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["told_on", "id"]

    def __str__(self) -> str:
        return f"{self.agent_name} told on {self.told_on:%-d %B %Y}"


class ReviewRun(models.Model):
    """One arrears review (weekly, after an import, or by hand). One runs at a time; a failed one can be run again and
    finishes the rest."""

    as_of = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.RUNNING)
    scope = models.CharField(max_length=20, default="all", help_text="all, or import:<batch id> for a re-review.")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False, help_text="A preview: only this report is kept; nothing else changes.")
    compare = models.ForeignKey(
        ArrearsPolicyVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A preview can also show how recommendations would change under this version.",
    )
    accounts_total = models.PositiveIntegerField(default=0)
    accounts_done = models.PositiveIntegerField(default=0)
    # Added up in each chunk's own transaction, so a run that died and was resumed counts everything once.
    letters_queued = models.PositiveIntegerField(default=0)
    cases_opened = models.PositiveIntegerField(default=0)
    cases_closed = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Review as of {self.as_of:%-d %B %Y} ({self.get_status_display()})"

    @property
    def parts_progress(self) -> str:
        """A review in parts: "3 of 9 done, 2 running, 4 waiting for a worker" (empty for a review in one process)."""
        counts = dict(self.parts.values_list("status").annotate(count=models.Count("id")).order_by())
        if not counts:
            return ""
        said = [f"{counts.get(ReviewPartStatus.DONE, 0)} of {sum(counts.values())} done"]
        said += [
            f"{counts[status]} {label.lower()}"
            for status, label in ReviewPartStatus.choices
            if status != ReviewPartStatus.DONE and counts.get(status)
        ]
        return ", ".join(said)


class ReviewPart(models.Model):
    """One range of account ids of a full review run by Celery workers. The review's accounts are split by id into
    parts, and each worker process (on this machine or another) takes one part at a time, so more workers share the
    work. The ranges cover every id (the last has no upper end), so an account that comes into scope after the start
    is still reviewed. A part whose worker died is handed out again and does only the accounts it had not finished."""

    run = models.ForeignKey(ReviewRun, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    first_account_id = models.PositiveBigIntegerField()
    last_account_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="Empty: no upper end.")
    status = models.CharField(max_length=10, choices=ReviewPartStatus.choices, default=ReviewPartStatus.WAITING)
    accounts_total = models.PositiveIntegerField(default=0, help_text="In scope when the review started.")
    accounts_done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    handed_out_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="one_review_part_per_number")]

    def __str__(self) -> str:
        return f"Part {self.number} of {self.run}"


class Recommendation(models.Model):
    """What the review recommended for one account, why, and the facts it used. Kept, never overwritten."""

    run = models.ForeignKey(ReviewRun, on_delete=models.PROTECT, related_name="recommendations")
    account = models.ForeignKey("rentaccounts.Account", on_delete=models.PROTECT, related_name="recommendations")
    case = models.ForeignKey(
        ArrearsCase, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendations"
    )
    policy_version = models.ForeignKey(ArrearsPolicyVersion, on_delete=models.PROTECT)
    action = models.CharField(max_length=60)
    label = models.CharField(max_length=150)
    mode = models.CharField(max_length=10)
    letter = models.CharField(max_length=60, blank=True)
    message = models.CharField(
        max_length=60, blank=True, default="", db_default="", help_text="The text or email template the step sends."
    )
    severity = models.PositiveSmallIntegerField(default=0)
    rule = models.CharField(max_length=60, blank=True)
    reasons = models.JSONField(default=list)
    blocked_by = models.JSONField(default=list)
    facts = models.JSONField(default=dict)
    balance = MoneyField()
    arrears_weeks = models.DecimalField(
        max_digits=8, decimal_places=1, default=0, help_text="Real arrears in weeks, on the policy's weeks basis."
    )
    weeks_basis = models.CharField(max_length=5, choices=WeeksBasis.choices, default=WeeksBasis.GROSS)
    priority = models.PositiveSmallIntegerField(default=0, help_text="Worklist order; its parts are in priority_parts.")
    priority_parts = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "account"], name="one_recommendation_per_run_account")]
        indexes = [models.Index(fields=["case", "-run"], name="recommendation_case_latest")]

    def __str__(self) -> str:
        return f"{self.label} ({self.rule or 'no rule'})"


class LetterRequest(models.Model):
    """An automatic letter the review decided to send: at most one per case, letter and week, however often the
    review runs. The documents app renders it and records the result on its contact."""

    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="letter_requests")
    letter = models.CharField(max_length=60)
    week_commencing = models.DateField()
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT)
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    # The sweeper (arrears.letters.letters_sweep) hands a letter whose render died to Celery again; these say when it
    # last did and how often, so it is handed at most once per LETTER_RENDER_STALE_MINUTES and given up on in the end.
    render_handed_at = models.DateTimeField(null=True, blank=True)
    render_retries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "letter", "week_commencing"], name="one_letter_per_case_stage_week")
        ]


class Agreement(models.Model):
    """An arrangement to pay: current rent plus `amount` per `frequency` towards the arrears, from `starts_on`.
    Monitored daily (arrears.agreements); its state history says when and by how much it broke."""

    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="agreements")
    agreement_type = models.CharField(max_length=10, choices=AgreementType.choices, default=AgreementType.INFORMAL)
    frequency = models.CharField(max_length=12, choices=AgreementFrequency.choices)
    amount = MoneyField(help_text="Paid towards the arrears each time, on top of the rent.")
    starts_on = models.DateField()
    starting_balance = MoneyField()
    initial_payment = MoneyField(default=0)
    initial_payment_on = models.DateField(null=True, blank=True)
    tolerance_days = models.PositiveSmallIntegerField(default=5)
    first_due_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the first instalment is due, where the terms say (a court order's own date); otherwise the "
        "start + the tolerance.",
    )
    terms = models.TextField(blank=True, help_text="A court order's conditions as the court wrote them.")
    monthly_income = MoneyField(null=True, blank=True, help_text="From the income and expenditure record.")
    monthly_expenditure = MoneyField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=AgreementState.choices, default=AgreementState.LIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["case", "-starts_on", "-id"], name="agreement_case_latest")]

    def __str__(self) -> str:
        return f"{self.get_agreement_type_display()} agreement from {self.starts_on:%-d %B %Y}"

    @property
    def first_payment_due_on(self):
        """When the first instalment falls due for the breach check: the terms' own date, else the start plus the
        days of grace. Before it the agreement is pending its first payment."""
        from datetime import timedelta

        return self.first_due_on or self.starts_on + timedelta(days=self.tolerance_days)

    def pending_on(self, day) -> bool:
        """Live, and its first instalment not yet due: nothing can have been kept or broken."""
        return self.state == AgreementState.LIVE and day < self.first_payment_due_on


class AgreementChange(models.Model):
    """The append-only history of an agreement's terms: made, changed (with the terms it had before) or cancelled, by
    whom, when and why. `submission_key` is the check page's token, so a form sent twice changes nothing twice and
    makes no second letter."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=10, choices=AgreementChangeKind.choices)
    reason = models.TextField(blank=True)
    previous_amount = MoneyField(null=True, blank=True)
    previous_frequency = models.CharField(max_length=12, choices=AgreementFrequency.choices, blank=True)
    previous_starts_on = models.DateField(null=True, blank=True)
    previous_starting_balance = MoneyField(null=True, blank=True)
    amount = MoneyField(null=True, blank=True)
    frequency = models.CharField(max_length=12, choices=AgreementFrequency.choices, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    balance = MoneyField(help_text="The account balance when the change was made.")
    weeks_to_clear = models.PositiveIntegerField(null=True, blank=True)
    clears_on = models.DateField(null=True, blank=True)
    limit_weeks = models.PositiveIntegerField(null=True, blank=True, help_text="The policy's limit at the time.")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    made_at = models.DateTimeField(auto_now_add=True)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The diary's record of the agreement letter these terms were confirmed in; its documents' subject key is
    # "agreement-letter:<contact id>:person:<person id>".
    letter_contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="agreement_change"
    )

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.made_at:%-d %B %Y}"


class AgreementStateChange(models.Model):
    """Written only when the state or the figures change: "Breached by £12.50", "Completed on 04/12/2026"."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="state_changes")
    state = models.CharField(max_length=10, choices=AgreementState.choices)
    on = models.DateField()
    balance = MoneyField()
    expected_balance = MoneyField()
    note = models.CharField(max_length=200)

    class Meta:
        ordering = ["on", "id"]


class Referral(models.Model):
    """A referral made for the tenant (debt advice, support, a hardship fund); the protocol wants evidence of them."""

    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(max_length=20, choices=ReferralKind.choices)
    made_on = models.DateField()
    to_whom = models.CharField(max_length=200, blank=True, help_text="The service or person referred to.")
    notes = models.TextField(blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)


class VulnerabilityReview(models.Model):
    """A recorded decision on the tenant's vulnerability (protocol: before a notice and before a claim). The notes are
    sensitive: shown only to roles with incomeapp.view_sensitive_notes."""

    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="vulnerability_reviews")
    reviewed_on = models.DateField()
    vulnerable = models.BooleanField(help_text="Whether the tenant is particularly vulnerable.")
    adjustments = models.TextField(blank=True, help_text="What changes because of it (contact, pace, support).")
    notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)


class BenefitClaim(models.Model):
    """A tenancy's Housing Benefit or UC housing-costs claim. When it is in payment to the landlord, what is due for
    past periods but not yet received is technical arrears (arrears.benefits), kept off the worklist."""

    tenancy = models.ForeignKey("tenancies.Tenancy", on_delete=models.PROTECT, related_name="benefit_claims")
    benefit = models.CharField(max_length=2, choices=Benefit.choices)
    status = models.CharField(max_length=25, choices=ClaimStatus.choices)
    weekly_amount = MoneyField(
        help_text="Housing costs expected each week (HB award, or UC housing element × 12 ÷ 52)."
    )
    paid_to_landlord = models.BooleanField(default=True)
    evidence_complete = models.BooleanField(
        default=False, help_text="The tenant has given everything asked for (protocol: proceedings wait for the claim)."
    )
    started_on = models.DateField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenancy", "benefit"], name="one_claim_per_tenancy_benefit")]

    def __str__(self) -> str:
        return f"{self.get_benefit_display()}: {self.get_status_display()}"


class DirectPaymentRequest(models.Model):
    """A request for a UC managed payment or deduction, or for HB direct: dated, with the claimant's objection window
    (DWP must let the claimant object before it takes effect) and the outcome."""

    tenancy = models.ForeignKey("tenancies.Tenancy", on_delete=models.PROTECT, related_name="direct_payment_requests")
    kind = models.CharField(max_length=25, choices=DirectPaymentKind.choices)
    status = models.CharField(max_length=20, choices=DirectPaymentStatus.choices, default=DirectPaymentStatus.REQUESTED)
    requested_on = models.DateField()
    claimant_notified_on = models.DateField(null=True, blank=True)
    objection_window_ends = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()


class DebtAgencyExport(TimeStampedModel):
    """A file of cases referred to a debt collection agency, as sent to it (kept for audit)."""

    agency = models.CharField(max_length=150)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)


class DebtAgencyReferral(TimeStampedModel):
    """A former tenant's (or sundry) debt referred to a debt collection agency, and what the agency collected."""

    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="agency_referrals")
    agency = models.CharField(max_length=150)
    referred_on = models.DateField()
    amount_referred = MoneyField()
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    export = models.ForeignKey(
        DebtAgencyExport, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    collected = MoneyField(default=0)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=255, blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["referred", "sent"]),
                name="one_live_agency_referral_per_case",
            )
        ]


class DebtAgencyReturn(TimeStampedModel):
    """An agency's return file: what it collected and the cases it gave back. Its SHA-256 is unique, so the same file
    is never read twice."""

    agency = models.CharField(max_length=150)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    rows_read = models.PositiveIntegerField(default=0)
    rows_posted = models.PositiveIntegerField(default=0)
    total_collected = MoneyField(default=0)
    report = models.JSONField(default=dict, blank=True)
