from django import forms

from incomeapp.forms import DateField, GdsFormMixin

from .constants import ComplaintAbout, ComplaintOutcome

NO_TENANCY = "none"


class ComplaintRecordForm(GdsFormMixin, forms.Form):
    """A complaint as it was made: who made it (from a tenancy page, one of its named tenants), which tenancy it is
    about (from a person page, one of theirs or none), what about, when it arrived and what it says."""

    submit_label = "Record the complaint"

    person = forms.ChoiceField(
        label="Who made the complaint",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who made the complaint"},
    )
    tenancy = forms.ChoiceField(
        label="Which tenancy it is about",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the tenancy the complaint is about, or that it is about none"},
    )
    about = forms.ChoiceField(
        label="What the complaint is about",
        choices=ComplaintAbout.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the complaint is about"},
    )
    received_on = DateField(
        label="Date the complaint was received",
        required_message="Enter the date the complaint was received, as a day, month and year",
        help_text="The day it reached us, by any route. For example, 24 12 2026.",
        require_all_fields=False,
    )
    summary = forms.CharField(
        label="What the complaint says",
        help_text="In the complainant's own terms, and what they want to happen.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter what the complaint says"},
    )

    def __init__(self, *args, people=None, tenancies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].choices = [(str(person.pk), person.full_name) for person in people]
        if tenancies is None:
            del self.fields["tenancy"]
        else:
            self.fields["tenancy"].choices = [
                *((tenancy.payment_reference, f"{tenancy.payment_reference}, {tenancy.property.one_line_address}")
                  for tenancy in tenancies),
                (NO_TENANCY, "Not about a tenancy"),
            ]  # fmt: skip


class AcknowledgeForm(GdsFormMixin, forms.Form):
    submit_label = "Record the acknowledgement"

    acknowledged_on = DateField(
        label="Date the complaint was acknowledged",
        required_message="Enter the date the complaint was acknowledged, as a day, month and year",
        require_all_fields=False,
    )


class ExtendForm(GdsFormMixin, forms.Form):
    submit_label = "Extend the time to respond"

    extended_to = DateField(
        label="New date the response is due",
        required_message="Enter the new date the response is due, as a day, month and year",
        require_all_fields=False,
    )
    reason = forms.CharField(
        label="Why more time is needed",
        help_text="The complainant must be told this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for the extension: the complainant must be told why"},
    )


class RespondForm(GdsFormMixin, forms.Form):
    submit_label = "Record the response"

    responded_on = DateField(
        label="Date of the response",
        required_message="Enter the date of the response, as a day, month and year",
        require_all_fields=False,
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ComplaintOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    response_summary = forms.CharField(
        label="Summary of the response",
        help_text="What was decided, why, and anything put right or still to do.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter a summary of the response"},
    )


class EscalateForm(GdsFormMixin, forms.Form):
    submit_label = "Escalate to stage 2"

    requested_on = DateField(
        label="Date the complainant asked to escalate",
        required_message="Enter the date the complainant asked to escalate, as a day, month and year",
        require_all_fields=False,
    )


class ReferForm(GdsFormMixin, forms.Form):
    submit_label = "Record the referral"

    referred_on = DateField(
        label="Date the complaint was referred to the Housing Ombudsman",
        required_message="Enter the date of the referral, as a day, month and year",
        require_all_fields=False,
    )
