"""The case page's recovery forms (docs/debts.md, "Recovery actions"): a trace result, a referral to a debt collection
agency and the money claim pack; and the referrals page's return file upload."""

from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import GdsFormMixin

from .forms import CaseForm
from .services.recovery import debt_agencies


class TraceForm(CaseForm):
    id_prefix = "trace"
    submit_label = "Record the trace result"
    submit_name = "record_trace"
    tenant_field = "traced_person"
    no_tenant_label = "Not about one named tenant"
    service_names = {"traced_person": "person", "trace_how": "how"}
    dated_today = "traced_on"

    found = forms.TypedChoiceField(
        label="Did the trace find a new address?",
        choices=[("yes", "Yes, a new address was found"), ("no", "No, the tenant was not traced")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the trace found a new address"},
    )
    traced_person = forms.ChoiceField(label="Which named tenant", required=False)
    new_address = forms.CharField(
        label="New address",
        help_text="One line per row, with the postcode last. Letters go here from now on.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=500,
    )
    traced_on = DateInputField(label="Date of the trace result", help_text="For example, 27 11 2026")
    trace_how = forms.CharField(
        label="How it was traced (optional)",
        help_text="For example, the tracing agency's report number.",
        required=False,
        max_length=200,
    )

    def clean(self):
        data = super().clean()
        if data.get("found") and data.get("traced_person") is None:
            self.add_error("traced_person", "Choose which named tenant was traced")
        if data.get("found") and not (data.get("new_address") or "").strip():
            self.add_error("new_address", "Enter the address the tenant was traced to")
        return data


class AgencyReferralForm(CaseForm):
    id_prefix = "agency"
    submit_label = "Refer to the agency"
    submit_name = "refer_to_agency"

    agency = forms.ChoiceField(label="Debt collection agency", error_messages={"required": "Choose the agency"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(name, name) for name in debt_agencies()]
        self.fields["agency"].initial = debt_agencies()[0]


class MoneyClaimForm(CaseForm):
    id_prefix = "money_claim"
    submit_label = "Make the money claim pack"
    submit_name = "make_money_claim"


RECOVERY_FORMS: dict[str, type[CaseForm]] = {
    "trace_form": TraceForm,
    "agency_form": AgencyReferralForm,
    "money_claim_form": MoneyClaimForm,
}


class AgencyReturnForm(GdsFormMixin, forms.Form):
    submit_label = "Import the return file"
    submit_name = "import_return"

    agency = forms.ChoiceField(label="Which agency sent it", error_messages={"required": "Choose the agency"})
    return_file = forms.FileField(
        label="The agency's return file (CSV)",
        help_text="Columns: our_reference, agency_reference, amount_collected, collected_on, status, note.",
        error_messages={"required": "Choose the return file to import"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(name, name) for name in debt_agencies()]
        self.fields["agency"].initial = debt_agencies()[0]

    def clean_return_file(self):
        upload = self.cleaned_data["return_file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB: ask the agency to split it.")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV file (its name ends .csv)")
        return upload
