"""An email backend whose server refuses every message, to show a failed email is recorded, not lost."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"mailbox unavailable")})
