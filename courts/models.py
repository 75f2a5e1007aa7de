"""Legal action. The law itself is data: `NoticeRule` (which notice a tenure needs, by jurisdiction, sector and date)
and its `GroundRule`s (grounds, notice periods, serious-arrears thresholds), each citing its source. A change in the law
is a new row with a later effective date, never an edit to code."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from incomeapp.constants import Jurisdiction
from incomeapp.models import MoneyField
from tenancies.models import ends_after_it_starts

from .constants import (
    CourtOutcome,
    DateRule,
    EvictionOutcome,
    GroundKind,
    LapseRule,
    NoticeType,
    PeriodBoundary,
    Sector,
    ServiceMethod,
    WarrantForm,
    WarrantStatus,
)


class NoticeRule(models.Model):
    code = models.SlugField(max_length=60, help_text="For example secure-nosp; versions share a code.")
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    sector = models.CharField(max_length=12, choices=Sector.choices, default=Sector.ANY)
    tenure_types = models.CharField(max_length=200, help_text="Comma-separated tenure codes, e.g. SECURE,FLEXIBLE.")
    effective_from = models.DateField(help_text="The first service date this rule applies to.")
    effective_to = models.DateField(null=True, blank=True, help_text="The last; empty while it is the law.")
    notice_type = models.CharField(max_length=30, choices=NoticeType.choices)
    label = models.CharField(max_length=120, help_text="What staff call it, e.g. NOSP or NRP (s21).")
    form = models.CharField(max_length=120, blank=True, help_text="The prescribed form, if any.")
    regime = models.CharField(max_length=60, help_text="e.g. SOCIAL_ASSURED_PRE_RRA, RRA_2025_PHASE1.")
    date_rule = models.CharField(max_length=10, choices=DateRule.choices)
    min_days = models.PositiveIntegerField(default=0)
    min_months = models.PositiveIntegerField(default=0)
    period_boundary = models.CharField(max_length=10, choices=PeriodBoundary.choices, default=PeriodBoundary.FIRST_DAY)
    lapse_rule = models.CharField(max_length=20, choices=LapseRule.choices, default=LapseRule.NONE)
    lapse_months = models.PositiveIntegerField(default=0)
    court_order_needed = models.BooleanField(default=True)
    review_days = models.PositiveIntegerField(default=0, help_text="Days the tenant has to ask for a review (s129).")
    prescribed_information = models.TextField(blank=True, help_text="Text the notice must reproduce word for word.")
    source = models.TextField(help_text="Where the rule comes from (legal-spec section and its sources).")
    to_confirm = models.TextField(blank=True, help_text="[B]/[GAP] points a housing lawyer should confirm.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "jurisdiction", "sector", "effective_from"], name="one_notice_rule_version"
            ),
            ends_after_it_starts("notice_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_jurisdiction_display()}, from {self.effective_from:%-d %B %Y})"


class GroundRule(models.Model):
    notice_rule = models.ForeignKey(NoticeRule, on_delete=models.CASCADE, related_name="grounds")
    code = models.CharField(max_length=30, help_text="e.g. HA1988-8.")
    title = models.CharField(max_length=120)
    text = models.TextField(help_text="The ground in full, as the notice must set it out.")
    kind = models.CharField(max_length=15, choices=GroundKind.choices)
    notice_days = models.PositiveIntegerField(default=0)
    threshold_weeks = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    threshold_months = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    uc_disregard = models.BooleanField(
        default=False, help_text="Arrears unpaid only because a Universal Credit award is awaited do not count."
    )
    for_arrears = models.BooleanField(default=True, help_text="A rent-arrears ground (barred during Breathing Space).")
    source = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["notice_rule", "id"]
        constraints = [models.UniqueConstraint(fields=["notice_rule", "code"], name="one_ground_per_notice_rule")]

    def __str__(self) -> str:
        return self.title


class PrescribedForm(models.Model):
    """A notice's prescribed form (or, where the law prescribes content but no form, that content) as dated data: its
    sections in order, the notes to the tenant word for word, where the landlord's particulars go, its source and
    commencement. A notice uses the version in force on its date of service; a change in the law is a new row."""

    code = models.SlugField(max_length=60, help_text="For example secure-nosp, form-3, form-3a, form-6a, s128, ntq.")
    notice_type = models.CharField(max_length=30, choices=NoticeType.choices)
    title = models.CharField(max_length=250, help_text="The form's heading as prescribed.")
    version = models.CharField(max_length=120, help_text="Which version, e.g. 'as amended by SI 1997/71'.")
    effective_from = models.DateField(help_text="The first date of service this version applies to.")
    effective_to = models.DateField(null=True, blank=True, help_text="The last; empty while it is in force.")
    sections = models.JSONField(
        default=list,
        help_text="The form in order: [{key, heading, text}], text word for word with {placeholders} for particulars.",
    )
    commencement = models.CharField(max_length=250, help_text="The instrument and date that brought it into force.")
    source = models.TextField(help_text="Where the text was taken from (legislation, gov.uk forms page).")
    to_confirm = models.TextField(blank=True, help_text="What a housing lawyer should confirm.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="one_prescribed_form_version"),
            ends_after_it_starts("prescribed_form"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version}, from {self.effective_from:%-d %B %Y})"


class Notice(models.Model):
    """A possession notice as served: what the planner worked out on the day, fixed (the law rule version, the grounds
    in full, the figures), the PDFs (one per named tenant, in documents), how it was served and the proof."""

    tenancy = models.ForeignKey("tenancies.Tenancy", on_delete=models.PROTECT, related_name="notices")
    notice_rule = models.ForeignKey(NoticeRule, on_delete=models.PROTECT, related_name="notices")
    label = models.CharField(max_length=120)
    notice_type = models.CharField(max_length=30, choices=NoticeType.choices)
    served_on = models.DateField()
    method = models.CharField(max_length=10, choices=ServiceMethod.choices)
    deemed_served_on = models.DateField()
    earliest_proceedings_on = models.DateField()
    lapses_on = models.DateField(null=True, blank=True)
    tenant_names = models.JSONField(default=list)
    address = models.TextField()
    grounds = models.JSONField(default=list, help_text="The grounds as set out in the notice, in full.")
    balance = MoneyField()
    rent_arrears = MoneyField(help_text="Rent lawfully due and unpaid on the date of service.")
    rent_per_period = MoneyField()
    rent_period = models.CharField(max_length=20)
    serious_arrears = models.JSONField(default=list, help_text="Ground 8 (or RHW20) at service: met and margin.")
    signatory = models.CharField(max_length=200, help_text="Who signs the notice for the landlord, and their role.")
    proof_of_service = models.TextField(help_text="Who served it, how, when, and any witness.")
    protocol_copy_sent_on = models.DateField(
        null=True, blank=True, help_text="When a copy of the pre-action protocol was sent after service."
    )
    review_by = models.DateField(
        null=True, blank=True, help_text="Introductory tenancies: the last day to ask for a review."
    )
    review_requested_on = models.DateField(null=True, blank=True)
    review_decision_on = models.DateField(null=True, blank=True, help_text="When the review decision was notified.")
    review_upheld = models.BooleanField(null=True, blank=True, help_text="The decision to seek possession was upheld.")
    prescribed_form = models.ForeignKey(
        "PrescribedForm",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        help_text="The version of the prescribed form (or required content) in force on the date of service.",
    )
    voided_on = models.DateField(null=True, blank=True, help_text="When the notice was found to be void.")
    void_reason = models.TextField(blank=True, help_text="Why it is void (e.g. served during a Breathing Space).")
    served_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.label} served {self.served_on:%-d %B %Y} ({self.tenancy.payment_reference})"


class LegalCase(models.Model):
    """Possession proceedings for a tenancy on a served notice: the protocol gate, the approvals, the claim pack."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing the claim"
        APPROVED = "approved", "Approved: claim pack ready"
        CLOSED = "closed", "Closed"

    tenancy = models.ForeignKey("tenancies.Tenancy", on_delete=models.PROTECT, related_name="legal_cases")
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="legal_cases")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREPARING)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    assessment = models.TextField(
        blank=True, help_text="Proportionality and equality: circumstances, disability, alternatives, and why."
    )
    part3_letter_on = models.DateField(null=True, blank=True, help_text="Mandatory grounds: the Part 3 letter's date.")
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    claim_pack = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim_issued_on = models.DateField(null=True, blank=True)
    court_name = models.CharField(max_length=200, blank=True, help_text="The County Court hearing centre.")
    claim_number = models.CharField(max_length=30, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the claim left the court stage (struck out, stayed, withdrawn...)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        permissions = [("override_protocol_gate", "Can let a claim go ahead with the protocol checklist incomplete")]
        constraints = [
            models.UniqueConstraint(
                fields=["tenancy"], condition=~Q(status="closed"), name="one_open_legal_case_per_tenancy"
            )
        ]

    def __str__(self) -> str:
        return f"Legal case {self.pk} ({self.tenancy.payment_reference})"


class GateConfirmation(models.Model):
    """An officer's confirmation of a protocol step the record cannot show (with what was done)."""

    legal_case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="confirmations")
    key = models.CharField(max_length=30)
    note = models.TextField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["legal_case", "key"], name="one_confirmation_per_step")]


