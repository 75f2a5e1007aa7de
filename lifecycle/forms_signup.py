"""The sign-up question pages: one question to a page where that helps, the question as the page's heading (GOV.UK
question pages). The service (`lifecycle.signup.tenancy_sign_up`) checks everything again when the sign-up is made."""

from datetime import timedelta

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from arrears.constants import ClaimStatus
from incomeapp.forms import DateField, GdsFormMixin, MoneyField
from rentaccounts.direct_debit_fields import CollectionDayField, MandateAmountField
from tenancies.constants import ChargeType, LicenceBasis, PaymentMethod, RentPeriod, TenureType
from tenancies.specs import ChargeSpec

from .charges import COUNTS_AS_RENT_BY_DEFAULT, PERIOD_PHRASES
from .signup import home_occupying_tenancy, max_days_ahead

TENURE_HINTS = {
    TenureType.SECURE: "A council's lifetime tenancy.",
    TenureType.FLEXIBLE: "A council's fixed-term secure tenancy.",
    TenureType.INTRO: "A council's trial tenancy, usually for the first year.",
    TenureType.DEMOTED: "Made by a court order after anti-social behaviour.",
    TenureType.ASSURED: "A housing association's lifetime tenancy.",
    TenureType.AST: "Often a housing association's starter tenancy.",
    TenureType.LICENCE: "No exclusive possession, for example a hostel or supported housing room.",
    TenureType.EXCL_LICENCE: "Shares accommodation with the landlord, or temporary accommodation.",
}
PAYMENT_HINTS = {
    PaymentMethod.DIRECT_DEBIT: "You will enter the mandate details next.",
    PaymentMethod.HOUSING_BENEFIT: "The council pays all or most of the rent to us.",
    PaymentMethod.UNIVERSAL_CREDIT: "DWP pays the housing costs to us.",
}


class QuestionForm(GdsFormMixin, forms.Form):
    """A question page: its one field's label or legend is the page's heading (h1)."""

    question_field = ""
    radios = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.question_field:
            name = self.question_field
            self.title = self.fields[name].label
            if self.radios:
                question = Field.radios(name, legend_size=Size.LARGE, legend_tag="h1")
            elif isinstance(self.fields[name], DateField):
                question = Field(name, context={"legend_size": "govuk-fieldset__legend--l", "legend_tag": "h1"})
            else:
                question = Field.text(name, label_size=Size.LARGE, label_tag="h1")
            others = [field for field in self.fields if field != name]
            self.helper.layout = Layout(question, *others)


class HomeSearchForm(forms.Form):
    q = forms.CharField(
        label="Which home is being let?",
        required=False,
        max_length=100,
        help_text="Search by part of the address, the postcode or the UPRN.",
    )


