"""Reads for arrears policies."""

import yaml

from .constants import PolicyVersionStatus
from .models import ArrearsPolicyVersion


def policy_version_current(*, name: str) -> ArrearsPolicyVersion | None:
    """The policy's live version, or its newest draft when none is live (so an author can test before publishing)."""
    versions = ArrearsPolicyVersion.objects.select_related("policy").filter(policy__name=name)
    return versions.filter(status=PolicyVersionStatus.LIVE).first() or versions.order_by("-number").first()


def policy_export(*, name: str) -> str:
    """The YAML of the policy's current version, as imported (comments kept)."""
    version = policy_version_current(name=name)
    if version is None:
        raise ArrearsPolicyVersion.DoesNotExist(f"There is no arrears policy called '{name}'.")
    return version.source_text or yaml.safe_dump(version.document, sort_keys=False, allow_unicode=True)
