from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import GdsFormMixin
from tenancies.models import Tenancy

from .constants import ServiceMethod


class NoticePlanForm(GdsFormMixin, forms.Form):
    submit_label = "Plan the notice"

    payment_reference = forms.CharField(
        label="Payment reference of the tenancy",
        max_length=20,
        error_messages={"required": "Enter the payment reference of the tenancy, like RW000123"},
    )
    served_on = DateInputField(
        label="Date the notice will be served", help_text="For example, 23 11 2026.", require_all_fields=False
    )
    method = forms.ChoiceField(
        label="How it will be served",
        choices=ServiceMethod.choices,
        widget=forms.RadioSelect,
        initial=ServiceMethod.HAND,
        error_messages={"required": "Choose how the notice will be served"},
    )

    def clean_payment_reference(self):
        reference = self.cleaned_data["payment_reference"].strip().upper()
        tenancy = (
            Tenancy.objects.select_related("property__scheme__provider").filter(payment_reference=reference).first()
        )
        if tenancy is None:
            raise forms.ValidationError(f"No tenancy has the payment reference {reference}. Check it and try again")
        self.cleaned_data["tenancy"] = tenancy
        return reference


class NoticeServeForm(GdsFormMixin, forms.Form):
    """Records the notice on the plan as served (the date and method come from the plan)."""

    submit_label = "Record the notice as served"
    submit_name = "serve"

    notice_code = forms.CharField(widget=forms.HiddenInput)
    served_on = forms.DateField(widget=forms.HiddenInput)
    method = forms.ChoiceField(choices=ServiceMethod.choices, widget=forms.HiddenInput)
    signatory = forms.CharField(
        label="Signed for the landlord by",
        max_length=200,
        help_text="Name and role, for example Priya Shah, Income Manager.",
        error_messages={"required": "Enter the name and role of the person signing the notice"},
    )
    proof_of_service = forms.CharField(
        label="Proof of service",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who served it, how and at what time, and any witness.",
        error_messages={"required": "Say who served the notice, how and when"},
    )


class ProtocolCopyForm(GdsFormMixin, forms.Form):
    submit_label = "Record the protocol copy"
    submit_name = "protocol"

    sent_on = DateInputField(
        label="Date a copy of the pre-action protocol was sent", help_text="For example, 27 11 2026."
    )
