"""Who sees which tenancies: the one place that applies staff scopes (issue 21, item 4; docs/security.md).

A member of staff may be scoped to any set of landlords (providers), schemes and patches (`StaffScope` rows, kept by a
System Administrator on the staff pages). The rule:

- **no scope rows**: every tenancy, as before scoping existed; except a **Housing or Support Worker**, who sees
  **none** until given a scope (a safer default for people outside the income team);
- **scope rows**: a tenancy whose home's provider, scheme or patch is **any** of them (a union: scoped to scheme A
  and patch P sees A's tenancies and P's);
- `user=None` is the system (commands, tasks): everything.

Every list filters with `scoped(queryset, user, path)`, where `path` leads from the listed model to its tenancy
("account__tenancy__" for a case). A page for one record fetches it through a scoped queryset or calls
`assert_can_see_tenancy`, so an out-of-scope record answers **404**, exactly like one that does not exist: a scoped
person cannot learn that a payment reference, case or document number is in use elsewhere.

People follow their tenancies: a person is visible when named (now or before) on a visible tenancy. A scoped person
who may add people also sees records named on no tenancy at all (someone being signed up), never merged records.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from incomeapp.constants import Role

from .models import Person, Scheme, StaffScope, Tenancy, TenancyTenant

_CACHE = "_rentwise_tenancy_scope"
_UNSCOPED = "unscoped"


@dataclass(frozen=True)
class TenancyScope:
    provider_ids: frozenset[int] = frozenset()
    scheme_ids: frozenset[int] = frozenset()
    patch_ids: frozenset[int] = frozenset()
    # The schemes of the scoped providers, so one tenancy is checked from its home alone, with no query.
    provider_scheme_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.provider_ids or self.scheme_ids or self.patch_ids)


NOTHING = TenancyScope()


def _is_support_worker(user) -> bool:
    return any(group.name == Role.SUPPORT_WORKER for group in user.groups.all())


def staff_scope(user) -> TenancyScope | None:
    """The user's scope, or None when they see every tenancy. Read once per user object (so once per request)."""
    if user is None:
        return None
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return None if cached == _UNSCOPED else cached
    providers, schemes, patches = set(), set(), set()
    for provider_id, scheme_id, patch_id in StaffScope.objects.filter(user_id=user.pk).values_list(
        "provider_id", "scheme_id", "patch_id"
    ):
        if provider_id:
            providers.add(provider_id)
        elif scheme_id:
            schemes.add(scheme_id)
        else:
            patches.add(patch_id)
    of_providers = Scheme.objects.filter(provider_id__in=providers).values_list("pk", flat=True) if providers else []
    scope = TenancyScope(frozenset(providers), frozenset(schemes), frozenset(patches), frozenset(of_providers))
    if scope.is_empty and not _is_support_worker(user):
        scope = None
    setattr(user, _CACHE, _UNSCOPED if scope is None else scope)
    return scope


def scope_forget(user) -> None:
    """After a user's scope rows change, in the same process (tests, the admin)."""
    if user is not None and hasattr(user, _CACHE):
        delattr(user, _CACHE)


def is_scoped(user) -> bool:
    """True when the user sees only some tenancies (pages say so where totals cover everyone's)."""
    return staff_scope(user) is not None


def scope_description(user) -> list[str] | None:
    """What a scoped person sees, in words, for the pages they search from ("Harbour Housing (landlord)", "Elm Court
    (scheme)", "North (patch)"); an empty list when they see nothing yet; None when they see every tenancy."""
    scope = staff_scope(user)
    if scope is None:
        return None
    rows = StaffScope.objects.filter(user_id=user.pk).select_related("provider", "scheme", "patch")
    names = [
        f"{row.provider.name} (landlord)"
        if row.provider_id
        else f"{row.scheme.name} (scheme)"
        if row.scheme_id
        else f"{row.patch.name} (patch)"
        for row in rows
    ]
    return sorted(names)


def tenancy_scope_q(user, path: str = "") -> Q | None:
    """A filter for rows whose tenancy (reached by `path`, e.g. "account__tenancy__") the user may see; None when
    they see everything."""
    return home_scope_q(user, f"{path}property__")


def home_scope_q(user, path: str = "") -> Q | None:
    """A filter for rows whose home (reached by `path`) is in the user's scope; None when they see every home."""
    scope = staff_scope(user)
    if scope is None:
        return None
    if scope.is_empty:
        return Q(**{f"{path}pk__in": []})
    q = Q()
    if scope.provider_ids:
        q |= Q(**{f"{path}scheme__provider_id__in": sorted(scope.provider_ids)})
    if scope.scheme_ids:
        q |= Q(**{f"{path}scheme_id__in": sorted(scope.scheme_ids)})
    if scope.patch_ids:
        q |= Q(**{f"{path}patch_id__in": sorted(scope.patch_ids)})
    return q


