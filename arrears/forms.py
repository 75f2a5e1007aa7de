from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import GdsFormMixin, MoneyField

from .constants import (
    RECORDABLE_OUTCOMES,
    AgentKind,
    AgreementFrequency,
    Benefit,
    BreathingSpaceEnd,
    BreathingSpaceKind,
    BreathingSpaceReviewOutcome,
    ClaimStatus,
    ContactKind,
    ContactOutcome,
    DirectPaymentKind,
    NonPaymentReason,
    PauseReason,
    ReferralKind,
)


class CaseForm(GdsFormMixin, forms.Form):
    """The case page holds several forms: each gets its own id prefix, so no two inputs share an id.

    A field named apart from its service's keyword only so that no two forms' inputs share a name is listed in
    `service_names`; `service_arguments` gives the cleaned data under the service's keywords. A form with a choice of
    the tenancy's named tenants names that field `tenant_field`: it offers the `people` given, and its cleaned value
    is the chosen person (or None). The case page fills `dated_today` with today's date."""

    id_prefix = "case"
    service_names: dict[str, str] = {}
    tenant_field = ""
    no_tenant_label = ""
    dated_today = ""

    def __init__(self, *args, people=(), **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        if self.tenant_field:
            self.fields[self.tenant_field].choices = [
                ("", self.no_tenant_label),
                *((pk, person.full_name) for pk, person in self.people.items()),
            ]

    @classmethod
    def page_initial(cls, today) -> dict:
        return {cls.dated_today: today} if cls.dated_today else {}

    def clean(self):
        data = super().clean()
        if self.tenant_field in data:
            data[self.tenant_field] = self.people.get(data[self.tenant_field])
        return data

    def service_arguments(self) -> dict:
        return {self.service_names.get(name, name): value for name, value in self.cleaned_data.items()}


class ContactForm(CaseForm):
    id_prefix = "contact"
    submit_label = "Record contact"
    submit_name = "record_contact"
    tenant_field = "person"
    no_tenant_label = "Not with a named tenant"
    dated_today = "occurred_on"
    SOMEONE_ELSE = "someone_else"

    kind = forms.ChoiceField(
        label="How", choices=ContactKind.choices, widget=forms.RadioSelect, error_messages={"required": "Choose how"}
    )
    person = forms.ChoiceField(
        label="Who you spoke to, or tried to reach",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who you spoke to, or tried to reach"},
    )
    outcome = forms.ChoiceField(
        label="What happened",
        # Only what a person can record: the letters' statuses (queued, sent, failed, withheld) are the system's.
        choices=[c for c in ContactOutcome.choices if c[0] in RECORDABLE_OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened"},
    )
    occurred_on = DateInputField(label="When", help_text="For example, 27 11 2026")
    non_payment_reason = forms.ChoiceField(
        label="Reason for not paying (if given)", choices=[("", "Not given"), *NonPaymentReason.choices], required=False
    )
    promise_amount = MoneyField(label="Promised to pay (£)", required=False)
    promise_on = DateInputField(label="Promised by", required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who is required: a named tenant, or someone else the notes name (a partner, an adviser, a support worker).
        self.fields["person"].choices = [
            *self.fields["person"].choices[1:],
            (self.SOMEONE_ELSE, "Someone else: say who below"),
        ]

    def clean(self):
        someone_else = self.data.get(self.add_prefix("person")) == self.SOMEONE_ELSE
        data = super().clean()
        if data.get("outcome") == ContactOutcome.RETURNED and data.get("kind") != ContactKind.LETTER:
            self.add_error("outcome", "Only a letter can come back undelivered: choose Letter under How")
        if someone_else and not (data.get("notes") or "").strip():
            self.add_error("notes", "Say who you spoke to, or tried to reach, and how they know the tenant")
        return data


class AgreementForm(CaseForm):
    id_prefix = "agreement"
    submit_label = "Check the agreement"  # the check page shows how long it takes to clear the arrears, then saves
    submit_name = "make_agreement"

    amount = MoneyField(
        label="Amount towards the arrears (£)",
        help_text="Paid on top of the rent each time.",
        error_messages={"required": "Enter the amount to pay towards the arrears"},
    )
    frequency = forms.ChoiceField(
        label="How often", choices=AgreementFrequency.choices, error_messages={"required": "Choose how often"}
    )
    starts_on = DateInputField(label="First payment date", help_text="For example, 4 12 2026")
    monthly_income = MoneyField(label="Monthly income (£), from the income and expenditure record", required=False)
    monthly_expenditure = MoneyField(label="Monthly spending (£), from the same record", required=False)


class PauseForm(CaseForm):
    id_prefix = "pause"
    submit_label = "Pause case"
    submit_name = "pause_case"

    reason = forms.ChoiceField(label="Why", choices=PauseReason.choices, error_messages={"required": "Choose why"})
    ends_on = DateInputField(label="Look at it again on", help_text="For example, 14 12 2026")
    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 2}))


