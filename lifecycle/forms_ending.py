"""Forms for ending a tenancy (and correcting the end), a credit's transfer, transfers, mutual exchanges, successions
and assignments. GOV.UK layout; the services decide and check, these only read what was typed."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import GdsFormMixin
from lifecycle.signup import homes_find
from tenancies.constants import EndReason, TenureType
from tenancies.models import Person, Tenancy

DATE_HINT = "For example, 14 4 2026"
REASON_HINTS = {
    EndReason.TRANSFER: "Moving to another of our homes? Use “Record a transfer” instead, which also signs up the new "
    "tenancy.",
    EndReason.MUTUAL_EXCHANGE: "Use “Record a mutual exchange” instead to sign the incoming tenants up too.",
    EndReason.LICENCE_ENDED: "For licences only.",
}


def tenancy_for_reference(reference: str) -> Tenancy:
    reference = (reference or "").strip().upper()
    tenancy = Tenancy.objects.filter(payment_reference=reference).first()
    if tenancy is None:
        raise forms.ValidationError(f"No tenancy has the payment reference {reference}. Check it and try again.")
    return tenancy


def _reason_choices() -> list:
    """Each end reason, with a hint under those where another page does more."""
    return [
        Choice(value, label, hint=REASON_HINTS[value]) if value in REASON_HINTS else Choice(value, label)
        for value, label in EndReason.choices
    ]


def _radios():
    return forms.ChoiceField(
        label="Why did the tenancy end?",
        choices=_reason_choices(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the tenancy ended", "invalid_choice": "Choose why the tenancy ended"},
    )


def _date(label: str, *, required_message: str, help_text: str = DATE_HINT) -> DateInputField:
    """The GOV.UK three-field date, with its own message for a date left blank."""
    field = DateInputField(label=label, help_text=help_text)
    field.error_messages["required"] = required_message  # DateInputField takes no error_messages of its own
    return field


def _optional_note(help_text: str = "", label: str = "Note (optional)") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


def _written_reason(label: str, *, help_text: str, required_message: str) -> forms.CharField:
    """A required few lines of why, kept in the tenancy's history."""
    return forms.CharField(
        label=label,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={"required": required_message},
    )


class EndForm(GdsFormMixin, forms.Form):
    submit_label = "Continue"

    reason = _radios()
    last_day = _date(
        "Last day of the tenancy",
        help_text=f"The last day rent is due for. {DATE_HINT}",
        required_message="Enter the last day of the tenancy",
    )
    forwarding_address = forms.CharField(
        label="Forwarding address (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text="Where to write to the former tenants. One line of the address on each row.",
    )
    note = _optional_note(
        "For example, how notice was given or who returned the keys. It stays in the tenancy's history."
    )


class EndCorrectForm(EndForm):
    submit_label = "Continue"

    note = _written_reason(
        "Why are you correcting the end?",
        help_text="It stays in the tenancy's history.",
        required_message="Say why you are correcting the end",
    )


