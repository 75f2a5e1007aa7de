"""Arrears policies as versioned data: read, import, publish, install the shipped ones."""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from arrears.constants import (
    Ladder,
    PolicyVersionStatus,
)
from arrears.engine import PolicyError, policy_check
from arrears.models import (
    ArrearsPolicy,
    ArrearsPolicyVersion,
)
from incomeapp.roles import staff_require
from incomeapp.yaml_text import yaml_load

SHIPPED_POLICIES = Path(__file__).resolve().parent.parent / "policies"
DEFAULT_POLICY = "rentwise-default"


def policy_read(text: str) -> dict:
    """A policy document from YAML (or JSON) text, checked by the engine. Raises ValidationError in plain English."""
    try:
        document = yaml_load(text)
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
    _policy_scope_set(version)
    ArrearsPolicyVersion.objects.filter(policy=version.policy, status=PolicyVersionStatus.LIVE).update(
        status=PolicyVersionStatus.RETIRED
    )
    version.status = PolicyVersionStatus.LIVE
    version.published_at = timezone.now()
    version.published_by = published_by
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


@transaction.atomic
def policy_step_change(
    *,
    version: ArrearsPolicyVersion,
    key: str,
    label: str,
    mode: str,
    letter: str,
    contact_first_days: int,
    thresholds: list,
    changed_by=None,
    message: str | None = None,
) -> tuple[ArrearsPolicyVersion, bool]:
    """One step of a version changed in the browser (its wording, what it does, its letter, how long a call is tried
    first, its thresholds), kept as a new draft version of the policy: nothing is used until it is published. The
    whole policy is checked as an uploaded one is. Returns (version, created); not created when nothing changed."""
    from arrears.policy_steps import step_change, steps
    from documents.models import LetterTemplate

    staff_require(changed_by, "arrears.add_arrearspolicyversion", "change arrears policies")
    was = next((step["letter"] for step in steps(version.document) if step["key"] == key), "")
    if letter and letter != was and not LetterTemplate.objects.filter(key=letter).exists():
        raise ValidationError(f"There is no letter template called {letter}. Choose one of the letter templates.")
    if message:
        from messaging.models import MessageTemplate

        was_message = next((step["message"] for step in steps(version.document) if step["key"] == key), "")
        keys = [part.strip() for part in message.split(",") if part.strip()]
        known = set(MessageTemplate.objects.filter(key__in=keys).values_list("key", flat=True))
        unknown = [k for k in keys if k not in known] if message != was_message else []
        if unknown:
            raise ValidationError(
                f"There is no message template called {', '.join(unknown)}. Choose one of the message templates."
            )
    document = step_change(
        version.document,
        key=key,
        label=label,
        mode=mode,
        letter=letter,
        contact_first_days=contact_first_days,
        thresholds=thresholds,
        message=message,
    )
    if document == version.document:
        return version, False
    who = getattr(changed_by, "username", "the system")
    text = (
        f"# {document.get('title') or document['name']}: made in the browser by {who} on "
        f"{timezone.localtime():%-d %B %Y at %H:%M} from version {version.number}, step {key} changed.\n"
        + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
    )
    return policy_import(text=text, imported_by=changed_by)


def _policy_scope_set(version: ArrearsPolicyVersion) -> None:
    """A version's `applies_to` (tenure codes, scheme codes) becomes its policy's scope when it goes live. Refused when
    a code is unknown or another live policy already covers it, so every tenancy follows exactly one policy."""
    from tenancies.constants import TenureType
    from tenancies.models import Scheme

    applies = version.document.get("applies_to") or {}
    tenures = [str(code) for code in applies.get("tenures", [])]
    unknown = sorted(set(tenures) - set(TenureType.values))
    if unknown:
        raise ValidationError(
            f"Unknown tenure codes in applies_to: {', '.join(unknown)}. Use {', '.join(TenureType.values)}."
        )
    codes = [str(code) for code in applies.get("schemes", [])]
    schemes = list(Scheme.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {scheme.code for scheme in schemes})
    if missing:
        raise ValidationError(f"No scheme has the code {', '.join(missing)}. Check applies_to.schemes.")
    others = ArrearsPolicy.objects.exclude(pk=version.policy_id).filter(versions__status=PolicyVersionStatus.LIVE)
    for other in others.prefetch_related("schemes").distinct():
        clash = set(tenures) & set(other.tenure_types or []) or {s.code for s in other.schemes.all()} & set(codes)
        if clash:
            raise ValidationError(
                f"{', '.join(sorted(clash))} already follow{'s' if len(clash) == 1 else ''} the policy "
                f"“{other.title}”. Take it out of that policy first."
            )
    policy = version.policy
    policy.tenure_types = tenures
    policy.ladder = version.document.get("ladder", Ladder.CURRENT)  # which debts it works (docs/debts.md)
    policy.save(update_fields=["tenure_types", "ladder", "updated_at"])
    policy.schemes.set(schemes)


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