class BreathingSpaceForm(CaseForm):
    """Records a moratorium from the Insolvency Service notice (legal-spec §6.4)."""

    id_prefix = "space"
    submit_label = "Record Breathing Space"
    submit_name = "record_breathing_space"
    service_names = {"moratorium_type": "kind"}
    tenant_field = "debtor"
    no_tenant_label = "Not known"
    dated_today = "notified_on"

    # Not "kind": the contact form on the same page has one, and the radios' ids come from the field's name.
    moratorium_type = forms.ChoiceField(
        label="Type",
        choices=BreathingSpaceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type"},
    )
    reference = forms.CharField(label="Insolvency Service reference", required=False, max_length=50)
    debtor = forms.ChoiceField(
        label="Tenant in the Breathing Space",
        required=False,
        help_text="A joint tenant is protected for the same debt.",
    )
    starts_on = DateInputField(
        label="Start date", help_text="From the Insolvency Service notice. For example, 20 11 2026"
    )
    notified_on = DateInputField(
        label="Date we were told", required=False, help_text="From the notice or email. For example, 21 11 2026"
    )
    adviser_name = forms.CharField(label="Debt adviser's name", required=False, max_length=200)
    adviser_organisation = forms.CharField(label="Debt advice organisation", required=False, max_length=200)
    adviser_contact = forms.CharField(
        label="Debt adviser's phone or email",
        required=False,
        max_length=200,
        help_text="Contact about the debt goes here.",
    )


class BreathingSpaceEndForm(CaseForm):
    id_prefix = "space_end"
    submit_label = "Record the end"
    submit_name = "record_breathing_space_end"
    service_names = {"end_reason": "reason"}

    end_reason = forms.ChoiceField(
        label="How it ended",
        choices=BreathingSpaceEnd.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it ended"},
    )
    ended_on = DateInputField(
        label="Date it ended", help_text="The last day it protected, as the adviser gave it. For example, 4 12 2026"
    )


class BreathingSpaceTreatmentEndForm(CaseForm):
    id_prefix = "space_treatment"
    submit_label = "Record the treatment end"
    submit_name = "record_treatment_end"

    treatment_ended_on = DateInputField(
        label="Date the crisis treatment ended",
        help_text="The Breathing Space ends 30 days later. For example, 4 12 2026",
    )


class BreathingSpaceReviewRequestForm(CaseForm):
    id_prefix = "space_review"
    submit_label = "Record the review request"
    submit_name = "record_review_request"
    service_names = {"review_requested_on": "requested_on", "review_grounds": "grounds"}
    dated_today = "review_requested_on"

    review_requested_on = DateInputField(label="Date we asked the debt adviser", help_text="For example, 4 12 2026")
    review_grounds = forms.CharField(
        label="Grounds",
        help_text="How the moratorium unfairly prejudices us, or what was irregular about it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the grounds for the review"},
    )


class BreathingSpaceReviewOutcomeForm(CaseForm):
    id_prefix = "space_outcome"
    submit_label = "Record the outcome"
    submit_name = "record_review_outcome"
    service_names = {"review_outcome": "outcome"}

    review_outcome = forms.ChoiceField(
        label="The debt adviser's answer",
        choices=[(value, label) for value, label in BreathingSpaceReviewOutcome.choices if value != "awaiting"],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the adviser's answer"},
    )
    cancelled_on = DateInputField(
        label="Date it was cancelled (if cancelled)", required=False, help_text="For example, 4 12 2026"
    )


class BreathingSpaceAgentForm(CaseForm):
    id_prefix = "space_agent"
    submit_label = "Record the agent told"
    submit_name = "record_agent_told"
    dated_today = "told_on"

    agent_kind = forms.ChoiceField(
        label="Kind of agent", choices=AgentKind.choices, error_messages={"required": "Choose the kind of agent"}
    )
    agent_name = forms.CharField(
        label="Agent's name", max_length=200, error_messages={"required": "Enter the agent's name"}
    )
    told_on = DateInputField(label="Date they were told", help_text="For example, 4 12 2026")
    how = forms.CharField(
        label="How they were told", required=False, max_length=200, help_text="Email, letter, portal."
    )


