"""Planning providers, schemes and their rent-free weeks, patches, homes and their charges (see plan.py).

The homes' charges, and comparing an owner's charges (a home's or a tenancy's) with Rentwise's, are in
plan_charges.py: `ChargesPlanning`, which `HomesPlanning` takes in."""

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from tenancies.models import (
    Patch,
    Property,
    Provider,
    RentFreeWeek,
    Scheme,
)
from tenancies.selectors_homes import rent_year_start

from .formats import (
    PATCHES,
    PROPERTIES,
    PROVIDERS,
    RENT_FREE_WEEKS,
    SCHEMES,
    SPEC_BY_KIND,
)
from .plan_charges import ChargesPlanning
from .plan_core import (
    PATCH_FIELDS,
    PROPERTY_FIELDS,
    PROVIDER_FIELDS,
    SCHEME_FIELDS,
    _tidied,
)


class HomesPlanning(ChargesPlanning):
    # -- providers, schemes, rent-free weeks, patches ------------------------------------------------------------

    def _by_reference(self, model, fields: tuple[str, ...]) -> dict[str, dict]:
        found = {
            row["source_reference"]: row
            for row in model.objects.exclude(source_reference="").values(
                "id", "source_reference", "retired_on", *fields
            )
        }
        _tidied(found.values())
        return found

    def _adopt(self, model, kind: str, natural: str, rows: list[dict], existing: dict[str, dict], fields) -> None:
        """A record made in Rentwise without a source reference is matched by its unique name or code."""
        unmatched = {
            row[natural].casefold(): row
            for row in rows
            if self.ok(row, natural) and row["source_reference"] not in existing
        }
        if not unmatched:
            return
        lookup = Q()
        for value in unmatched:
            lookup |= Q(**{f"{natural}__iexact": value})
        for found in model.objects.filter(lookup).values("id", "source_reference", "retired_on", *fields):
            row = unmatched.get(found[natural].casefold())
            if row is None:
                continue
            if found["source_reference"]:
                self.error(
                    kind,
                    row,
                    natural,
                    f"Rentwise already has {model._meta.verbose_name} '{found[natural]}' with the source reference "
                    f"'{found['source_reference']}', not '{row['source_reference']}'. Use that reference, or give "
                    f"this one a different {natural}.",
                )
                continue
            found["adopted"] = True
            existing[row["source_reference"]] = found

    def _simple(self, kind: str, model, fields: tuple[str, ...], natural: str, resolve=None) -> None:
        rows = self.rows(kind)
        loaded = (*fields, *{SCHEMES: ("provider_id",), PATCHES: ("officer_id",)}.get(kind, ()))
        existing = self._by_reference(model, loaded)
        self.plan.ids[kind] = {ref: row["id"] for ref, row in existing.items()}
        if not rows:
            return
        self._adopt(model, kind, natural, rows, existing, loaded)
        seen_natural: dict[str, int] = {}
        present = self.fields_present(kind, fields)
        for row in rows:
            reference = row["source_reference"]
            if reference is None:
                continue
            value = row.get(natural)
            if value is not None:
                folded = value.casefold()
                if folded in seen_natural:
                    self.error(
                        kind,
                        row,
                        natural,
                        f"'{value}' is also the {natural} on line {seen_natural[folded]}; each "
                        f"{SPEC_BY_KIND[kind].title} needs its own.",
                    )
                seen_natural[folded] = row["_line"]
            extra = resolve(row) if resolve else {}
            if extra is None:
                continue
            item, current = self.item_for(kind, reference, row, existing)
            item.row.update({f"_{name}": value for name, value in extra.items()})
            if current is None:
                continue
            self.plan.ids[kind][reference] = current["id"]
            changes = self.compare(kind, row, current, present)
            for name, value in extra.items():
                if current.get(name) != value:
                    changes[name] = (current.get(name), value)
            if current.get("adopted"):
                changes["source_reference"] = ("", reference)
            changes.update(self.retire_check(kind, item, current["retired_on"]))
            self.classify(kind, item, changes)
        self._natural_clashes(kind, model, natural, rows, existing)

    def _natural_clashes(self, kind: str, model, natural: str, rows: list[dict], existing: dict[str, dict]) -> None:
        """A record renamed to a name (or code) another record in Rentwise holds, unless that one is renamed too."""
        renamed = {
            row["source_reference"]: row
            for row in rows
            if self.ok(row, natural, "source_reference")
            and row["source_reference"] in existing
            and row[natural].casefold() != existing[row["source_reference"]][natural].casefold()
        }
        if not renamed:
            return
        wanted = {row[natural].casefold() for row in renamed.values()}
        holders = {
            found[natural].casefold(): found
            for found in model.objects.values("id", natural, "source_reference")
            if found[natural].casefold() in wanted
        }
        for reference, row in renamed.items():
            holder = holders.get(row[natural].casefold())
            if holder is None or holder["id"] == existing[reference]["id"] or holder["source_reference"] in renamed:
                continue
            self.error(
                kind,
                row,
                natural,
                f"Rentwise already has another {model._meta.verbose_name} with the {natural} '{holder[natural]}'"
                + (f" (source reference '{holder['source_reference']}')" if holder["source_reference"] else "")
                + f". Each {natural} must be unique: change one of them.",
            )

    def _providers(self) -> None:
        self._simple(PROVIDERS, Provider, PROVIDER_FIELDS, "name")

    def _schemes(self) -> None:
        provider_ids = self.plan.ids[PROVIDERS]
        file_providers = {row["source_reference"] for row in self.rows(PROVIDERS)}

        def resolve(row):
            reference = row["provider_reference"]
            if reference is None:
                return None
            if reference not in file_providers and reference not in provider_ids:
                self.error(
                    SCHEMES,
                    row,
                    "provider_reference",
                    f"There is no provider with the reference '{reference}' in providers.csv or in Rentwise. Add "
                    f"the provider, or correct the reference.",
                )
                return None
            return {"provider_id": provider_ids.get(reference, ("new", reference))}

        self._simple(SCHEMES, Scheme, SCHEME_FIELDS, "code", resolve)

    def _rent_free_weeks(self) -> None:
        rows = [row for row in self.rows(RENT_FREE_WEEKS) if self.ok(row, "scheme_reference", "week_commencing")]
        if not rows:
            return
        schemes = self.plan.ids[SCHEMES]
        file_schemes = {row["source_reference"] for row in self.rows(SCHEMES)}
        years: dict[tuple[str, date], list[date]] = defaultdict(list)
        first_line: dict[tuple[str, date], int] = {}
        for row in rows:
            reference = row["scheme_reference"]
            if reference not in schemes and reference not in file_schemes:
                self.error(
                    RENT_FREE_WEEKS,
                    row,
                    "scheme_reference",
                    f"There is no scheme with the reference '{reference}' in schemes.csv or in Rentwise.",
                )
                continue
            key = (reference, rent_year_start(row["week_commencing"]))
            years[key].append(row["week_commencing"])
            first_line.setdefault(key, row["_line"])
        current: dict[tuple[int, date], set[date]] = defaultdict(set)
        scheme_ids = [schemes[ref] for ref, _ in years if ref in schemes]
        for scheme_id, week in RentFreeWeek.objects.filter(scheme_id__in=scheme_ids).values_list(
            "scheme_id", "week_commencing"
        ):
            current[(scheme_id, rent_year_start(week))].add(week)
        counts = self.plan.counts[RENT_FREE_WEEKS]
        for (reference, year), weeks in sorted(years.items()):
            wanted = sorted(set(weeks))
            scheme_id = schemes.get(reference)
            now = current.get((scheme_id, year), set()) if scheme_id else set()
            if set(wanted) == now:
                counts["unchanged"] += len(wanted)
                continue
            counts["created"] += len(set(wanted) - now)
            counts["updated"] += len(now - set(wanted))
            counts["unchanged"] += len(set(wanted) & now)
            self.plan.rent_free_years.append((reference, year, wanted, first_line[(reference, year)]))

    def _patches(self) -> None:
        User = get_user_model()
        wanted = {row["officer"] for row in self.rows(PATCHES) if row.get("officer")}
        officers: dict[str, int] = {}
        if wanted:
            for user_id, username, email in User.objects.filter(
                Q(username__in=wanted) | Q(email__in=wanted)
            ).values_list("id", "username", "email"):
                officers.setdefault(username, user_id)
                if email:
                    officers.setdefault(email, user_id)
        self.plan.officers = officers
        present = self.has(PATCHES, "officer")

        def resolve(row):
            if not present:
                return {}
            name = row.get("officer")
            if not name:
                return {"officer_id": None}
            if name not in officers:
                self.error(
                    PATCHES,
                    row,
                    "officer",
                    f"No one in Rentwise has the username or email '{name}'. Give the officer's Rentwise username, "
                    f"or add them as a user first.",
                )
                return None
            return {"officer_id": officers[name]}

        self._simple(PATCHES, Patch, PATCH_FIELDS, "name", resolve)

    # -- homes ---------------------------------------------------------------------------------------------------

    def _properties(self) -> None:
        rows = self.rows(PROPERTIES)
        existing: dict[str, tuple] = {}
        columns = ("id", "source_reference", "retired_on", "scheme_id", "patch_id", "parent_id", *PROPERTY_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {Property._meta.db_table} WHERE source_reference <> ''"  # noqa: S608
            )
            for values in cursor.fetchall():
                existing[values[1]] = dict(zip(columns, values, strict=True))
        ids = self.plan.ids[PROPERTIES] = {ref: row["id"] for ref, row in existing.items()}
        self.homes_retired_on = {ref: row["retired_on"] for ref, row in existing.items() if row["retired_on"]}
        if self.has(PROPERTIES, "retired_on"):
            for row in rows:
                if row["source_reference"] is not None:
                    self.homes_retired_on[row["source_reference"]] = row["retired_on"]
        if not rows:
            return
        schemes, patches = self.plan.ids[SCHEMES], self.plan.ids[PATCHES]
        file_schemes = {row["source_reference"] for row in self.rows(SCHEMES)}
        file_patches = {row["source_reference"] for row in self.rows(PATCHES)}
        file_homes = {row["source_reference"] for row in rows}
        present = self.fields_present(PROPERTIES, PROPERTY_FIELDS)
        has_patch, has_parent = self.has(PROPERTIES, "patch_reference"), self.has(PROPERTIES, "parent_reference")
        by_id = {row["id"]: ref for ref, row in existing.items()}
        parents = {}
        for row in rows:
            reference = row["source_reference"]
            if reference is None:
                continue
            bad = False
            scheme = row["scheme_reference"]
            if scheme is not None and scheme not in schemes and scheme not in file_schemes:
                self.error(
                    PROPERTIES,
                    row,
                    "scheme_reference",
                    f"There is no scheme with the reference '{scheme}' in schemes.csv or in Rentwise. Add the scheme, "
                    f"or correct the reference.",
                )
                bad = True
            patch = row.get("patch_reference") or ""
            if patch and patch not in patches and patch not in file_patches:
                self.error(
                    PROPERTIES,
                    row,
                    "patch_reference",
                    f"There is no patch with the reference '{patch}' in patches.csv or in Rentwise.",
                )
                bad = True
            parent = row.get("parent_reference") or ""
            if parent:
                if parent == reference:
                    self.error(PROPERTIES, row, "parent_reference", "A home cannot be part of itself.")
                    bad = True
                elif parent not in ids and parent not in file_homes:
                    self.error(
                        PROPERTIES,
                        row,
                        "parent_reference",
                        f"There is no home with the reference '{parent}' in properties.csv or in Rentwise.",
                    )
                    bad = True
                parents[reference] = parent
            if bad or scheme is None:
                continue
            item, current = self.item_for(PROPERTIES, reference, row, existing)
            if current is None:
                continue
            changes = self.compare(PROPERTIES, row, current, present)
            if schemes.get(scheme) != current["scheme_id"]:
                changes["scheme"] = (current["scheme_id"], scheme)
            if has_patch and (patches.get(patch) if patch else None) != current["patch_id"]:
                changes["patch"] = (current["patch_id"], patch or None)
            if has_parent and (ids.get(parent) if parent else None) != current["parent_id"]:
                changes["parent"] = (current["parent_id"], parent or None)
            changes.update(self.retire_check(PROPERTIES, item, current["retired_on"]))
            self.classify(PROPERTIES, item, changes)
        # A building cannot be its own ancestor.
        for reference in parents:
            seen, node = set(), reference
            while node in parents or node in ids:
                if node in seen:
                    row = next(r for r in rows if r["source_reference"] == reference)
                    self.error(PROPERTIES, row, "parent_reference", "These homes are each part of the other.")
                    break
                seen.add(node)
                if node in parents:
                    node = parents[node]
                else:
                    parent_id = existing.get(node, {}).get("parent_id")
                    node = by_id.get(parent_id)
                    if node is None:
                        break
