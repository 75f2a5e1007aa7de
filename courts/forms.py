from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import DateField, GdsFormMixin, MoneyField
from tenancies.models import Tenancy
from tenancies.references import PaymentReferenceField

from .constants import CourtOutcome, EvictionOutcome, ServiceMethod


class NoticePlanForm(GdsFormMixin, forms.Form):
    submit_label = "Plan the notice"

    payment_reference = PaymentReferenceField(
        label="Payment reference of the tenancy",
        error_messages={"required": "Enter the payment reference of the tenancy, like RW000123"},
    )
    served_on = DateField(
        label="Date the notice will be served",
        required_message="Enter the date the notice will be served, as a day, month and year",
        help_text="Today, or the day you expect to serve it. For example, 23 11 2026.",
        require_all_fields=False,
    )
    method = forms.ChoiceField(
        label="How it will be served",
        choices=ServiceMethod.choices,
        widget=forms.RadioSelect,
        initial=ServiceMethod.HAND,
        error_messages={"required": "Choose how the notice will be served"},
    )

    def clean_payment_reference(self):
        reference = self.cleaned_data["payment_reference"]
        tenancy = (
            Tenancy.objects.select_related("property__scheme__provider").filter(payment_reference=reference).first()
        )
        if tenancy is None:
            raise forms.ValidationError(f"No tenancy has the payment reference {reference}. Check it and try again")
        self.cleaned_data["tenancy"] = tenancy
        return reference

    def clean(self):
        from .serving import service_window

        cleaned = super().clean()
        tenancy, served_on = cleaned.get("tenancy"), cleaned.get("served_on")
        if tenancy is not None and served_on is not None:
            window = service_window(tenancy=tenancy)
            if served_on < window.earliest:
                self.add_error(
                    "served_on",
                    f"Plan a notice for {window.earliest:%-d %B %Y} or later ({window.earliest_is} for "
                    f"{tenancy.payment_reference})",
                )
        return cleaned


class NoticeServeForm(GdsFormMixin, forms.Form):
    """Records a notice as served: which notice (from the plan), the date and how it was served, who signed it and the
    proof. Only a date of service the notice can be recorded with is accepted (`courts.serving.service_window`)."""

    submit_label = "Continue"
    submit_name = "serve"

    notice_code = forms.ChoiceField(
        label="Notice served",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the notice that was served"},
    )
    served_on = DateField(
        label="Date the notice was served",
        required_message="Enter the date the notice was served, as a day, month and year",
        require_all_fields=False,
    )
    method = forms.ChoiceField(
        label="How it was served",
        choices=ServiceMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the notice was served"},
    )
    signatory = forms.CharField(
        label="Signed for the landlord by",
        max_length=200,
        help_text="Name and role, for example Priya Shah, Income Manager.",
        error_messages={"required": "Enter the name and role of the person who signed the notice"},
    )
    proof_of_service = forms.CharField(
        label="Proof of service",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who served it, how and at what time, and any witness.",
        error_messages={"required": "Say who served the notice, how and when"},
    )

    def __init__(self, *args, tenancy: Tenancy, notices: list[tuple[str, str]], **kwargs):
        from .serving import service_window

        super().__init__(*args, **kwargs)
        self.tenancy = tenancy
        self.window = service_window(tenancy=tenancy)
        self.fields["notice_code"].choices = notices
        if len(notices) == 1:
            self.fields["notice_code"].initial = notices[0][0]
        self.fields["served_on"].help_text = (
            f"A date from {self.window.earliest:%-d %B %Y} ({self.window.earliest_is}) to today, "
            f"{self.window.latest:%-d %B %Y}. For example, {self.window.latest:%-d %-m %Y}."
        )

    def clean_served_on(self):
        served_on = self.cleaned_data["served_on"]
        if problem := self.window.problem(served_on):
            raise forms.ValidationError(problem)
        return served_on


class ServeAcknowledgeForm(GdsFormMixin, forms.Form):
    """On the check page: the officer has read why serving now may be out of step with the case, and serves anyway."""

    submit_label = "Record the notice as served"
    submit_name = "confirm"

    acknowledged = forms.BooleanField(
        label="I have read the warning above and the notice should still be recorded as served",
        error_messages={"required": "Confirm you have read the warning, or go back and do not serve the notice"},
    )


class ProtocolCopyForm(GdsFormMixin, forms.Form):
    submit_label = "Record the protocol copy"
    submit_name = "protocol"

    sent_on = DateInputField(
        label="Date a copy of the pre-action protocol was sent", help_text="For example, 27 11 2026."
    )


class GateConfirmForm(GdsFormMixin, forms.Form):
    submit_label = "Confirm this step"
    submit_name = "confirm"

    key = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="What was done, and when",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what was done and when"},
    )