class PolicyUploadForm(GdsFormMixin, forms.Form):
    submit_label = "Upload as a new draft version"
    submit_name = "upload_policy"

    policy_file = forms.FileField(
        label="Policy file (YAML)",
        help_text="Export the live version, edit it, and upload it here. It is checked before anything is kept.",
        error_messages={"required": "Choose the policy file to upload"},
    )

    def clean_policy_file(self):
        upload = self.cleaned_data["policy_file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(
                "A policy file is a few kilobytes; this one is over 1 MB. Check you chose the right file."
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The file is not text. Save it as YAML (UTF-8) and upload it again.") from error


class PreviewForm(GdsFormMixin, forms.Form):
    submit_label = "Preview this week's review"
    submit_name = "preview"

    compare = forms.ModelChoiceField(
        label="Also show what would change under",
        queryset=None,
        required=False,
        empty_label="Nothing else: just the live policies",
    )

    def __init__(self, *args, **kwargs):
        from .models import ArrearsPolicyVersion

        super().__init__(*args, **kwargs)
        self.fields["compare"].queryset = ArrearsPolicyVersion.objects.select_related("policy").exclude(status="live")
        self.fields["compare"].label_from_instance = lambda v: (
            f"{v.policy.title}, version {v.number} ({v.get_status_display().lower()})"
        )


class ReferralForm(CaseForm):
    id_prefix = "referral"
    submit_label = "Record referral"
    submit_name = "record_referral"
    service_names = {"referral_kind": "kind"}
    dated_today = "made_on"

    referral_kind = forms.ChoiceField(
        label="Referred to", choices=ReferralKind.choices, error_messages={"required": "Choose where to"}
    )
    to_whom = forms.CharField(label="Service or person", required=False, max_length=200)
    made_on = DateInputField(label="Date", help_text="For example, 27 11 2026")
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class VulnerabilityReviewForm(CaseForm):
    id_prefix = "vulnerability"
    submit_label = "Record review"
    submit_name = "record_vulnerability_review"
    service_names = {"vulnerability_notes": "notes"}
    dated_today = "reviewed_on"

    vulnerable = forms.TypedChoiceField(
        label="Is the tenant particularly vulnerable?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the tenant is particularly vulnerable"},
    )
    adjustments = forms.CharField(
        label="What changes because of it", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reviewed_on = DateInputField(label="Date of the review", help_text="For example, 27 11 2026")
    vulnerability_notes = forms.CharField(
        label="Notes (seen only by staff who may see health notes)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ReassignForm(GdsFormMixin, forms.Form):
    submit_label = "Reassign these cases"
    submit_name = "reassign"

    to_officer = forms.ModelChoiceField(label="Reassign every case in this list to", queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs):
        from incomeapp.models import User

        super().__init__(*args, **kwargs)
        self.fields["to_officer"].queryset = (
            User.objects.filter(is_active=True, groups__permissions__codename="use_worklist")
            .distinct()
            .order_by("first_name", "username")
        )
        self.fields["to_officer"].label_from_instance = lambda user: user.get_full_name() or user.username


class BenefitClaimForm(CaseForm):
    id_prefix = "claim"
    submit_label = "Save benefit claim"
    submit_name = "save_claim"
    service_names = {"claim_status": "status", "claim_started_on": "started_on"}

    benefit = forms.ChoiceField(
        label="Benefit", choices=Benefit.choices, error_messages={"required": "Choose the benefit"}
    )
    claim_status = forms.ChoiceField(label="Status", choices=ClaimStatus.choices)
    weekly_amount = MoneyField(
        label="Housing costs a week (£)",
        help_text="For UC: the monthly housing element × 12 ÷ 52.",
        error_messages={"required": "Enter the housing costs a week"},
    )
    claim_started_on = DateInputField(label="Claim started", help_text="For example, 6 4 2026")
    paid_to_landlord = forms.BooleanField(label="Paid to us (the landlord)", required=False, initial=True)
    evidence_complete = forms.BooleanField(label="The tenant has given all the evidence asked for", required=False)


class DirectPaymentRequestForm(CaseForm):
    id_prefix = "direct"
    submit_label = "Record request"
    submit_name = "record_direct_payment"
    service_names = {"request_kind": "kind"}
    dated_today = "requested_on"

    request_kind = forms.ChoiceField(label="What was asked for", choices=DirectPaymentKind.choices)
    requested_on = DateInputField(label="Date sent", help_text="For example, 27 11 2026")


# The case page's forms, by the name its template gives each.
CASE_PAGE_FORMS: dict[str, type[CaseForm]] = {
    "contact_form": ContactForm,
    "agreement_form": AgreementForm,
    "pause_form": PauseForm,
    "referral_form": ReferralForm,
    "vulnerability_form": VulnerabilityReviewForm,
    "claim_form": BenefitClaimForm,
    "direct_form": DirectPaymentRequestForm,
    "breathing_space_form": BreathingSpaceForm,
    "space_end_form": BreathingSpaceEndForm,
    "space_treatment_form": BreathingSpaceTreatmentEndForm,
    "space_review_form": BreathingSpaceReviewRequestForm,
    "space_outcome_form": BreathingSpaceReviewOutcomeForm,
    "space_agent_form": BreathingSpaceAgentForm,
}

# The recovery forms (tracing, a debt agency referral, the money claim pack) build on CaseForm above.
from .forms_recovery import RECOVERY_FORMS  # noqa: E402

CASE_PAGE_FORMS.update(RECOVERY_FORMS)
