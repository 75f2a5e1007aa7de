"""Forms for staff changes: roles, delegated authority, email, password reset, and a second administrator's decision."""

from django import forms
from django.contrib.auth.models import Group

from .constants import Role
from .forms import DecisionForm, GdsFormMixin, MoneyField


class _ReasonForm(GdsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you making this change?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="The person who approves it reads this, and it is kept with the change.",
        error_messages={"required": "Give the reason for the change"},
    )


class StaffRolesForm(_ReasonForm):
    submit_label = "Change roles"
    field_order = ["roles", "reason"]

    roles = forms.ModelMultipleChoiceField(
        label="Roles",
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Leave all unticked to take every role away.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = Group.objects.filter(name__in=Role.values).order_by("name")


class StaffAuthorityLimitForm(_ReasonForm):
    submit_label = "Change delegated authority"
    field_order = ["limit", "reason"]

    limit = MoneyField(
        label="Delegated authority limit, in pounds",
        help_text="The most this person may approve for one tenancy's accounts within the approval window. "
        "£0.00 means they approve nothing.",
        error_messages={"required": "Enter the limit, like 500.00"},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )

    def clean_limit(self):
        limit = self.cleaned_data["limit"]
        if limit < 0:
            raise forms.ValidationError("Enter a limit of £0.00 or more")
        return limit


class StaffEmailForm(_ReasonForm):
    submit_label = "Change email address"
    field_order = ["email", "reason"]

    email = forms.EmailField(
        label="Email address",
        help_text="Password reset links go to this address.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class StaffPasswordResetForm(_ReasonForm):
    submit_label = "Reset password"


class StaffChangeDecisionForm(DecisionForm):
    keeps_it = "It is kept with the change."