class AssessmentForm(GdsFormMixin, forms.Form):
    submit_label = "Save the assessment"
    submit_name = "assess"

    assessment = forms.CharField(
        label="Proportionality and equality assessment",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The tenant's circumstances, any disability and its link to the arrears, what else was tried, and "
        "why possession is a proportionate step.",
        error_messages={"required": "Write the proportionality and equality assessment"},
    )
    part3_letter_on = DateInputField(
        label="Date of the Part 3 letter inviting representations (mandatory grounds only)",
        required=False,
        require_all_fields=False,
    )


class DecisionForm(GdsFormMixin, forms.Form):
    submit_label = "Record the decision"
    submit_name = "decide"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve the claim"), ("refuse", "Send it back to the officer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve the claim"},
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Needed to send it back."
    )


class OverrideForm(GdsFormMixin, forms.Form):
    submit_label = "Go ahead without the checklist complete"
    submit_name = "override"

    reason = forms.CharField(
        label="Why the claim should go ahead now",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for going ahead"},
    )


class ClaimIssueForm(GdsFormMixin, forms.Form):
    submit_label = "Record the claim"
    submit_name = "issue"

    issued_on = DateInputField(label="Date the court issued the claim", require_all_fields=False)
    court_name = forms.CharField(label="County Court hearing centre", max_length=200)
    claim_number = forms.CharField(label="Claim number", max_length=30, required=False)


class ClaimEndForm(GdsFormMixin, forms.Form):
    submit_label = "Record how the claim ended"
    submit_name = "claim_end"

    outcome = forms.ChoiceField(
        label="How the claim ended",
        choices=[
            ("withdrawn", "Withdrawn by us"),
            ("stayed", "Stayed by the court"),
            ("struck_out", "Struck out by the court"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the claim ended"},
    )
    ended_on = DateInputField(label="Date it ended", require_all_fields=False)


class HearingForm(GdsFormMixin, forms.Form):
    submit_label = "Add the hearing"
    submit_name = "hearing"

    hearing_on = DateInputField(label="Hearing date", require_all_fields=False)
    papers_served_on = DateInputField(
        label="Date the claim papers were served on the tenants", required=False, require_all_fields=False
    )


class OutcomeForm(GdsFormMixin, forms.Form):
    submit_label = "Record the outcome"
    submit_name = "record_outcome"

    hearing_id = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose the outcome"), *CourtOutcome.choices])
    possession_on = DateInputField(label="Date for possession in the order", required=False, require_all_fields=False)
    terms_amount = MoneyField(
        label="Weekly amount towards the arrears (on top of rent)", required=False, help_text="For orders on terms."
    )
    terms_first_payment_on = DateInputField(
        label="Date the order's first payment towards the arrears is due",
        required=False,
        require_all_fields=False,
        help_text="For orders on terms, as the order says. Left empty, the first payment is due 5 days after the "
        "hearing.",
    )
    terms = forms.CharField(
        label="Conditions as the court wrote them", required=False, widget=forms.Textarea({"rows": 2})
    )
    mandatory_ground = forms.BooleanField(
        label="Made on a mandatory ground (Ground 8 or section 21)",
        required=False,
        help_text="An outright order on Ground 8 needs the threshold unpaid at service and on the hearing date.",
    )
    exceptional_hardship = forms.BooleanField(label="The court found exceptional hardship", required=False)
    costs = MoneyField(
        label="Costs awarded to us (optional)",
        required=False,
        help_text="As the order says. They go on the court costs account, not the rent account.",
    )


class WarrantRequestForm(GdsFormMixin, forms.Form):
    submit_label = "Ask for a warrant"
    submit_name = "warrant"

    hearing_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why a warrant is needed now", widget=forms.Textarea({"rows": 2}), help_text="The breach, what was tried."
    )


class WarrantStepForm(GdsFormMixin, forms.Form):
    """One step on a warrant: a decision, the application, the eviction booking, the eviction's outcome."""

    submit_label = "Save"
    submit_name = "warrant_step"

    warrant_id = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.ChoiceField(
        choices=[("approve", "approve"), ("refuse", "refuse"), ("applied", "applied"), ("book", "book")],
        widget=forms.HiddenInput,
    )
    on = DateInputField(label="Date", required=False, require_all_fields=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea({"rows": 2}))


class EvictionOutcomeForm(GdsFormMixin, forms.Form):
    submit_label = "Record what happened"
    submit_name = "eviction_outcome"

    eviction_id = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label="What happened", choices=EvictionOutcome.choices, widget=forms.RadioSelect)
    on = DateInputField(label="Date", require_all_fields=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea({"rows": 2}))


class IntroReviewForm(GdsFormMixin, forms.Form):
    submit_label = "Record the review"
    submit_name = "review"

    requested_on = DateInputField(label="Date the tenant asked for a review", require_all_fields=False)
    decision_on = DateInputField(
        label="Date the decision was notified to the tenant", required=False, require_all_fields=False
    )
    upheld = forms.ChoiceField(
        label="The decision",
        required=False,
        choices=[("yes", "Upheld: possession will still be sought"), ("no", "Not upheld")],
        widget=forms.RadioSelect,
    )
