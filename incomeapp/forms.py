"""Sign-in and password forms, rendered with the GOV.UK Design System pack of crispy-forms."""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from incomeapp.money import MONEY_LIMIT, MoneyError, parse_money


class GdsFormMixin:
    """Gives a form a GOV.UK layout with one submit button. Errors show in the page's error summary."""

    submit_label = "Continue"
    submit_name = "submit"  # distinct per form when a page has two

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # Templates write the <form>, its CSRF token and hidden fields themselves.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = "s"
        # A form repeated on a page (one per hearing, say) is given its own auto_id; its button follows it, so no
        # two buttons share an id.
        own_ids = isinstance(self.auto_id, str) and self.auto_id != "id_%s"
        extra = {"css_id": self.auto_id % self.submit_name} if own_ids else {}
        self.helper.add_input(Submit(self.submit_name, self.submit_label, **extra))


class DecisionForm(GdsFormMixin, forms.Form):
    """A second person's decision on a request (a money request, a staff change): a required reason, kept with the
    request; the page writes its own two buttons (approve, refuse). `keeps_it` says where the reason is kept."""

    keeps_it = "It is kept with the request."

    reason = forms.CharField(
        label="Reason for your decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Give the reason for your decision"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = self.keeps_it
        self.helper.inputs = []  # the page shows two buttons: approve and refuse


class MoneyField(forms.CharField):
    """Pounds and pence as people write them ('£1,234.50', '-25', '(12.00)'), read by `incomeapp.money.parse_money`:
    the one strict reading, with an upper bound (`limit`, MONEY_LIMIT unless given), for every money field in the
    product. Anything else ('1e308', '99999999999', '1,0,0', hidden characters) is a form error in plain English,
    shown in the page's error summary, never a server error."""

    def __init__(self, *, limit=MONEY_LIMIT, width: int | None = None, **kwargs):
        """`width`: a fixed GOV.UK input width in characters (5 for a weekly charge), else the full width."""
        self.limit = limit
        attrs = {"inputmode": "decimal", "spellcheck": "false"}
        if width:
            attrs["class"] = f"govuk-input--width-{width}"
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_money(value, limit=self.limit)
        except MoneyError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class DateField(DateInputField):
    """The GOV.UK three-field date, with a plain message for a date that does not exist (31 2 2026)."""

    def __init__(self, *, required_message: str = "Enter the date as a day, month and year", example="6 4 2026", **kw):
        kw.setdefault("help_text", f"For example, {example}")
        super().__init__(**kw)
        self.error_messages["required"] = self.error_messages["incomplete"] = required_message

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except ValidationError as error:
            raise ValidationError("Enter a real date, like 6 4 2026") from error


class SignInForm(GdsFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your system administrator to switch it back on.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})


class PasswordChangeForm(GdsFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"


class PasswordResetForm(GdsFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send reset link"


class SetPasswordForm(GdsFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Set new password"
