"""What the people records do when the messaging app reports on an address (connected in TenanciesConfig.ready()).

- A number a provider reported wrong: every person whose mobile is that number gets "mobile marked wrong on" today,
  shown on their page until an officer changes the number or confirms it.
- A STOP reply: every person whose mobile is that number no longer agrees to texts, recorded today.

Both are saved with a history row (the system as the user, the reason in words)."""

from django.utils import timezone

from messaging.constants import Channel, SuppressionReason

from .selectors_people import people_with_mobile
from .services_people import person_update


def person_mobile_suppressed(sender, suppression, **kwargs) -> None:
    if suppression.channel != Channel.TEXT:
        return
    today = timezone.localdate()
    for person in people_with_mobile(suppression.address):
        if suppression.reason == SuppressionReason.WRONG and person.mobile_wrong_on is None:
            person.mobile_wrong_on = today
            person._history_user = None
            person._change_reason = "Mobile number marked wrong: a text to it could not be delivered"
            person.save(update_fields=["mobile_wrong_on", "updated_at"])
        elif suppression.reason == SuppressionReason.OPTED_OUT and person.texts_allowed:
            person_update(by=None, person=person, texts_allowed=False, reason="Replied STOP to a text: no more texts")
