"""Campaigns: one message to everyone on a list a manager chose (for example every open case in a patch before a bank
holiday), previewed with its count before it goes, then sent once.

The preview is a dry run of the send itself: the campaign is made and its messages queued by
`arrears.services.messages.case_messages_queue` inside a savepoint that is then rolled back (nothing is kept and
nothing is handed to the sender, since Django drops the on-commit hooks of a rolled-back savepoint). So the preview's
counts and reasons come from the very rules the send applies (consent, a UK mobile number, a number marked wrong, a
STOP reply, Breathing Space), written once."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from arrears.selectors_campaigns import campaign_cases, campaign_criteria_words
from incomeapp.roles import staff_require
from messaging.constants import Channel
from messaging.models import Campaign, Message
from messaging.quiet_hours import next_sending_moment, quiet_reason
from messaging.selectors import template_version_current

from .messages import case_messages_queue

PERMISSION = "messaging.add_campaign"

# Why someone was left out, grouped for the preview and the banner: (words found in the reason, the group's label).
# Checked in order: the first that matches names the group.
_REASON_GROUPS = (
    ("breathing space", "A Breathing Space holds the arrears"),
    ("replied stop", "Replied STOP"),
    ("marked wrong", "Mobile number marked wrong"),
    ("not agreed to text", "Not agreed to texts"),
    ("not agreed to email", "Not agreed to emails"),
    ("no uk mobile", "No mobile number"),
    ("no email address", "No email address"),
    ("already sent", "Already sent this message"),
    ("no named tenant", "No named tenant"),
    ("no published message template", "The template is not published"),
)


def reason_group(reason: str) -> str:
    lowered = reason.lower()
    return next((label for words, label in _REASON_GROUPS if words in lowered), "Other reasons")


@dataclass
class CampaignOutcome:
    """What a campaign came to (or would come to, for a preview)."""

    title: str
    audience: str
    channel: str
    cases: int
    people: int  # messages made: one per person who gets it
    not_sent: list[dict] = field(default_factory=list)  # {case, person, name, reference, reason, group}
    sample: dict | None = None  # {recipient_name, subject, body, parts} of the first message
    total_parts: int = 0  # the text message parts the provider charges for, all messages together
    sends_at: datetime | None = None
    quiet: str = ""  # why they wait, in words, when they do
    campaign: Campaign | None = None
    already: bool = False  # the same submission came again: nothing new was made

    @property
    def not_sent_groups(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for row in self.not_sent:
            counts[row["group"]] = counts.get(row["group"], 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


class _DryRun(Exception):
    """Raised inside the preview's savepoint so that everything the dry run made is rolled back."""

    def __init__(self, outcome: CampaignOutcome):
        self.outcome = outcome


def _version(template_key: str):
    version = template_version_current(template_key)
    if version is None:
        raise ValidationError("That message template has no published version. Publish it first, or choose another.")
    return version


def _filters(criteria: dict) -> dict:
    """The filters as chosen, JSON-ready, without empty ones."""
    return {key: str(value) if key == "min_balance" else value for key, value in criteria.items() if value}


def _send(*, campaign: Campaign, cases: list, made_by) -> CampaignOutcome:
    """Queues the campaign's messages to everyone on `cases` who can get one, and records on the campaign how many
    went and who was left out and why."""
    today = timezone.localdate()
    result = case_messages_queue(
        cases=cases,
        template_keys=[campaign.template_version.template.key],
        code="campaign",
        on=today,
        idempotency_scope=f"campaign:{campaign.pk}",
        recorded_by=made_by,
        campaign=campaign,
        run_label=f"campaign:{campaign.pk}",
    )
    by_case = {case.pk: case for case in cases}
    names = {
        row.person_id: row.person.full_name
        for case in cases
        for row in case.account.tenancy.tenancy_tenants.all()  # prefetched by campaign_cases
    }
    not_sent = []
    for case_id, person_id, reason in result.skipped:
        name = names.get(person_id, "")
        said = reason[len(name) + 1 :] if name and reason.startswith(f"{name} ") else reason
        case = by_case.get(case_id)
        not_sent.append(
            {
                "case": case_id,
                "person": person_id,
                "name": name,
                "reference": case.account.tenancy.payment_reference if case else "",
                "reason": said,
                "group": reason_group(reason),
            }
        )
    campaign.audience_count = len(result.contacts)
    campaign.criteria = {**campaign.criteria, "cases": len(cases), "not_sent": not_sent}
    campaign.save(update_fields=["audience_count", "criteria"])
    return _outcome(campaign, cases=len(cases), not_sent=not_sent)


