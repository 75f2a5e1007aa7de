"""Writes for message templates, versioned like letter templates: a draft is kept but used by no message until it is
published; a revert is a new version with an old one's text, published at once. Nothing is changed or deleted, so
the history shows who wrote, published or went back to what, and when."""

from django.core.exceptions import ValidationError
from django.db import transaction

from documents.merge_fields import TemplateError, fields_used
from incomeapp.roles import staff_require
from incomeapp.template_versions import version_number_next, version_publish, version_revert

from .constants import Channel
from .models import MessageTemplate, MessageTemplateVersion

CHANGE_PERMISSION = "messaging.add_messagetemplateversion"


def message_template_text_check(*, channel: str, subject: str, body: str) -> None:
    """Raises ValidationError (what to change, in plain words) when a subject or text cannot be used in a message."""
    if not body.strip():
        raise ValidationError("The message has no text. Write what the message should say.")
    if channel == Channel.EMAIL and not subject.strip():
        raise ValidationError("An email needs a subject line. Write one.")
    try:
        fields_used(subject)
        fields_used(body)
    except TemplateError as error:
        raise ValidationError(str(error)) from error


@transaction.atomic
def message_template_draft_save(*, template: MessageTemplate, subject: str, body: str, created_by):
    """A new draft version: kept, shown in the history, but used by no message until it is published."""
    staff_require(created_by, CHANGE_PERMISSION, "change message templates")
    message_template_text_check(channel=template.channel, subject=subject, body=body)
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    return MessageTemplateVersion.objects.create(
        template=template,
        number=version_number_next(template),
        subject=subject if template.channel == Channel.EMAIL else "",
        body=body,
        created_by=created_by,
    )


def message_template_version_publish(*, version: MessageTemplateVersion, published_by) -> MessageTemplateVersion:
    """Makes a draft the version every message is made from from now on. A version published before cannot be
    published again: revert to it."""
    return version_publish(
        version=version, published_by=published_by, permission=CHANGE_PERMISSION, action="publish message templates"
    )


def message_template_version_revert(*, version: MessageTemplateVersion, reverted_by) -> MessageTemplateVersion:
    """Goes back to an earlier version: a new version with its subject and text, published at once."""
    return version_revert(
        version=version, reverted_by=reverted_by, permission=CHANGE_PERMISSION, action="change message templates"
    )
