"""Reading messages, templates, replies and suppressions (for pages and for the domain apps)."""

from incomeapp.template_versions import version_published_last

from .models import InboundMessage, Message, MessageTemplateVersion


def template_version_current(key: str) -> MessageTemplateVersion | None:
    """The version messages are made from: the one published last (drafts are never used)."""
    return version_published_last(MessageTemplateVersion.objects.filter(template__key=key))


def messages_about(subject_key: str):
    return Message.objects.filter(subject_key=subject_key).order_by("-created_at", "-id")


def replies_unread():
    return InboundMessage.objects.filter(read_at__isnull=True)
