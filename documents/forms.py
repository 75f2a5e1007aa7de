from crispy_forms_gds.layout import Submit
from django import forms

from incomeapp.forms import GdsFormMixin


def _case_reference_field(*, if_empty: str) -> forms.CharField:
    """The payment reference of the case a letter is previewed on; `if_empty` says what happens without one."""
    return forms.CharField(
        label="Preview on the case with payment reference",
        required=False,
        max_length=20,
        help_text=f"For example RW000123. Leave it empty to {if_empty}.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )


class TemplateEditForm(GdsFormMixin, forms.Form):
    submit_label = "Save as a draft"
    submit_name = "save"

    subject = forms.CharField(label="Heading", max_length=200)
    body = forms.CharField(
        label="Letter text",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Plain English. Leave a blank line between paragraphs. Write merge fields like {{ tenant_name }}.",
    )
    case_reference = _case_reference_field(if_empty="preview on a sample tenant")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs.insert(0, Submit("preview", "Preview", css_class="govuk-button--secondary"))


class TemplateCaseForm(GdsFormMixin, forms.Form):
    """Which case a saved version is previewed on (none: the sample tenant)."""

    submit_label = "Preview on this case"
    submit_name = "preview"

    case_reference = _case_reference_field(if_empty="see the letter on a sample tenant")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs[0] = Submit(self.submit_name, self.submit_label, css_class="govuk-button--secondary")
