"""Sign-in and password forms, rendered with the GOV.UK Design System pack of crispy-forms."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django.contrib.auth import forms as auth_forms


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
