from django import forms

from incomeapp.forms import GdsFormMixin


class SubjectAccessExportForm(GdsFormMixin, forms.Form):
    submit_label = "Make the export"
    submit_name = "make_export"

    request_note = forms.CharField(
        label="The request (optional)",
        required=False,
        max_length=200,
        help_text="Its reference, or how and when it was received: for example 'Email of 3 March 2026, ref SAR-112'.",
    )