class CreditTransferForm(GdsFormMixin, forms.Form):
    submit_label = "Send for approval"

    to_payment_reference = forms.CharField(
        label="Payment reference of the account to move the credit to",
        max_length=20,
        help_text="For example the same person's new tenancy, or another debt they owe us.",
        error_messages={"required": "Enter the payment reference of the account to move the credit to"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-10"}),
    )
    reason = _optional_note(
        "Leave blank to use: “Credit left when the tenancy ended, moved to …”.", label="Reason (optional)"
    )

    def clean_to_payment_reference(self):
        tenancy = tenancy_for_reference(self.cleaned_data["to_payment_reference"])
        self.cleaned_data["to_tenancy"] = tenancy
        return tenancy.payment_reference


class TransferForm(GdsFormMixin, forms.Form):
    submit_label = "Continue"

    home = forms.CharField(
        label="New home",
        max_length=200,
        help_text="Type its UPRN, or words of its address and postcode.",
        error_messages={"required": "Enter the new home's UPRN or address"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    start_date = _date(
        "First day at the new home",
        help_text=f"The old tenancy ends the day before. {DATE_HINT}",
        required_message="Enter the first day at the new home",
    )
    carry_balance = forms.ChoiceField(
        label="What happens to the old tenancy's balance?",
        choices=[
            ("carry", "Carry it to the new tenancy (someone else approves the transfer)"),
            ("keep", "Keep it on the old tenancy as former-tenant arrears (or a credit to refund)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens to the old balance"},
    )
    tenure_type = forms.ChoiceField(
        label="Tenure of the new tenancy",
        required=False,
        choices=[("", "The same as now"), *TenureType.choices],
    )
    note = _optional_note("For example, why they are moving.")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:  # the home is looked for once the rest of the answers are right
            cleaned["to_property"] = self._home()
        return cleaned

    def _home(self):
        """The one home the search names (an exact UPRN wins), or a form error saying what to type instead."""
        query = self.cleaned_data["home"].strip()
        found = homes_find(query=query, limit=6)
        exact = [home for home in found if home.uprn and home.uprn == query]
        if exact:
            return exact[0]
        if len(found) == 1:
            return found[0]
        if not found:
            self.add_error("home", f"No home matches “{query}”. Check the UPRN or address in Homes.")
        else:
            listed = "; ".join(f"{home} (UPRN {home.uprn or 'none'})" for home in found[:5])
            self.add_error("home", f"More than one home matches: {listed}. Type the UPRN of the one you mean.")
        return None


class _PersonFields(forms.Form):
    """A new person's name and date of birth, for up to two people (prefixes `first` and `second`)."""

    @staticmethod
    def add(form: forms.Form, prefix: str, label: str) -> None:
        form.fields[f"{prefix}_first_name"] = forms.CharField(
            label=f"{label}: first name", required=False, max_length=100
        )
        form.fields[f"{prefix}_last_name"] = forms.CharField(
            label=f"{label}: last name", required=False, max_length=100
        )
        form.fields[f"{prefix}_date_of_birth"] = DateInputField(
            label=f"{label}: date of birth (optional)", required=False, help_text=DATE_HINT
        )

    @staticmethod
    def read(form: forms.Form, prefix: str) -> dict | None:
        data = form.cleaned_data
        first, last = (data.get(f"{prefix}_first_name") or "").strip(), (data.get(f"{prefix}_last_name") or "").strip()
        if not first and not last:
            return None
        if not first:
            form.add_error(f"{prefix}_first_name", "Enter the person's first name")
        if not last:
            form.add_error(f"{prefix}_last_name", "Enter the person's last name")
        return {"first_name": first, "last_name": last, "date_of_birth": data.get(f"{prefix}_date_of_birth")}


def _existing_person(form: forms.Form, field: str) -> Person | None:
    number = form.cleaned_data.get(field)
    if not number:
        return None
    person = Person.objects.filter(pk=number).first()
    if person is None:
        form.add_error(field, f"No person has the record number {number}. Check the number on their page.")
        return None
    if person.merged_into_id:
        form.add_error(field, f"Record {number} was merged into record {person.merged_into_id}. Use that number.")
        return None
    return person


def _record_number(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        help_text="The number shown on the person's page in People (for example 1234).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter the record number as digits only", "min_value": "Enter a record number"},
    )


class ExchangeForm(GdsFormMixin, forms.Form):
    submit_label = "Continue"

    on = _date(
        "Date of the exchange",
        help_text=f"The incoming tenants' first day. {DATE_HINT}",
        required_message="Enter the date of the exchange",
    )
    partner_reference = forms.CharField(
        label="Payment reference of the other tenancy, if the incoming tenants are our tenants (optional)",
        required=False,
        max_length=20,
        help_text="Their tenancy ends too and your tenants take over their home.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-10"}),
    )
    forwarding_address = forms.CharField(
        label="Your tenants' new address, if they move to another landlord (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = _optional_note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _PersonFields.add(self, "first", "Incoming tenant")
        _PersonFields.add(self, "second", "Second incoming tenant (optional)")
        order = ["on", "partner_reference"]
        order += [f"{p}_{f}" for p in ("first", "second") for f in ("first_name", "last_name", "date_of_birth")]
        self.order_fields([*order, "forwarding_address", "note"])

    def clean(self):
        cleaned = super().clean()
        cleaned["partner"] = None
        if cleaned.get("partner_reference"):
            try:
                cleaned["partner"] = tenancy_for_reference(cleaned["partner_reference"])
            except forms.ValidationError as error:
                self.add_error("partner_reference", error)
        people = [p for p in (_PersonFields.read(self, "first"), _PersonFields.read(self, "second")) if p]
        cleaned["new_people"] = people
        if cleaned["partner"] is None and not people and not self.errors:
            self.add_error(
                "first_first_name",
                "Enter the incoming tenant's name, or the payment reference of their tenancy if they are our tenant",
            )
        if cleaned["partner"] is not None and people:
            self.add_error(
                "partner_reference",
                "Give either the other tenancy's payment reference or the incoming tenants' names, not both",
            )
        return cleaned


class _TenantChangeForm(GdsFormMixin, forms.Form):
    """A change of who holds the tenancy from a date (`on`), chosen among its named tenants (`tenants`)."""

    submit_label = "Continue"

    def __init__(self, *args, tenants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tenants = {str(p.pk): p for p in tenants}


class SuccessionForm(_TenantChangeForm):
    deceased = forms.ChoiceField(
        label="Which tenant has died?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the tenant who died"},
    )
    on = _date(
        "Date of the succession",
        help_text=f"Usually the date of death. {DATE_HINT}",
        required_message="Enter the date of the succession",
    )
    successor = forms.ChoiceField(
        label="Who succeeds to the tenancy?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who succeeds to the tenancy"},
    )
    existing_person = _record_number("Their record number, if they are already on Rentwise")
    reason = _written_reason(
        "Basis of the succession",
        help_text="For example: spouse living at the home at the time of death; joint tenant (survivorship).",
        required_message="Give the basis of the succession",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deceased"].choices = [(pk, p.full_name) for pk, p in self.tenants.items()]
        self.fields["successor"].choices = [
            *((pk, f"{p.full_name} (a named tenant now)") for pk, p in self.tenants.items()),
            ("existing", "Someone already on Rentwise (give their record number)"),
            ("new", "Someone new (give their name)"),
        ]
        _PersonFields.add(self, "first", "Successor")
        self.order_fields(
            [
                "deceased",
                "on",
                "successor",
                "existing_person",
                "first_first_name",
                "first_last_name",
                "first_date_of_birth",
                "reason",
            ]
        )

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("successor")
        cleaned["deceased_person"] = self.tenants.get(cleaned.get("deceased", ""))
        cleaned["successor_person"], cleaned["new_person"] = None, None
        if choice in self.tenants:
            cleaned["successor_person"] = self.tenants[choice]
        elif choice == "existing":
            if not cleaned.get("existing_person"):
                self.add_error("existing_person", "Enter the successor's record number")
            else:
                cleaned["successor_person"] = _existing_person(self, "existing_person")
        elif choice == "new":
            cleaned["new_person"] = _PersonFields.read(self, "first")
            if cleaned["new_person"] is None:
                self.add_error("first_first_name", "Enter the successor's name")
        return cleaned


class AssignmentForm(_TenantChangeForm):
    on = _date("Date of the assignment", required_message="Enter the date of the assignment")
    keep = forms.MultipleChoiceField(
        label="Which named tenants stay on the tenancy?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked if the tenancy passes wholly to someone new.",
    )
    existing_person = _record_number("New tenant already on Rentwise: their record number (optional)")
    reason = _written_reason(
        "Reason for the assignment",
        help_text="For example: court order in family proceedings; to someone who could succeed.",
        required_message="Give the reason for the assignment",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(pk, p.full_name) for pk, p in self.tenants.items()]
        _PersonFields.add(self, "first", "New tenant (optional)")
        self.order_fields(
            ["on", "keep", "existing_person", "first_first_name", "first_last_name", "first_date_of_birth", "reason"]
        )

    def clean(self):
        cleaned = super().clean()
        cleaned["kept_people"] = [self.tenants[pk] for pk in cleaned.get("keep", []) if pk in self.tenants]
        cleaned["existing"] = _existing_person(self, "existing_person")
        cleaned["new_person"] = _PersonFields.read(self, "first")
        if not (cleaned["kept_people"] or cleaned["existing"] or cleaned["new_person"]) and not self.errors:
            self.add_error("keep", "Choose who holds the tenancy after the assignment")
        return cleaned
