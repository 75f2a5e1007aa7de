"""Forms of the homes screens. The services check everything again, in the same plain words: these forms give the
GOV.UK layout, keep what was typed when something is wrong, and put a service's refusal beside the field it is about."""

from datetime import date

from crispy_forms_gds.choices import Choice
from django import forms
from django.core.exceptions import ValidationError

from incomeapp.constants import Jurisdiction
from incomeapp.forms import DateField, GdsFormMixin, MoneyField

from .constants import ChargeType, LandlordType, SchemeType
from .models import Patch, Property, Provider, Scheme
from .selectors_homes import officers_for_patches
from .services_homes import COUNTS_AS_RENT_BY_DEFAULT
from .specs import ChargeSpec


class ServiceErrorsMixin:
    """Puts a service's ValidationError beside the fields it names; anything else goes to the top of the form. Text
    that is too long is told so in plain words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            max_length = getattr(field, "max_length", None)
            if max_length:
                label = str(field.label or "This").replace(" (optional)", "")
                field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, problems in error.message_dict.items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
        else:
            for problem in error.messages:
                self.add_error(None, problem)


def _in_use_or_current(queryset, current_pk):
    """Records offered for new work: those not retired, plus the one already chosen (so an edit can keep it)."""
    from django.db.models import Q

    return queryset.filter(Q(retired_on__isnull=True) | Q(pk=current_pk or 0))


class HomeSearchForm(forms.Form):
    q = forms.CharField(
        label="Search homes",
        required=False,
        max_length=100,
        help_text="Part of an address or postcode, a unit such as 'Flat 3', or a UPRN.",
    )
    scheme = forms.ModelChoiceField(
        label="Scheme", queryset=Scheme.objects.all(), required=False, empty_label="All schemes"
    )
    retired = forms.BooleanField(label="Include retired homes", required=False)


class ProviderForm(ServiceErrorsMixin, GdsFormMixin, forms.Form):
    submit_label = "Save provider"

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the provider's name"})
    landlord_type = forms.ChoiceField(
        label="Type of landlord",
        choices=LandlordType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of landlord"},
    )
    jurisdiction = forms.ChoiceField(
        label="Where are its homes?",
        choices=Jurisdiction.choices,
        widget=forms.RadioSelect,
        initial=Jurisdiction.ENGLAND,
        help_text="Notices and court forms follow the law of England or of Wales.",
        error_messages={"required": "Choose England or Wales"},
    )
    address = forms.CharField(
        label="Address on letters and notices",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One line per row.",
        error_messages={"required": "Enter the landlord's address, as it should appear on letters"},
    )
    phone = forms.CharField(label="Phone number (optional)", required=False, max_length=30)
    email = forms.CharField(label="Email address (optional)", required=False, max_length=254)


class SchemeForm(ServiceErrorsMixin, GdsFormMixin, forms.Form):
    submit_label = "Save scheme"

    code = forms.CharField(
        label="Scheme code",
        max_length=20,
        help_text="A short code used in reports and files, like HGN.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"required": "Enter the scheme code"},
    )
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the scheme name"})
    scheme_type = forms.ChoiceField(
        label="Type of scheme",
        choices=SchemeType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of scheme"},
    )
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Provider.objects.none(),
        help_text="The landlord that owns the scheme's homes.",
        error_messages={"required": "Choose the provider that owns the scheme"},
    )

    def __init__(self, *args, current_provider: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = _in_use_or_current(Provider.objects.order_by("name"), current_provider)


class PatchForm(ServiceErrorsMixin, GdsFormMixin, forms.Form):
    submit_label = "Save patch"

    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter the patch name"})
    officer = forms.ModelChoiceField(
        label="Income officer (optional)",
        queryset=Patch.objects.none(),
        required=False,
        empty_label="No officer yet",
        help_text="Staff with the arrears worklist whose accounts are switched on.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers_for_patches()


class PropertyForm(ServiceErrorsMixin, GdsFormMixin, forms.Form):
    submit_label = "Save home"

    unit_label = forms.CharField(
        label="Flat or room (optional)",
        required=False,
        max_length=50,
        help_text="For example 'Flat 3' or 'Room 2'.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of the address"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address_line_2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=200)
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        error_messages={"required": "Enter the town or city"},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter the postcode"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    uprn = forms.CharField(
        label="UPRN (optional)",
        required=False,
        max_length=12,
        help_text="The Unique Property Reference Number: up to 12 digits.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "inputmode": "numeric", "spellcheck": "false"}),
    )
    # A text box with a numeric keypad, as the GOV.UK Design System advises, rather than <input type=number>.
    bedrooms = forms.CharField(
        label="Bedrooms (optional)",
        required=False,
        help_text="0 for a studio or bedsit.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
    )
    scheme = forms.ModelChoiceField(
        label="Scheme", queryset=Scheme.objects.none(), error_messages={"required": "Choose the scheme"}
    )
    patch = forms.ModelChoiceField(
        label="Patch (optional)", queryset=Patch.objects.none(), required=False, empty_label="No patch"
    )
    building = forms.CharField(
        label="Part of a building (optional)",
        required=False,
        max_length=20,
        help_text="For a flat or room let on its own: the building's home number (like H12, at the top of its "
        "page) or its UPRN. Leave blank for a self-contained home.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )

    def __init__(self, *args, home: Property | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.home = home
        self.fields["scheme"].queryset = _in_use_or_current(Scheme.objects.order_by("name"), home and home.scheme_id)
        self.fields["patch"].queryset = _in_use_or_current(Patch.objects.order_by("name"), home and home.patch_id)

    def clean_bedrooms(self):
        text = self.cleaned_data["bedrooms"].strip()
        if not text:
            return None
        if not text.isdigit():
            raise forms.ValidationError("Enter the number of bedrooms as a whole number, like 2 (0 for a studio)")
        return int(text)

    def clean_building(self):
        text = self.cleaned_data["building"].strip().upper()
        if not text:
            return None
        if text.startswith("H") and text[1:].isdigit():
            found = list(Property.objects.filter(pk=int(text[1:])))
        elif text.isdigit():
            found = list(Property.objects.filter(uprn=text, parent__isnull=True)[:2])
        else:
            raise forms.ValidationError("Enter the building's home number, like H12, or its UPRN (digits only)")
        if not found:
            raise forms.ValidationError(f"No home has the number or UPRN {text}. Check it on the building's page.")
        if len(found) > 1:
            raise forms.ValidationError(f"More than one home has the UPRN {text}: enter the building's home number")
        return found[0]

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values["parent"] = values.pop("building")
        return values


def initial_for_property(home: Property) -> dict:
    return {
        "unit_label": home.unit_label,
        "address_line_1": home.address_line_1,
        "address_line_2": home.address_line_2,
        "town": home.town,
        "postcode": home.postcode,
        "uprn": home.uprn,
        "bedrooms": "" if home.bedrooms is None else str(home.bedrooms),
        "scheme": home.scheme_id,
        "patch": home.patch_id,
        "building": f"H{home.parent_id}" if home.parent_id else "",
    }


class ChargesForm(ServiceErrorsMixin, GdsFormMixin, forms.Form):
    """A home's weekly charges from a date: one amount per charge type (blank: no such charge)."""

    submit_label = "Set the charges"

    effective_from = DateField(
        label="Charges apply from", required_message="Enter the date the charges apply from, as a day, month and year"
    )

    def __init__(self, *args, current: dict | None = None, **kwargs):
        """`current`: {charge_type: (amount, counts_as_rent)} in effect now, shown to start from."""
        super().__init__(*args, **kwargs)
        current = current or {}
        for kind, label in ChargeType.choices:
            self.fields[f"amount_{kind}"] = MoneyField(
                width=5, label=f"{label}, in pounds a week", required=False, initial=current.get(kind, (None,))[0]
            )
        self.fields["counts_as_rent"] = forms.MultipleChoiceField(
            label="Which of these count as rent?",
            help_text="Rent for arrears and possession purposes: usually rent and eligible service charges.",
            choices=[Choice(kind, label) for kind, label in ChargeType.choices],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            initial=[
                kind for kind in ChargeType.values if current.get(kind, (None, kind in COUNTS_AS_RENT_BY_DEFAULT))[1]
            ],
        )

    def clean(self):
        cleaned = super().clean()
        for kind in ChargeType.values:
            amount = cleaned.get(f"amount_{kind}")
            if amount is not None and amount < 0:
                self.add_error(f"amount_{kind}", "Enter the charge as pounds and pence of 0 or more, like 95.50")
        amount_fields = [f"amount_{kind}" for kind in ChargeType.values]
        if not any(cleaned.get(name) is not None for name in amount_fields) and not set(self.errors) & set(
            amount_fields
        ):
            self.add_error(f"amount_{ChargeType.RENT}", "Enter at least one weekly charge, like the rent")
        return cleaned

    def charge_specs(self) -> list[ChargeSpec]:
        counts = set(self.cleaned_data.get("counts_as_rent") or [])
        return [
            ChargeSpec(kind, self.cleaned_data[f"amount_{kind}"], kind in counts)
            for kind in ChargeType.values
            if self.cleaned_data.get(f"amount_{kind}") is not None
        ]


