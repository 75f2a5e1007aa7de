from crispy_forms_gds.layout import Submit
from django import forms

from incomeapp.forms import GdsFormMixin


class TemplateEditForm(GdsFormMixin, forms.Form):
    submit_label = "Save as a new version"
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
        help_text="For example RW000123. The preview shows the letter as that case's tenant would get it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs.insert(0, Submit("preview", "Preview", css_class="govuk-button--secondary"))
