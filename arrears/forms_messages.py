"""The case page's "send a text or email" forms: who and which template, then the merged text to check and edit.
A named tenant who cannot get the channel is shown with why, and cannot be chosen."""

import re

from django import forms

from incomeapp.forms import GdsFormMixin

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class TokenField(forms.CharField):
    """The one-time token the form was given when shown: the message's idempotency scope, so a double submit makes
    one message."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, max_length=64, **kwargs)

    def validate(self, value):
        super().validate(value)
        if not _TOKEN.match(value):
            raise forms.ValidationError("This form has expired. Start again from the case page.")


class MessageChooseForm(GdsFormMixin, forms.Form):
    """Step 1: which named tenant (only those who can get the channel) and which published template."""

    submit_label = "Continue"
    submit_name = "check"

    person = forms.TypedChoiceField(
        label="Who is it to?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the message is to", "invalid_choice": "Choose who the message is to"},
    )
    template = forms.ChoiceField(
        label="Which message?",
        error_messages={"required": "Choose which message to send", "invalid_choice": "Choose which message to send"},
    )
    token = TokenField()

    def __init__(self, *args, reachable: list, templates: list, **kwargs):
        """`reachable`: [(person, address)] who can get the channel; `templates`: published versions of it."""
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (person.pk, f"{person.full_name} ({address})") for person, address in reachable
        ]
        self.fields["template"].choices = [("", "Choose a message")] + [
            (version.template.key, version.template.title) for version in templates
        ]


class MessageCheckForm(GdsFormMixin, forms.Form):
    """Step 2: the merged text, editable, with what step 1 chose carried in hidden fields."""

    submit_label = "Send"
    submit_name = "send"

    person = forms.IntegerField(widget=forms.HiddenInput)
    template = forms.SlugField(widget=forms.HiddenInput)
    token = TokenField()
    body = forms.CharField(
        label="The message",
        widget=forms.Textarea(attrs={"rows": 8, "data-module": "message-parts", "data-parts-output": "body-parts"}),
        max_length=2000,
        help_text="The template's text with this case's details filled in. You may change it before it goes.",
        error_messages={"required": "Write the message", "max_length": "Keep the message to 2,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []  # the page writes its buttons: send, and count the parts again
