"""Writes for arrears policies: import a version from YAML, publish it, install the shipped policies."""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rentaccounts.services import staff_require

from .constants import PolicyVersionStatus
from .engine import PolicyError, policy_check
from .models import ArrearsPolicy, ArrearsPolicyVersion

SHIPPED_POLICIES = Path(__file__).resolve().parent / "policies"
DEFAULT_POLICY = "rentwise-default"


def policy_read(text: str) -> dict:
    """A policy document from YAML (or JSON) text, checked by the engine. Raises ValidationError in plain English."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(f"The policy is not valid YAML: {error}") from error
    try:
        return policy_check(document)
    except PolicyError as error:
        raise ValidationError(str(error)) from error


@transaction.atomic
def policy_import(*, text: str, imported_by=None) -> tuple[ArrearsPolicyVersion, bool]:
    """Keeps the YAML as a new draft version of its policy (made if new). Importing the same rules again makes no new
    version. Returns (version, created)."""
    staff_require(imported_by, "arrears.add_arrearspolicyversion", "change arrears policies")
    document = policy_read(text)
    policy, _ = ArrearsPolicy.objects.select_for_update().get_or_create(
        name=document["name"], defaults={"title": document.get("title") or document["name"]}
    )
    latest = policy.versions.order_by("-number").first()
    if latest is not None and latest.document == document:
        return latest, False
    number = (policy.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ArrearsPolicyVersion.objects.create(
        policy=policy, number=number, document=document, source_text=text, created_by=imported_by
    )
    if document.get("title") and document["title"] != policy.title:
        policy.title = document["title"]
        policy.save(update_fields=["title", "updated_at"])
    return version, True


@transaction.atomic
def policy_version_publish(*, version: ArrearsPolicyVersion, published_by=None) -> ArrearsPolicyVersion:
    """Makes the version live and retires the one it replaces. Recommendations already stored keep their version."""
    staff_require(published_by, "arrears.change_arrearspolicyversion", "publish arrears policies")
    version = ArrearsPolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == PolicyVersionStatus.LIVE:
        return version
    if version.status == PolicyVersionStatus.RETIRED:
        raise ValidationError(f"Version {version.number} was retired; import it again to make a new version.")
    ArrearsPolicyVersion.objects.filter(policy=version.policy, status=PolicyVersionStatus.LIVE).update(
        status=PolicyVersionStatus.RETIRED
    )
    version.status = PolicyVersionStatus.LIVE
    version.published_at = timezone.now()
    version.published_by = published_by
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


def policies_install_shipped() -> list[str]:
    """Imports the policies shipped in arrears/policies/ and publishes any that has no live version yet; the project's
    default becomes the default policy if none is set. Safe to run again. Returns what it did, a line each."""
    done = []
    for path in sorted(SHIPPED_POLICIES.glob("*.yaml")):
        version, created = policy_import(text=path.read_text(encoding="utf-8"))
        policy = version.policy
        if not policy.versions.filter(status=PolicyVersionStatus.LIVE).exists():
            policy_version_publish(version=version)
            done.append(f"{policy.name}: version {version.number} imported and live")
        else:
            done.append(f"{policy.name}: version {version.number} {'imported as a draft' if created else 'unchanged'}")
    if not ArrearsPolicy.objects.filter(is_default=True).exists():
        ArrearsPolicy.objects.filter(name=DEFAULT_POLICY).update(is_default=True)
    return done