class TenureForm(QuestionForm):
    question_field = "tenure_type"
    radios = True

    tenure_type = forms.ChoiceField(
        label="What kind of tenancy is it?",
        choices=[Choice(value, label, hint=TENURE_HINTS[value]) for value, label in TenureType.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of tenancy or licence"},
    )


class LicenceBasisForm(QuestionForm):
    question_field = "licence_basis"
    radios = True

    licence_basis = forms.ChoiceField(
        label="Why is it a licence and not a tenancy?",
        help_text="What the arrangement really is, not what the agreement calls it. It is kept with the "
        "tenancy and shown whenever possession is considered.",
        choices=LicenceBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why this is a licence and not a tenancy"},
    )


class StartDateForm(QuestionForm):
    question_field = "start_date"

    start_date = DateField(
        label="When does the tenancy start?",
        required_message="Enter the day the tenancy starts, as a day, month and year",
        example="7 12 2026",
    )

    def __init__(self, *args, home=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.home = home
        self.fields["start_date"].help_text = (
            f"For example, {timezone.localdate() + timedelta(days=3):%-d %-m %Y}. Up to {max_days_ahead()} days ahead. "
            "Use an earlier date only for a tenancy you are recording late or moving in from another system."
        )

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        latest = timezone.localdate() + timedelta(days=max_days_ahead())
        if start > latest:
            raise forms.ValidationError(
                f"The start date must be no later than {latest:%-d %B %Y} ({max_days_ahead()} days from today)"
            )
        if self.home is not None:
            occupying = home_occupying_tenancy(property=self.home, on=start)
            if occupying is not None:
                until = f"until {occupying.end_date:%-d %B %Y}" if occupying.end_date else "with no end date"
                raise forms.ValidationError(
                    f"The home's tenancy {occupying.payment_reference} runs {until}. Choose a start date after it "
                    "ends, or another home"
                )
        return start


class LeadTenantForm(GdsFormMixin, forms.Form):
    """On the named tenants page: who is the lead (asked only when there are two or more)."""

    submit_label = "Continue"

    lead = forms.ChoiceField(
        label="Who is the lead tenant?",
        help_text="Every named tenant gets their own letters; the lead tenant is the first person we contact.",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the lead tenant"},
    )

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = people
        self.helper.layout = Layout(Field.radios("lead", legend_size=Size.MEDIUM))


class PersonFindForm(forms.Form):
    q = forms.CharField(
        label="Find the person",
        required=False,
        max_length=100,
        help_text="A name, a date of birth (like 27/03/1980), a phone number or an email address.",
    )


class RentPeriodForm(QuestionForm):
    question_field = "rent_period"
    radios = True

    rent_period = forms.ChoiceField(
        label="How often is the rent due?",
        help_text="Weekly, fortnightly and 4-weekly rent is due on Mondays; monthly rent on the start date's day of "
        "each month.",
        choices=RentPeriod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often the rent is due"},
    )


class ChargesForm(forms.Form):
    """One amount per charge type, pre-filled from the home's current charges as amounts for the chosen period."""

    def __init__(self, *args, rent_period: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.rent_period = rent_period
        self.phrase = PERIOD_PHRASES.get(rent_period, "a period")
        for value, label in ChargeType.choices:
            # The page writes these inputs itself, with the £ prefix and the period as a suffix (GOV.UK input).
            self.fields[value] = MoneyField(width=5, label=label, required=False)

    def rows(self):
        return [self[value] for value in ChargeType.values]

    def clean(self):
        cleaned = super().clean()
        for value in ChargeType.values:
            amount = cleaned.get(value)
            if amount is not None and amount < 0:
                self.add_error(value, "A charge cannot be less than £0.00. Leave it blank if it does not apply")
        if not self.errors and not any(cleaned.get(value) for value in ChargeType.values):
            self.add_error(ChargeType.RENT, "Enter at least one charge above £0.00, usually the rent")
        return cleaned

    def specs(self, counts_as_rent: dict[str, bool]) -> list[ChargeSpec]:
        return [
            ChargeSpec(
                value, self.cleaned_data[value], counts_as_rent.get(value, COUNTS_AS_RENT_BY_DEFAULT.get(value, False))
            )
            for value in ChargeType.values
            if self.cleaned_data.get(value)
        ]


class PaymentMethodForm(QuestionForm):
    question_field = "payment_method"
    radios = True

    payment_method = forms.ChoiceField(
        label="How will the tenant pay?",
        choices=[Choice(value, label, hint=PAYMENT_HINTS.get(value, "")) for value, label in PaymentMethod.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the tenant will pay"},
    )


class MandateForm(GdsFormMixin, forms.Form):
    submit_label = "Continue"
    title = "Direct debit details"

    reference = forms.CharField(
        label="Mandate reference",
        max_length=40,
        help_text="The reference on the direct debit instruction the tenant signed.",
        error_messages={"required": "Enter the direct debit mandate reference"},
    )
    collection_day = CollectionDayField(help_text="From 1 to 28.")
    amount = MandateAmountField(width=5, help_text="Leave blank if the amount follows the rent.")
    start_date = DateField(
        label="First collection",
        required_message="Enter the date of the first collection",
        example="1 1 2027",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Fieldset(
                "reference",
                "collection_day",
                "amount",
                "start_date",
                legend=self.title,
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )


NO_CLAIM = "none"


class BenefitForm(QuestionForm):
    question_field = "benefit"
    radios = True

    benefit = forms.ChoiceField(
        label="Will the tenant claim help with their housing costs?",
        help_text="Recording the claim now means rent waiting for benefit shows as technical arrears, not real ones.",
        choices=[
            Choice(NO_CLAIM, "No claim"),
            Choice("hb", "Housing Benefit"),
            Choice("uc", "Universal Credit housing costs"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the tenant will claim help with their housing costs"},
    )


class BenefitDetailsForm(GdsFormMixin, forms.Form):
    submit_label = "Continue"

    status = forms.ChoiceField(
        label="Where is the claim now?",
        choices=ClaimStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the claim is now"},
    )
    weekly_amount = MoneyField(
        width=5,
        label="Housing costs expected each week, in pounds",
        help_text="For Universal Credit: the monthly housing element × 12 ÷ 52.",
        error_messages={"required": "Enter the housing costs expected each week, like 95.00"},
    )
    paid_to_landlord = forms.ChoiceField(
        label="Will it be paid to us?",
        choices=[("yes", "Yes, to us (the landlord)"), ("no", "No, to the tenant")],
        widget=forms.RadioSelect,
        initial="yes",
        error_messages={"required": "Choose who the benefit will be paid to"},
    )
    evidence_complete = forms.BooleanField(label="The tenant has given all the evidence asked for", required=False)

    def __init__(self, *args, benefit_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = f"{benefit_label}: the claim"
        self.helper.layout = Layout(
            Fieldset(
                Field.radios("status", legend_size=Size.SMALL),
                "weekly_amount",
                Field.radios("paid_to_landlord", legend_size=Size.SMALL, inline=True),
                Field.checkbox("evidence_complete"),
                legend=self.title,
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )

    def clean_weekly_amount(self):
        amount = self.cleaned_data.get("weekly_amount")
        if amount is None:
            raise forms.ValidationError("Enter the housing costs expected each week, like 95.00")
        if amount < 0:
            raise forms.ValidationError("The housing costs cannot be less than £0.00")
        return amount


class OpeningBalanceForm(GdsFormMixin, forms.Form):
    """Only for a tenancy moved into Rentwise from another system: what it owed on a day, and that day."""

    submit_label = "Continue"
    title = "Does the tenancy bring a balance from another system?"

    balance = MoneyField(
        width=5,
        label="Balance brought forward, in pounds",
        required=False,
        help_text="What the tenant owed on the day below. For a credit, put a minus sign, like -25.00.",
    )
    balance_date = DateField(
        label="The day the balance was worked out to",
        required=False,
        required_message="Enter the day the balance was worked out to",
        example="29 11 2026",
    )

    def __init__(self, *args, start_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_date = start_date
        self.helper.layout = Layout(
            Fieldset(
                HTML(
                    '<p class="govuk-body">Only for an existing tenancy you are moving into Rentwise. For a new '
                    "tenancy, leave both blank and continue.</p>"
                ),
                "balance",
                "balance_date",
                legend=self.title,
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )

    def clean(self):
        cleaned = super().clean()
        amount, day = cleaned.get("balance"), cleaned.get("balance_date")
        if "balance" in self.errors or "balance_date" in self.errors:
            return cleaned
        if amount is not None and day is None:
            self.add_error("balance_date", "Enter the day the balance was worked out to")
        elif day is not None and amount is None:
            self.add_error("balance", "Enter the balance on that day, or 0.00 if nothing was owed")
        elif day is not None:
            if day > timezone.localdate():
                self.add_error("balance_date", "The balance date must be today or in the past")
            elif self.start_date and day < self.start_date:
                self.add_error(
                    "balance_date", f"The balance date must be on or after the start date, {self.start_date:%-d %B %Y}"
                )
        return cleaned


class ConfirmForm(forms.Form):
    """The check answers page's button: nothing to fill in, but a form so the CSRF token and errors work the same."""
