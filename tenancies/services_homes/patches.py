"""Writes for patches: groups of homes worked by one income officer."""

from datetime import date

from incomeapp.roles import staff_require
from tenancies.models import Patch

from .records import _Checks, _record_create, _record_retire, _record_update, _refuse_while_in_use

WORKLIST_PERMISSION = "incomeapp.use_worklist"


PATCH_LABELS = {"name": "patch name", "officer": "officer", "source_reference": "source reference"}
PATCH_FIELDS = set(PATCH_LABELS)


def _patch_checked(values: dict, patch: Patch | None) -> dict:
    checks = _Checks(Patch, PATCH_LABELS)
    if "name" in values:
        checks.unique_text(values, "name", patch, "There is already a patch called {}. Give this one a different name.")
    if "source_reference" in values:
        checks.text(values, "source_reference")
    officer = values.get("officer")
    if officer is not None and (patch is None or patch.officer_id != officer.pk):
        if not officer.is_active:
            checks.add("officer", f"{officer} cannot work a patch: their account is switched off.")
        elif not officer.has_perm(WORKLIST_PERMISSION):
            checks.add(
                "officer", f"{officer} cannot work a patch: their role has no arrears worklist. Choose an officer."
            )
    checks.raise_any()
    return values


def patch_create(*, by, name: str, officer=None, source_reference: str = "") -> Patch:
    """A group of homes worked by one income officer (who must be active and hold the arrears worklist)."""
    staff_require(by, "tenancies.add_patch", "add a patch")
    values = _patch_checked({"name": name, "officer": officer, "source_reference": source_reference}, None)
    return _record_create(Patch, values, by=by)


def patch_update(*, by, patch: Patch, **changes) -> bool:
    staff_require(by, "tenancies.change_patch", "change a patch")
    return _record_update(
        patch,
        changes,
        by=by,
        kind="patch",
        fields=PATCH_FIELDS,
        checked=_patch_checked,
        retire_checks=_patch_retire_checks,
    )


def _patch_retire_checks(patch: Patch, on: date) -> None:
    _refuse_while_in_use(
        patch.properties, holder=str(patch), noun="home", next_step="Move them to another patch first."
    )


def patch_retire(*, by, patch: Patch, on: date) -> None:
    """Stops a patch being offered for homes. Refused while homes in use are still in it."""
    staff_require(by, "tenancies.change_patch", "retire a patch")
    _record_retire(patch, on, by=by, retire_checks=_patch_retire_checks)