def _narrowed(queryset: QuerySet, user, q: Q | None) -> QuerySet:
    queryset = queryset.all()
    if q is None:
        return queryset
    return queryset.none() if staff_scope(user).is_empty else queryset.filter(q)


def scoped(queryset: QuerySet, user, path: str = "") -> QuerySet:
    """`queryset` (or a manager) narrowed to the rows whose tenancy the user may see (all of them when unscoped)."""
    return _narrowed(queryset, user, tenancy_scope_q(user, path))


def scoped_homes(queryset: QuerySet, user, path: str = "") -> QuerySet:
    """Homes (or rows reached from a home by `path`) in the user's scope: sign-up offers only these."""
    return _narrowed(queryset, user, home_scope_q(user, path))


def tenancies_visible_to(user) -> QuerySet[Tenancy]:
    return scoped(Tenancy.objects.all(), user)


def tenancy_visible(user, tenancy: Tenancy | None) -> bool:
    if tenancy is None:
        return False
    return home_visible(user, tenancy.property)


def home_visible(user, home) -> bool:
    """Is the home (a `Property`) in the user's scope? No query once the scope is read."""
    scope = staff_scope(user)
    if scope is None:
        return True
    return (
        home.scheme_id in scope.scheme_ids
        or home.scheme_id in scope.provider_scheme_ids
        or (home.patch_id is not None and home.patch_id in scope.patch_ids)
    )


def visible_tenancy_rows(user, rows):
    """Of a person's tenancy rows (`TenancyTenant`, with their tenancy's home loaded), those the user may see."""
    if staff_scope(user) is None:
        return rows
    return [row for row in rows if tenancy_visible(user, row.tenancy)]


def assert_can_see_tenancy(user, tenancy: Tenancy | None) -> None:
    """404 for a tenancy out of the user's scope: the same answer as a payment reference that does not exist."""
    if not tenancy_visible(user, tenancy):
        raise Http404("No tenancy has that payment reference.")


def form_tenancy_check(*, form, user, field: str, tenancy: Tenancy | None) -> bool:
    """For a form where a payment reference is typed: an out-of-scope tenancy gets the same error as one that does
    not exist. False (and the error on `field`) when the user may not see it."""
    if tenancy is None or tenancy_visible(user, tenancy):
        return True
    form.add_error(field, f"No tenancy has the payment reference {tenancy.payment_reference}. Check it and try again.")
    return False


def payment_references_visible(user, references) -> set[str]:
    """Which of these payment references the user may see (one query; none for unscoped users)."""
    references = set(references)
    if staff_scope(user) is None:
        return references
    return set(
        tenancies_visible_to(user).filter(payment_reference__in=references).values_list("payment_reference", flat=True)
    )


def payment_reference_visible(user, reference: str) -> bool:
    return reference in payment_references_visible(user, [reference])


def people_scope_q(user, path: str = "") -> Q | None:
    """A filter for people (reached by `path`) the user may see; None when they see everyone."""
    tenancy_q = tenancy_scope_q(user, "tenancy__")
    if tenancy_q is None:
        return None
    parts = []
    if not staff_scope(user).is_empty:
        parts.append(Q(pk__in=TenancyTenant.every_row.filter(tenancy_q).values("person_id")))
    if user.has_perm("tenancies.add_person"):
        parts.append(~Exists(TenancyTenant.every_row.filter(person=OuterRef("pk"))) & Q(merged_into__isnull=True))
    if not parts:
        return Q(**{f"{path}pk__in": []})
    visible = parts[0] if len(parts) == 1 else parts[0] | parts[1]
    return Q(**{f"{path}pk__in": Person.objects.filter(visible).values("pk")})


def people_visible_to(user, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    queryset = Person.objects.all() if queryset is None else queryset
    q = people_scope_q(user)
    return queryset if q is None else queryset.filter(q)


def person_visible(user, person: Person | None) -> bool:
    if person is None:
        return False
    if staff_scope(user) is None:
        return True
    return people_visible_to(user, Person.objects.filter(pk=person.pk)).exists()


def assert_can_see_person(user, person: Person | None) -> None:
    if not person_visible(user, person):
        raise Http404("No person has that record number.")
