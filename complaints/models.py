"""Complaints from tenants, recorded against the person and the tenancy, with each stage's due dates worked out in
working days from the Housing Ombudsman's Complaint Handling Code, held as dated data (`ComplaintHandlingRule`) with
its source, never as constants."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .constants import ComplaintAbout, ComplaintOutcome, ComplaintStageKind, ResponseClockStart


class ComplaintHandlingRule(models.Model):
    """How quickly a landlord must acknowledge and answer a complaint at a stage, from `effective_from`: the rule in
    force on the day a stage began applies to it."""

    stage = models.CharField(max_length=10, choices=ComplaintStageKind.choices)
    effective_from = models.DateField()
    acknowledge_working_days = models.PositiveSmallIntegerField()
    respond_working_days = models.PositiveSmallIntegerField()
    respond_from = models.CharField(max_length=15, choices=ResponseClockStart.choices)
    extension_working_days = models.PositiveSmallIntegerField(
        help_text="The longest the response may be put back, with the complainant told why."
    )
    source = models.TextField(help_text="Where the rule comes from: the code, its paragraph and its address.")

    class Meta:
        ordering = ["stage", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "effective_from"], name="one_complaint_rule_per_stage_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} from {self.effective_from:%-d %B %Y}"


class Complaint(models.Model):
    person = models.ForeignKey("tenancies.Person", on_delete=models.PROTECT, related_name="complaints")
    tenancy = models.ForeignKey(
        "tenancies.Tenancy", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    about = models.CharField(max_length=20, choices=ComplaintAbout.choices)
    summary = models.TextField(help_text="What the complaint is about, in the complainant's terms.")
    received_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [("manage_complaints", "Can record, answer and escalate complaints")]

    def __str__(self) -> str:
        return f"Complaint {self.pk} from {self.person}"


class ComplaintStage(models.Model):
    """One stage of a complaint, with the due dates the rule in force gave it when it began. A new stage (escalation
    to stage 2, referral to the Ombudsman) is a new row; earlier stages keep their dates and outcome."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=10, choices=ComplaintStageKind.choices)
    started_on = models.DateField(help_text="Received, or the day the complainant asked to escalate.")
    rule = models.ForeignKey(ComplaintHandlingRule, null=True, blank=True, on_delete=models.PROTECT)
    acknowledge_by = models.DateField(null=True, blank=True)
    respond_by = models.DateField(null=True, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=ComplaintOutcome.choices, blank=True)
    response_summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["complaint", "started_on", "id"]
        constraints = [models.UniqueConstraint(fields=["complaint", "stage"], name="one_row_per_complaint_stage")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} of complaint {self.complaint_id}"
