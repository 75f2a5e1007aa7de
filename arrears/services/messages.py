"""The one way a text or email about an arrears case is queued: `case_messages_queue`. Used by the weekly review (a
policy step's automatic message), by an officer sending one from the case, and by a campaign.

For each case and each person to be messaged it picks the channel (the person's preferred one when a template for it
is given and they can receive it, else the first given template they can receive), applies the rules that protect
the tenant, and says in plain words why anyone was left out:

- the person agreed to that channel (Person.texts_allowed / emails_allowed);
- a text needs a UK mobile number (messaging.addresses), not marked wrong (Person.mobile_wrong_on); an email needs
  an email address;
- the address has not opted out (a STOP reply) or been found wrong by the provider: reported here as skipped, so no
  withheld message is made for it (messaging.services.messages_queue would withhold it too);
- no message while a Breathing Space holds the case's arrears (R-BS-11, as for letters); the messaging guard
  (arrears.messaging_guard) checks this again at the moment of sending;
- once per case, person and `idempotency_scope` (for the ladder "step:<code>:<monday>": once per case, step and
  week): the message's idempotency key is unique, so a second run makes nothing new.

Quiet hours (no message before 8:00, after 20:00, on Sundays or bank holidays) are messaging's: a message made then
waits until the next moment allowed (Message.send_after)."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from arrears.constants import MESSAGE_OUTCOMES, ContactKind
from arrears.models import Contact
from documents.merge_fields import TemplateError, fill
from incomeapp.roles import staff_require
from messaging.addresses import normalise_email, normalise_mobile
from messaging.constants import Channel, SuppressionReason
from messaging.selectors import template_version_current
from messaging.services import Draft, message_text, messages_queue, suppressed_addresses

_KIND = {Channel.TEXT: ContactKind.SMS, Channel.EMAIL: ContactKind.EMAIL}
_PREFERRED = {"sms": Channel.TEXT, "email": Channel.EMAIL}


@dataclass
class MessagesQueued:
    contacts: list = field(default_factory=list)  # arrears.models.Contact made, each with .message
    skipped: list = field(default_factory=list)  # (case_id, person_id or None, reason in plain words)


def message_address(person, channel: str) -> tuple[str, str]:
    """(the normalised address, "") when `person` may get a message by `channel` (before opt-outs), else ("", why)."""
    if channel == Channel.TEXT:
        if not person.texts_allowed:
            return "", "has not agreed to text messages"
        if person.mobile_wrong_on:
            return "", f"has a mobile number marked wrong on {person.mobile_wrong_on:%-d %B %Y}"
        try:
            return normalise_mobile(person.mobile), ""
        except ValidationError:
            return "", "has no UK mobile number"
    if not person.emails_allowed:
        return "", "has not agreed to emails"
    try:
        return normalise_email(person.email), ""
    except ValidationError:
        return "", "has no email address"


def case_message_key(*, case_id: int, scope: str, person_id: int) -> str:
    """A message's idempotency key: one per case, scope (a ladder step and week, an officer's form, a campaign) and
    person."""
    return f"case:{case_id}:{scope}:person:{person_id}"


def _choose(person, versions: dict[str, object], suppressed: dict[str, str]):
    """(channel, address, "") for the channel this person gets, or (None, "", why not)."""
    preferred = _PREFERRED.get(person.preferred_contact)
    order = list(versions)
    if preferred in versions:
        order.remove(preferred)
        order.insert(0, preferred)
    reasons = []
    for channel in order:
        address, why = message_address(person, channel)
        if address and address in suppressed:
            what = "mobile number" if channel == Channel.TEXT else "email address"
            why = f"has a {what} that must not be messaged ({SuppressionReason(suppressed[address]).label})"
            address = ""
        if address:
            return channel, address, ""
        reasons.append(why)
    return None, "", ", and ".join(reasons)


def _people_for(case, tenants: list, people: dict[int, list[int]] | None, skipped: list) -> list:
    if people is None:
        return tenants
    wanted = list(dict.fromkeys(people.get(case.pk, [])))
    named = {person.pk for person in tenants}
    skipped += [(case.pk, pk, "not a named tenant of this tenancy") for pk in wanted if pk not in named]
    return [person for person in tenants if person.pk in set(wanted)]


@transaction.atomic  # the diary contacts exist before the sender (handed on at commit) can report on a message
def case_messages_queue(
    *,
    cases: list,
    template_keys: list[str],
    code: str,
    on: date,
    idempotency_scope: str,
    recorded_by=None,
    people: dict[int, list[int]] | None = None,
    body: str | None = None,
    campaign=None,
    run_label: str = "",
) -> MessagesQueued:
    """Queues a message about each case to each of its named tenants (or the people `people` names for the case) who
    can get one now, records each as a contact in the case's diary with `code` (a ladder step's code, so the ladder
    moves on), and returns the contacts made and who was left out and why. See the module's docstring for the rules.
    """
    from arrears.letters import case_letter_values
    from arrears.services.breathing_space import cases_held_by_moratorium
    from arrears.services.rereview import re_review

    if recorded_by is not None:  # an officer or a campaign; the review (None) is the system
        staff_require(recorded_by, "messaging.add_message", "send texts and emails")
    result = MessagesQueued()
    if not cases:
        return result
    # One template version per channel, the first given for each.
    versions: dict[str, object] = {}
    for key in template_keys:
        version = template_version_current(key)
        if version is not None and version.template.channel not in versions:
            versions[version.template.channel] = version
    if not versions:
        missing = ", ".join(template_keys) or "none given"
        for case in cases:
            result.skipped.append((case.pk, None, f"no published message template ({missing})"))
        return result

    held = cases_held_by_moratorium(case_ids=[case.pk for case in cases], on=on)
    plans = []  # (case, person, channel, template version, edited by the officer), in the drafts' order
    addresses = []
    per_case_people = {}
    tenants: dict[int, list] = {}
    for case in cases:
        if case.pk in held:
            result.skipped.append((case.pk, None, "a Breathing Space holds these arrears: no messages about them"))
            continue
        tenants[case.pk] = case.account.tenancy.named_tenants()
        chosen = _people_for(case, tenants[case.pk], people, result.skipped)
        per_case_people[case.pk] = chosen
        if not chosen:
            result.skipped.append((case.pk, None, "no named tenant to message"))
        for person in chosen:
            for channel in versions:
                address, _ = message_address(person, channel)
                if address:
                    addresses.append(address)
    suppressed = suppressed_addresses(addresses)

    drafts = []
    for case in cases:
        if case.pk in held:
            continue
        chosen = per_case_people[case.pk]
        values = None
        for person in chosen:
            channel, address, why = _choose(person, versions, suppressed)
            if channel is None:
                result.skipped.append((case.pk, person.pk, f"{person.full_name} {why}".strip()))
                continue
            if values is None:
                values = case_letter_values(case, tenants[case.pk], case.latest_recommendation)
            version = versions[channel]
            person_values = values | {"tenant_name": person.full_name}
            edited = False
            try:
                subject, text = message_text(version, person_values)
                if body is not None:
                    own = message_text_from(body, person_values)
                    edited, text = own != text, own
            except TemplateError as error:
                result.skipped.append((case.pk, person.pk, f"{version.template.title}: {error}"))
                continue
            drafts.append(
                Draft(
                    channel=channel,
                    to=address,
                    recipient_name=person.full_name,
                    reference=case.account.tenancy.payment_reference,
                    subject_key=f"case:{case.pk}",
                    idempotency_key=case_message_key(case_id=case.pk, scope=idempotency_scope, person_id=person.pk),
                    body=text,
                    subject=subject,
                    template_version=version,
                    campaign_id=campaign.pk if campaign is not None else None,
                )
            )
            plans.append((case, person, channel, version, edited))
    messages = messages_queue(drafts, made_by=recorded_by, made_by_run=run_label)
    recorded = set(Contact.objects.filter(message__in=messages).values_list("message_id", flat=True))
    automatic = recorded_by is None
    new = []
    for (case, person, channel, version, edited), message in zip(plans, messages, strict=True):
        if message.pk in recorded:
            result.skipped.append((case.pk, person.pk, f"{person.full_name} was already sent this message"))
            continue
        recorded.add(message.pk)
        title = version.template.title
        new.append(
            Contact(
                case=case,
                person=person,
                kind=_KIND[channel],
                code=code,
                outcome=MESSAGE_OUTCOMES[message.status],
                occurred_on=on,
                notes=f"{title} (campaign: {campaign.title})"
                if campaign is not None
                else _note(title, automatic=automatic, edited=edited),
                recorded_by=recorded_by,
                message=message,
            )
        )
    result.contacts = Contact.objects.bulk_create(new, batch_size=1000)
    if recorded_by is not None and result.contacts:  # an officer's or a campaign's: the review's own are reviewed
        re_review(account_ids={case.account_id for case, *_ in plans}, reason="messages")
    return result


def _note(title: str, *, automatic: bool, edited: bool) -> str:
    if automatic:
        return f"{title} (automatic, arrears review)"
    return f"{title} (text edited by the officer)" if edited else title


def message_text_from(text: str, values: dict[str, str]) -> str:
    """An officer's own text with any merge fields filled in, as plain text."""
    return fill(text, values).strip()
