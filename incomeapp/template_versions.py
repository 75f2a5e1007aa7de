"""Versioned templates, for letters (documents) and messages (messaging) alike: which version is in use, which draft
waits to be published, and the writes that publish a draft or go back to an earlier version. Nothing is changed or
deleted, so the history shows who wrote, published or went back to what, and when. Each app passes its own version
model's rows, and the permission and words its refusals use."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from .models import TemplateVersion
from .roles import staff_require


def version_in_use(versions: list[TemplateVersion]) -> TemplateVersion | None:
    """The version things are made from (the one published last), from a template's versions already fetched."""
    published = [version for version in versions if version.published_at]
    return max(published, key=lambda version: (version.published_at, version.number)) if published else None


def version_latest_draft(versions: list[TemplateVersion], current: TemplateVersion | None) -> TemplateVersion | None:
    """The newest draft saved after the version in use: the one waiting to be checked and published."""
    drafts = [v for v in versions if not v.published_at and (current is None or v.number > current.number)]
    return max(drafts, key=lambda version: version.number) if drafts else None


def templates_in_use_and_draft(templates) -> None:
    """Sets `current` and `draft` on each template, from its versions already fetched (prefetch_related)."""
    for template in templates:
        versions = list(template.versions.all())
        template.current = version_in_use(versions)
        template.draft = version_latest_draft(versions, template.current)


def versions_with_state(template) -> tuple[list[TemplateVersion], TemplateVersion | None]:
    """A template's versions, newest first, each with its `state` ("In use", "Draft" or "Replaced"), and the one in
    use."""
    versions = list(template.versions.select_related("created_by", "published_by", "reverted_from"))
    current = version_in_use(versions)
    for version in versions:
        version.state = (
            "In use" if current and version.pk == current.pk else "Draft" if not version.published_at else "Replaced"
        )
    return versions, current


def template_versions_context(template, versions: list[TemplateVersion], current: TemplateVersion | None) -> dict:
    """What a template's page shows of its versions: the template, the version in use, the draft waiting to be
    published and every version."""
    draft = version_latest_draft(versions, current)
    return {"template": template, "current": current, "draft": draft, "versions": versions}


def version_published_last(versions: QuerySet) -> TemplateVersion | None:
    """The version in use among `versions`: the one published last (drafts are never used)."""
    return (
        versions.filter(published_at__isnull=False)
        .select_related("template")
        .order_by("-published_at", "-number")
        .first()
    )


def version_number_next(template) -> int:
    """The number a new version of `template` takes (call it holding the template's row lock)."""
    return (template.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _template_locked(version: TemplateVersion):
    template_model = type(version)._meta.get_field("template").related_model
    return template_model.objects.select_for_update().get(pk=version.template_id)


@transaction.atomic
def version_publish(*, version: TemplateVersion, published_by, permission: str, action: str) -> TemplateVersion:
    """Makes a draft the version everything is made from from now on (who and when are kept). Anyone who may change
    templates may publish, their own draft too. A version published before cannot be published again: revert to it.
    `action` says what `permission` allows, for the refusal ("publish letter templates")."""
    staff_require(published_by, permission, action)
    _template_locked(version)
    version = type(version).objects.select_related("template").get(pk=version.pk)
    if version.published_at is not None:
        raise ValidationError(
            f"Version {version.number} was already published on {timezone.localtime(version.published_at):%-d %B %Y}."
            " To use its text again, revert to it."
        )
    version.published_at = timezone.now()
    version.published_by = published_by
    version.save(update_fields=["published_at", "published_by"])
    return version


@transaction.atomic
def version_revert(*, version: TemplateVersion, reverted_by, permission: str, action: str) -> TemplateVersion:
    """Goes back to an earlier version: a new version with its subject and text, published at once."""
    staff_require(reverted_by, permission, action)
    template = _template_locked(version)
    current = version_published_last(template.versions.all())
    if current is not None and current.pk == version.pk:
        raise ValidationError(f"Version {version.number} is the one in use already.")
    now = timezone.now()
    return type(version).objects.create(
        template=template,
        number=version_number_next(template),
        subject=version.subject,
        body=version.body,
        created_by=reverted_by,
        published_at=now,
        published_by=reverted_by,
        reverted_from=version,
    )
