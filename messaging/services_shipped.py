"""The message templates Rentwise ships (messaging/default_templates/<key>.yaml: title, channel, description,
subject for an email, body), installed by `manage.py message_templates install`."""

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from incomeapp.yaml_text import yaml_load

from .constants import Channel
from .models import MessageTemplate, MessageTemplateVersion
from .services_templates import message_template_text_check

SHIPPED_MESSAGE_TEMPLATES = Path(__file__).resolve().parent / "default_templates"


def shipped_message_templates() -> dict[str, dict]:
    """{key: the shipped template's fields}, read from the files."""
    shipped = {}
    for path in sorted(SHIPPED_MESSAGE_TEMPLATES.glob("*.yaml")):
        data = yaml_load(path.read_text(encoding="utf-8"))
        shipped[path.stem] = {
            "title": data["title"],
            "channel": data.get("channel", Channel.TEXT),
            "description": data.get("description", ""),
            "subject": (data.get("subject") or "").strip(),
            "body": data["body"].strip(),
        }
    return shipped


@transaction.atomic
def message_templates_install_shipped() -> list[str]:
    """Adds each shipped template, and its text as version 1, published, where the template has no version yet; a
    template someone has already written or edited is left alone. Safe to run again (it changes nothing then)."""
    done = []
    for key, data in shipped_message_templates().items():
        message_template_text_check(channel=data["channel"], subject=data["subject"], body=data["body"])
        template, _ = MessageTemplate.objects.select_for_update().get_or_create(
            key=key,
            defaults={"title": data["title"], "channel": data["channel"], "description": data["description"]},
        )
        if template.versions.exists():
            done.append(f"{key}: kept as it is")
            continue
        MessageTemplateVersion.objects.create(
            template=template,
            number=1,
            subject=data["subject"] if template.channel == Channel.EMAIL else "",
            body=data["body"],
            published_at=timezone.now(),
        )
        done.append(f"{key}: installed and published")
    return done