RENT_FREE_ROWS = 6


class RentFreeWeeksForm(ServiceErrorsMixin, GdsFormMixin, forms.Form):
    """Up to six rent-free weeks of one rent year, each by the date of its Monday."""

    submit_label = "Save rent-free weeks"

    def __init__(self, *args, weeks: list[date] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        weeks = sorted(weeks or [])
        for n in range(RENT_FREE_ROWS):
            self.fields[f"week_{n}"] = DateField(
                label=f"Rent-free week {n + 1}: its Monday",
                required=False,
                example="21 12 2026",
                initial=weeks[n] if n < len(weeks) else None,
            )

    def clean(self):
        cleaned = super().clean()
        for n in range(RENT_FREE_ROWS):
            week = cleaned.get(f"week_{n}")
            if week is not None and week.weekday() != 0:
                self.add_error(f"week_{n}", f"{week:%-d %B %Y} is a {week:%A}: enter the Monday the week starts on")
        return cleaned

    def weeks(self) -> list[date]:
        return [self.cleaned_data[f"week_{n}"] for n in range(RENT_FREE_ROWS) if self.cleaned_data.get(f"week_{n}")]

    def add_service_errors(self, error: ValidationError) -> None:
        for problem in error.messages:
            self.add_error(None, problem)


class RetireForm(ServiceErrorsMixin, GdsFormMixin, forms.Form):
    submit_label = "Retire"

    on = DateField(label="Retired from", required_message="Enter the day it stops being used, as a day, month and year")


class VoidsFilterForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label="Scheme", queryset=Scheme.objects.order_by("name"), required=False, empty_label="All schemes"
    )