def _outcome(campaign: Campaign, *, cases: int, not_sent: list[dict], already: bool = False) -> CampaignOutcome:
    messages = Message.objects.filter(campaign=campaign).order_by("id")
    first = messages.only("recipient_name", "subject", "body", "parts").first()
    now = timezone.now()
    return CampaignOutcome(
        title=campaign.title,
        audience=campaign.audience,
        channel=campaign.channel,
        cases=cases,
        people=messages.count(),
        not_sent=not_sent,
        sample={
            "recipient_name": first.recipient_name,
            "subject": first.subject,
            "body": first.body,
            "parts": first.parts,
        }
        if first
        else None,
        total_parts=sum(messages.filter(channel=Channel.TEXT).values_list("parts", flat=True)),
        sends_at=next_sending_moment(now),
        quiet=quiet_reason(now),
        campaign=campaign,
        already=already,
    )


def _sample(message: Message | None) -> dict | None:
    if message is None:
        return None
    return {
        "recipient_name": message.recipient_name,
        "subject": message.subject,
        "body": message.body,
        "parts": message.parts,
    }


def _campaign_new(*, title: str, version, criteria: dict, made_by, submission_key: str | None) -> Campaign:
    return Campaign.objects.create(
        title=title,
        channel=version.template.channel,
        template_version=version,
        audience=campaign_criteria_words(criteria),
        criteria={"filters": _filters(criteria)},
        audience_count=0,
        submission_key=submission_key or None,
        created_by=made_by,
    )


def campaign_preview(*, title: str, template_key: str, criteria: dict, previewed_by) -> CampaignOutcome:
    """What sending the campaign now would do, changing nothing: how many cases and people it reaches, who it leaves
    out and why, a sample of the message with its parts, all the parts together, and when the messages would go."""
    staff_require(previewed_by, PERMISSION, "send a campaign")
    version = _version(template_key)
    cases = campaign_cases(criteria=criteria, as_of=timezone.localdate(), user=previewed_by)
    try:
        with transaction.atomic():
            campaign = _campaign_new(
                title=title, version=version, criteria=criteria, made_by=previewed_by, submission_key=None
            )
            outcome = _send(campaign=campaign, cases=cases, made_by=previewed_by)
            outcome.campaign = None  # rolled back: it is not kept
            raise _DryRun(outcome)
    except _DryRun as dry_run:
        return dry_run.outcome


def campaign_send(
    *, title: str, template_key: str, criteria: dict, sent_by, submission_key: str | None = None
) -> CampaignOutcome:
    """Makes the campaign and queues its messages (each kept in its case's diary), once: the same `submission_key`
    sent again (a second press of the button) returns the campaign it made, with nothing new."""
    staff_require(sent_by, PERMISSION, "send a campaign")
    if submission_key:
        done = Campaign.objects.filter(submission_key=submission_key).first()
        if done is not None:
            return campaign_outcome(done, already=True)
    version = _version(template_key)
    cases = campaign_cases(criteria=criteria, as_of=timezone.localdate(), user=sent_by)
    if not cases:
        raise ValidationError("No open case is on this list. Change the filters and preview it again.")
    try:
        with transaction.atomic():
            campaign = _campaign_new(
                title=title, version=version, criteria=criteria, made_by=sent_by, submission_key=submission_key
            )
    except IntegrityError:  # the same submission, sent twice at once: the first one made it
        return campaign_outcome(Campaign.objects.get(submission_key=submission_key), already=True)
    return _send(campaign=campaign, cases=cases, made_by=sent_by)


def campaign_outcome(campaign: Campaign, *, already: bool = False) -> CampaignOutcome:
    """A sent campaign's outcome, read back from what it recorded."""
    recorded = campaign.criteria or {}
    return _outcome(campaign, cases=recorded.get("cases", 0), not_sent=recorded.get("not_sent", []), already=already)
