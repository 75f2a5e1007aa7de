"""Forms for message templates: a new draft version's subject (emails only) and text."""

from django import forms

from incomeapp.forms import GdsFormMixin

from .constants import Channel
from .parts import part_limits

PARTS_EXPLAINED = (
    "A text message of up to 160 characters is 1 part, up to 306 is 2 parts and up to 459 is 3 parts; the provider "
    "charges for each part. A character outside the basic text alphabet (such as an emoji or a curly quote) makes "
    "each part 70 characters instead (70, 134, 201)."
)


class MessageTemplateEditForm(GdsFormMixin, forms.Form):
    submit_label = "Save as a draft"
    submit_name = "save"

    subject = forms.CharField(label="Email subject", max_length=200, required=False)
    body = forms.CharField(
        label="Message text",
        widget=forms.Textarea(attrs={"rows": 8, "data-module": "message-parts", "data-parts-output": "body-parts"}),
        help_text="Plain text. Write merge fields like {{ tenant_name }}.",
        error_messages={"required": "Write what the message should say"},
    )

    def __init__(self, *args, channel: str = Channel.TEXT, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel == Channel.EMAIL:
            self.fields["subject"].required = True
            self.fields["subject"].error_messages["required"] = "Write the email's subject line"
            self.fields["body"].widget.attrs.pop("data-module")
            self.fields["body"].widget.attrs.pop("data-parts-output")
            self.fields["body"].widget.attrs["rows"] = 14
        else:
            del self.fields["subject"]
            self.fields["body"].help_text += " " + PARTS_EXPLAINED

    def parts(self) -> dict | None:
        """The part count of the text as typed (merge fields counted as written), for a text template."""
        if self.channel != Channel.TEXT:
            return None
        body = self.cleaned_data.get("body") if hasattr(self, "cleaned_data") else self.initial.get("body", "")
        return part_limits(body or self.data.get("body", "") or "")
