"""Reading messages, templates, replies and suppressions (for pages and for the domain apps)."""

from .models import InboundMessage, Message, MessageTemplateVersion


def template_version_current(key: str) -> MessageTemplateVersion | None:
    """The version messages are made from: the one published last (drafts are never used)."""
    return (
        MessageTemplateVersion.objects.filter(template__key=key, published_at__isnull=False)
        .select_related("template")
        .order_by("-published_at", "-number")
        .first()
    )


def messages_about(subject_key: str):
    return Message.objects.filter(subject_key=subject_key).order_by("-created_at", "-id")


def replies_unread():
    return InboundMessage.objects.filter(read_at__isnull=True)
