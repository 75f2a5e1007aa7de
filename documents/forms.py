from crispy_forms_gds.layout import Submit
from django import forms

from incomeapp.forms import GdsFormMixin


class TemplateEditForm(GdsFormMixin, forms.Form):
    submit_label = "Save as a draft"
    submit_name = "save"

    subject = forms.CharField(label="Heading", max_length=200)
    body = forms.CharField(
        label="Letter text",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Plain English. Leave a blank line between paragraphs. Write merge fields like {{ tenant_name }}.",
    )
    case_reference = forms.CharField(
        label="Preview on the case with payment reference",
        required=False,
        max_length=20,
        help_text="For example RW000123. Leave it empty to preview on a sample tenant.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs.insert(0, Submit("preview", "Preview", css_class="govuk-button--secondary"))


class TemplateCaseForm(GdsFormMixin, forms.Form):
    """Which case a saved version is previewed on (none: the sample tenant)."""

    submit_label = "Preview on this case"
    submit_name = "preview"

    case_reference = forms.CharField(
        label="Preview on the case with payment reference",
        required=False,
        max_length=20,
        help_text="For example RW000123. Leave it empty to see the letter on a sample tenant.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs[0] = Submit(self.submit_name, self.submit_label, css_class="govuk-button--secondary")
