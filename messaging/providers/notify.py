"""GOV.UK Notify, through its official Python client. Notify sends only from templates made in its own service, so
two templates show our text as it is: a text message template whose whole content is ((body)), and an email template
with subject ((subject)) and content ((body)); their ids are NOTIFY_SMS_TEMPLATE_ID and NOTIFY_EMAIL_TEMPLATE_ID.

Every notification carries our message's idempotency key as its `reference`, so `find` can ask Notify whether a
message arrived before it is ever sent again."""

from django.conf import settings
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import HTTPError

from messaging.constants import Channel

from .base import Accepted, PermanentError, Provider, TemporaryError

# The request's own limit: a worker never waits longer than this on Notify (its client's default is 30 seconds).
TIMEOUT_SECONDS = 10


def _plain_words(error: HTTPError) -> str:
    """Notify's reasons, joined: its error JSON is {"status_code": 400, "errors": [{"error": ..., "message": ...}]}."""
    found = error.message
    if isinstance(found, list):
        found = "; ".join(str(item.get("message") or item.get("error") or item) for item in found if item)
    return str(found or "no reason given")


def _retry_after(error: HTTPError) -> float | None:
    response = getattr(error, "response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None


class NotifyProvider(Provider):
    name = "notify"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        sms_template_id: str = "",
        email_template_id: str = "",
        sms_sender_id: str = "",
    ):
        if len(api_key) < 74:
            raise ValueError(
                "NOTIFY_API_KEY is not a Notify API key: copy the whole key from Notify's API integration page "
                "(it looks like name-<service id>-<secret>)."
            )
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=TIMEOUT_SECONDS)
        self.sms_template_id = sms_template_id
        self.email_template_id = email_template_id
        self.sms_sender_id = sms_sender_id

    @classmethod
    def from_settings(cls) -> "NotifyProvider":
        return cls(
            api_key=settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            sms_template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            email_template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            sms_sender_id=settings.NOTIFY_SMS_SENDER_ID,
        )

    def send(self, message) -> Accepted:
        if message.channel == Channel.EMAIL:
            if not self.email_template_id:
                raise PermanentError("No Notify email template is set up (NOTIFY_EMAIL_TEMPLATE_ID).")
            answer = self._call(
                self.client.send_email_notification,
                email_address=message.to,
                template_id=self.email_template_id,
                personalisation={"subject": message.subject, "body": message.body},
                reference=message.idempotency_key,
            )
        else:
            if not self.sms_template_id:
                raise PermanentError("No Notify text message template is set up (NOTIFY_SMS_TEMPLATE_ID).")
            answer = self._call(
                self.client.send_sms_notification,
                phone_number=message.to,
                template_id=self.sms_template_id,
                personalisation={"body": message.body},
                reference=message.idempotency_key,
                sms_sender_id=self.sms_sender_id or None,
            )
        if not isinstance(answer, dict) or not answer.get("id"):
            raise TemporaryError("Notify accepted the request but did not say the notification's id.")
        return Accepted(provider_ref=str(answer["id"]))

    def find(self, reference: str) -> str | None:
        answer = self._call(self.client.get_all_notifications, reference=reference)
        for notification in (answer or {}).get("notifications", []):
            if notification.get("reference") == reference:
                return str(notification["id"])
        return None

    @staticmethod
    def _call(method, **kwargs):
        try:
            return method(**kwargs)
        except HTTPError as error:
            # The client reports a timeout or a refused connection as 503 with no response.
            status, reason = error.status_code, _plain_words(error)
            if status == 429 or status >= 500:
                raise TemporaryError(f"Notify answered {status}: {reason}", retry_after=_retry_after(error)) from error
            if status == 403:
                raise PermanentError(f"Notify refused our API key: {reason}") from error
            raise PermanentError(f"Notify refused the message: {reason}") from error
