"""What the contact diary does when the messaging app reports (connected in ArrearsConfig.ready()).

- A message's status changed: the diary entry made with it takes the outcome its status means (MESSAGE_OUTCOMES), so
  a text counts as sent, for the ladder and the pre-action protocol, only once it is delivered.
- A reply came: it lands in the diary as a reply (outcome "Replied") from the named tenant whose number it came from,
  on the case the message it answers was about, or else on that tenant's open case. A reply from a number no current
  named tenant has is left out of every diary and listed for a manager (messaging:replies_unmatched)."""

from django.utils import timezone

from messaging.constants import Channel
from tenancies.models import TenancyTenant
from tenancies.selectors_people import people_with_mobile

from .constants import MESSAGE_OUTCOMES, CaseStatus, ContactKind, ContactOutcome
from .models import ArrearsCase, Contact
from .services.rereview import case_re_review


def diary_outcome_from_message(sender, message, **kwargs) -> None:
    outcome = MESSAGE_OUTCOMES.get(message.status)
    if outcome is not None:
        Contact.objects.filter(message=message).exclude(outcome=outcome).update(outcome=outcome)


def _case_answered(inbound) -> ArrearsCase | None:
    message = inbound.replying_to
    if message is None or not message.subject_key.startswith("case:"):
        return None
    case_id = message.subject_key.split(":", 1)[1]
    return ArrearsCase.objects.filter(pk=int(case_id)).first() if case_id.isdigit() else None


def reply_to_diary(sender, inbound, **kwargs) -> None:
    """The reply as a contact from the named tenant (on a joint tenancy, the one whose number it is)."""
    if Contact.objects.filter(inbound=inbound).exists():
        return
    people = {person.pk: person for person in people_with_mobile(inbound.from_address, channel=inbound.channel)}
    if not people:
        return  # no one's number: kept and listed for a manager
    current = TenancyTenant.objects.filter(person_id__in=people).select_related("tenancy")
    case = _case_answered(inbound)
    tenant = current.filter(tenancy_id=case.account.tenancy_id).first() if case is not None else None
    if tenant is None:
        # Not a reply to a case's message, or the number is no tenant's of that case now: that tenant's open case.
        case = (
            ArrearsCase.objects.filter(status=CaseStatus.OPEN, account__tenancy_id__in=current.values("tenancy_id"))
            .select_related("account")
            .order_by("-opened_on", "-id")
            .first()
        )
        if case is None:
            return  # a tenant with no open case: nothing to put it in, so it is listed for a manager
        tenant = current.filter(tenancy_id=case.account.tenancy_id).first()
    person = people[tenant.person_id]
    Contact.objects.create(
        case=case,
        person=person,
        kind=ContactKind.EMAIL if inbound.channel == Channel.EMAIL else ContactKind.SMS,
        code="reply",
        outcome=ContactOutcome.REPLIED,
        occurred_on=timezone.localtime(inbound.received_at).date(),
        notes=inbound.body,
        inbound=inbound,
    )
    case_re_review(case)  # a tenant in touch can change the next step (the ladder's latest contact)
