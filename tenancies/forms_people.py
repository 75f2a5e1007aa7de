"""Forms of the people screens. The services check everything again (and in the same plain words): these forms add
the GOV.UK layout and keep what was typed when something is wrong."""

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError

from incomeapp.forms import GdsFormMixin

from .constants import ContactChannel
from .models import Person
from .services_people import (
    MERGE_FIELDS,
    MERGE_JOINABLE_FIELDS,
    MERGE_REASON_LIMIT,
    SENSITIVE_FIELDS,
    person_values_clean,
)

FIELD_LABELS = {
    "title": "Title",
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "email": "Email address",
    "phone": "Phone number",
    "mobile": "Mobile number",
    "texts_allowed": "Agreed to text messages",
    "emails_allowed": "Agreed to emails",
    "preferred_contact": "How they prefer to be contacted",
    "correspondence_address": "Address for letters, if not their home",
    "preferred_language": "Preferred language",
    "communication_adjustments": "Communication needs",
    "support_worker": "Support worker",
    "vulnerability_notes": "Vulnerability notes",
    "health_notes": "Health notes",
}


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label="Search people",
        required=False,
        max_length=100,
        help_text="A name, a date of birth (like 27/03/1980), a phone number, an email address or a payment reference.",
    )


class PersonForm(GdsFormMixin, forms.Form):
    """Add or change a person. The vulnerability and health notes fields exist only for a user who may see them."""

    submit_label = "Save"

    title = forms.CharField(
        label="Title (optional)", required=False, max_length=20, help_text="For example Ms, Mr, Dr."
    )
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the person's first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the person's last name"}
    )
    date_of_birth = DateInputField(label="Date of birth (optional)", required=False, help_text="For example, 27 3 1980")
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=30,
        help_text="A UK number, like 07700 900123 or 0117 496 0123.",
    )
    mobile = forms.CharField(
        label="Mobile number for text messages (optional)",
        required=False,
        max_length=30,
        help_text="A UK mobile number, like 07700 900123. Texts go to it only if they agreed below.",
    )
    email = forms.CharField(label="Email address (optional)", required=False, max_length=254)
    texts_allowed = forms.BooleanField(
        label="They agreed to text messages about their account",
        required=False,
        help_text="Untick if they ask for no more texts. The date is recorded when this changes.",
    )
    emails_allowed = forms.BooleanField(
        label="They agreed to emails about their account",
        required=False,
        help_text="The date is recorded when this changes.",
    )
    preferred_contact = forms.ChoiceField(
        label="How they prefer to be contacted",
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        initial=ContactChannel.LETTER,
        error_messages={"required": "Choose how the person prefers to be contacted"},
    )
    correspondence_address = forms.CharField(
        label="Address for letters, if not their home (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One line per row. Leave blank to post letters to the home.",
    )
    preferred_language = forms.CharField(label="Preferred language", max_length=50, initial="English", required=False)
    communication_adjustments = forms.CharField(
        label="Communication needs (optional)",
        required=False,
        max_length=200,
        help_text="For example large print, easy read, interpreter, call after 10am.",
    )
    support_worker = forms.CharField(
        label="Support worker (optional)", required=False, max_length=200, help_text="Their name and how to reach them."
    )
    vulnerability_notes = forms.CharField(
        label="Vulnerability notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only staff who may see sensitive notes can read these.",
    )
    health_notes = forms.CharField(
        label="Health notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only staff who may see sensitive notes can read these.",
    )

    def __init__(self, *args, may_see_sensitive: bool, submit_label: str = "Save", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "type": "email"})
        self.fields["phone"].widget.attrs.update({"autocomplete": "off", "type": "tel"})
        self.fields["mobile"].widget.attrs.update({"autocomplete": "off", "type": "tel"})
        if not may_see_sensitive:
            for name in SENSITIVE_FIELDS:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        # The service's own checks, so every problem shows at once (not only the missing fields first).
        try:
            person_values_clean({name: value for name, value in cleaned.items() if name not in self.errors})
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None, messages)
        return cleaned

    def add_service_errors(self, error) -> None:
        """Puts a service's ValidationError beside the fields it names (or at the top)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            for message in error.messages:
                self.add_error(None, message)


def initial_from(person: Person, fields) -> dict:
    return {name: getattr(person, name) for name in fields}


class MergeForm(GdsFormMixin, forms.Form):
    """Which record to keep, which value to keep where the two differ, and why."""

    submit_label = "Continue"
    submit_name = "check"

    keep = forms.ChoiceField(
        label="Which record do you want to keep?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which record to keep"},
        help_text="The other record is not deleted: it is marked as merged into this one and points to it.",
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MERGE_REASON_LIMIT,
        help_text=f"In {MERGE_REASON_LIMIT} characters or fewer. For example: date of birth confirmed on a call "
        "on 3 March.",
        error_messages={
            "required": "Enter why these two records are the same person",
            "max_length": f"Keep the reason to {MERGE_REASON_LIMIT} characters or fewer",
        },
    )

    def __init__(self, *args, first: Person, second: Person, differing: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.first, self.second = first, second
        self.differing = differing
        self.fields["keep"].choices = [
            (str(first.pk), f"{first.full_name} (record {first.pk})"),
            (str(second.pk), f"{second.full_name} (record {second.pk})"),
        ]
        for name in differing:
            choices = [
                ("first", _shown(getattr(first, name), name, first)),
                ("second", _shown(getattr(second, name), name, second)),
            ]
            if name in MERGE_JOINABLE_FIELDS and getattr(first, name) and getattr(second, name):
                choices.append(("both", "Keep both (joined, one after the other)"))
            self.fields[f"choose_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS[name],
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
                help_text="If you do not choose, the record you keep keeps its own.",
            )
        # The reason last, after the choices.
        self.order_fields(["keep", *(f"choose_{name}" for name in differing), "reason"])

    def chosen(self) -> tuple[Person, Person, dict]:
        """(the record kept, the duplicate, the values the kept record should end up with)."""
        keep = self.first if self.cleaned_data["keep"] == str(self.first.pk) else self.second
        duplicate = self.second if keep is self.first else self.first
        values = {}
        for name in self.differing:
            choice = self.cleaned_data[f"choose_{name}"]
            if not choice:
                continue
            if choice == "both":
                kept_value, other_value = getattr(keep, name), getattr(duplicate, name)
                value = (
                    f"{kept_value}\n{other_value}"
                    if name != "communication_adjustments"
                    else (f"{kept_value}; {other_value}")
                )
            else:
                value = getattr(self.first if choice == "first" else self.second, name)
            if value != getattr(keep, name):
                values[name] = value
        return keep, duplicate, values


def _shown(value, name: str, person: Person) -> str:
    if value in (None, ""):
        shown = "(blank)"
    elif name == "date_of_birth":
        shown = f"{value:%-d %B %Y}"
    elif name == "preferred_contact":
        shown = person.get_preferred_contact_display()
    else:
        shown = str(value)
    return f"{shown} (record {person.pk})"


def merge_differing_fields(first: Person, second: Person, may_see_sensitive: bool) -> list[str]:
    """The fields on which two records differ and the officer must choose (sensitive notes only for those who may
    see them)."""
    return [
        name
        for name in MERGE_FIELDS
        if getattr(first, name) != getattr(second, name) and (may_see_sensitive or name not in SENSITIVE_FIELDS)
    ]