class LegalApproval(models.Model):
    """One step of an internal approval chain, for the claim (no warrant) or for a warrant: a different person from
    the one who asked and from every earlier approver, holding the step's role."""

    legal_case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="approvals")
    warrant = models.ForeignKey("Warrant", null=True, blank=True, on_delete=models.CASCADE, related_name="approvals")
    step = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=60)
    approved = models.BooleanField()
    notes = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    superseded = models.BooleanField(
        default=False,
        help_text="An approval given before someone later sent the claim back: kept for the audit trail, no longer "
        "counted (the chain starts again).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "id"]


class Hearing(models.Model):
    """A hearing of the claim and, once recorded, its outcome. An order's terms become a court agreement on the
    arrears case, monitored every day."""

    legal_case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="hearings")
    hearing_on = models.DateField()
    papers_served_on = models.DateField(null=True, blank=True, help_text="When the claim papers were served.")
    outcome = models.CharField(max_length=40, choices=CourtOutcome.choices, blank=True)
    possession_on = models.DateField(null=True, blank=True, help_text="The date for possession in the order.")
    terms_amount = MoneyField(null=True, blank=True, help_text="Paid towards the arrears each week, on top of rent.")
    terms = models.TextField(blank=True, help_text="The order's conditions as the court wrote them.")
    mandatory_ground = models.BooleanField(default=False, help_text="The order was made on a mandatory ground.")
    exceptional_hardship = models.BooleanField(default=False)
    date_fixed_on = models.DateField(
        null=True, blank=True, help_text="After a postponed order was broken: the date for possession the court fixed."
    )
    terms_first_payment_on = models.DateField(
        null=True, blank=True, help_text="The date the order's first payment towards the arrears is due."
    )
    ground8_at_hearing = models.JSONField(
        default=dict,
        blank=True,
        help_text="The serious-arrears ground worked out on the hearing date: rent arrears, threshold, met, margin.",
    )
    costs = MoneyField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing_on", "id"]

    def __str__(self) -> str:
        return f"Hearing {self.hearing_on:%-d %B %Y} ({self.legal_case.tenancy.payment_reference})"


class Warrant(models.Model):
    """A warrant of possession: asked for on N325 (or N325A with the statement of payments), approved by the chain,
    applied for, the eviction booked (N54) and its outcome."""

    legal_case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="warrants")
    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="warrants")
    form = models.CharField(max_length=6, choices=WarrantForm.choices)
    status = models.CharField(max_length=20, choices=WarrantStatus.choices, default=WarrantStatus.AWAITING_APPROVAL)
    reason = models.TextField(help_text="Why the warrant is needed now (the breach, what was tried).")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_notes = models.TextField(blank=True)
    applied_on = models.DateField(null=True, blank=True)
    statement_of_payments = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]


class Eviction(models.Model):
    """An eviction: booked by the court's bailiffs on a warrant, or, for an excluded licence, without a court once the
    notice has run out."""

    tenancy = models.ForeignKey("tenancies.Tenancy", on_delete=models.PROTECT, related_name="evictions")
    warrant = models.ForeignKey(Warrant, null=True, blank=True, on_delete=models.PROTECT, related_name="evictions")
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="evictions")
    scheduled_on = models.DateField()
    outcome = models.CharField(max_length=12, choices=EvictionOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheduled_on", "id"]
