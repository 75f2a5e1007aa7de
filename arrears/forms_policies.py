"""The form over one step of an arrears policy: its wording, what it does, its letter, how long a call is tried first,
and each threshold its conditions test (amounts, weeks of rent, how long ago)."""

from django import forms

from arrears.policy_steps import MODE_CHOICES, threshold_parse, threshold_show
from incomeapp.forms import GdsFormMixin

_HINTS = {
    "money": "In pounds, for example 10.00.",
    "times": "A number of weeks of rent, for example 2 or 2.5.",
    "number": "A number.",
    "duration": "A number then d (days), w (weeks), m (calendar months) or y (years): for example 14d or 3m.",
}


class PolicyStepForm(GdsFormMixin, forms.Form):
    submit_label = "Save as a new draft version"
    submit_name = "save"

    label = forms.CharField(
        label="What the step says on the worklist",
        max_length=150,
        error_messages={"required": "Enter what the step says on the worklist, for example Send a second reminder"},
    )
    mode = forms.ChoiceField(
        label="Who takes the step",
        choices=MODE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who takes the step"},
    )
    letter = forms.ChoiceField(label="Letter it sends", required=False)
    contact_first_days = forms.IntegerField(
        label="Try to call or visit first, within this many days",
        min_value=0,
        max_value=60,
        help_text="0 sends the letter without a call or visit first.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a number of days from 0 to 60",
            "invalid": "Enter a whole number of days from 0 to 60, for example 14",
            "min_value": "Enter a number of days from 0 to 60",
            "max_value": "Enter a number of days from 0 to 60",
        },
    )

    def __init__(self, *args, step: dict, letters: list[tuple[str, str]], **kwargs):
        initial = kwargs.pop("initial", None) or {
            "label": step["label"],
            "mode": step["mode"],
            "letter": step["letter"],
            "contact_first_days": step["contact_first_days"],
            **{
                f"threshold_{index}": threshold_show(t.kind, t.value).replace("£", "").replace(",", "")
                if t.kind != "duration"
                else t.value
                for index, t in enumerate(step["thresholds"])
            },
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.step = step
        if step["letter"] and step["letter"] not in dict(letters):
            letters = [*letters, (step["letter"], f"{step['letter']} (no such letter template yet)")]
        self.fields["letter"].choices = [("", "No letter"), *letters]
        for index, threshold in enumerate(step["thresholds"]):
            hint = " ".join(part for part in (threshold.hint, _HINTS[threshold.kind]) if part)
            self.fields[f"threshold_{index}"] = forms.CharField(
                label=threshold.label,
                help_text=hint,
                max_length=20,
                error_messages={"required": f"Enter {threshold.label.lower()}"},
                widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
            )

    def clean(self):
        cleaned = super().clean()
        values = []
        for index, threshold in enumerate(self.step["thresholds"]):
            name = f"threshold_{index}"
            if name not in cleaned:
                continue
            try:
                values.append(threshold_parse(threshold.kind, cleaned[name]))
            except ValueError as error:
                self.add_error(name, f"{threshold.label}: {str(error)[:1].lower()}{str(error)[1:]}")
        cleaned["thresholds"] = values
        return cleaned
