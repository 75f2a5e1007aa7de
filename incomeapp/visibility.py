"""Lets apps below `tenancies` (documents) ask whether a person may see a tenancy's records without importing it.

`tenancies` registers its answer (tenancies.scoping) in its AppConfig.ready(); documents file by payment reference,
so the question is asked by reference.
"""

from collections.abc import Callable

_checks: dict[str, Callable] = {}


def visibility_register(*, reference_visible: Callable, is_scoped: Callable) -> None:
    _checks["reference_visible"] = reference_visible
    _checks["is_scoped"] = is_scoped


def reference_visible(user, reference: str) -> bool:
    """May `user` see the records of the tenancy with this payment reference (its documents, for one)?"""
    check = _checks.get("reference_visible")
    return True if check is None else check(user, reference)


def user_is_scoped(user) -> bool:
    """Does `user` see only some tenancies (so work across every tenancy, like a print batch, is not theirs)?"""
    check = _checks.get("is_scoped")
    return False if check is None else check(user)
