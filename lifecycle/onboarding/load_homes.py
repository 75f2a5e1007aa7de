"""Applying the plan's providers, schemes, rent-free weeks, patches and homes with their charges, and the
retirements, through the services for homes (see load.py)."""

from django.contrib.auth import get_user_model

from tenancies.models import (
    Patch,
    Property,
    Provider,
    Scheme,
)

from .formats import (
    PATCHES,
    PROPERTIES,
    PROPERTY_CHARGES,
    PROVIDERS,
    RENT_FREE_WEEKS,
    SCHEMES,
)
from .load_core import LOAD_REASON
from .plan import Item


def _history_reason(model, pk: int, reason: str = LOAD_REASON) -> None:
    """The services for homes name no reason; a load's rows say they came from the data load."""
    latest = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if latest is not None and not latest.history_change_reason:
        latest.history_change_reason = reason
        latest.save(update_fields=["history_change_reason"])


class HomesLoading:
    # -- providers, schemes, rent-free weeks, patches ------------------------------------------------------------

    def _loaded(self, kind: str, item: Item, record) -> None:
        """A record the load made: its history row says so, and later rows find it by the item's reference."""
        _history_reason(type(record), record.pk)
        self.plan.ids[kind][item.key] = record.pk

    def _updates(self, kind: str, model, update, attribute: str, resolve) -> None:
        items = self.plan.updates[kind]
        objects = model.objects.in_bulk([item.id for item in items])
        for item in items:
            changes = {name: new for name, (_, new) in item.changes.items() if name != "retired_on"}
            if item.changes.get("retired_on", (None, None))[1] is None and "retired_on" in item.changes:
                changes["retired_on"] = None  # back in use
            changes = resolve(changes)
            if not changes:
                continue
            obj = objects[item.id]
            obj._change_reason = LOAD_REASON  # the services for homes take no reason; the history row keeps this one
            with self.row(kind, item.line):
                update(by=self.by, **{attribute: obj}, **changes)

    def _providers(self) -> None:
        from tenancies.services_homes import provider_create, provider_update

        for item in self.plan.creates[PROVIDERS]:
            row = item.row
            with self.row(PROVIDERS, item.line):
                provider = provider_create(
                    by=self.by,
                    name=row["name"],
                    landlord_type=row["landlord_type"],
                    address=row["address"],
                    jurisdiction=row["jurisdiction"],
                    phone=row["phone"],
                    email=row["email"],
                    source_reference=item.key,
                )
            self._loaded(PROVIDERS, item, provider)
        self._updates(PROVIDERS, Provider, provider_update, "provider", lambda changes: changes)

    def _scheme_values(self, changes: dict) -> dict:
        if "provider_id" in changes:
            reference = changes.pop("provider_id")
            reference = reference[1] if isinstance(reference, tuple) else reference
            provider_id = self.plan.ids[PROVIDERS].get(reference, reference)
            changes["provider"] = Provider.objects.get(pk=provider_id)
        return changes

    def _schemes(self) -> None:
        from tenancies.services_homes import scheme_create, scheme_update

        for item in self.plan.creates[SCHEMES]:
            row = item.row
            with self.row(SCHEMES, item.line):
                scheme = scheme_create(
                    by=self.by,
                    code=row["code"],
                    name=row["name"],
                    scheme_type=row["scheme_type"],
                    provider=Provider.objects.get(pk=self.plan.ids[PROVIDERS][row["provider_reference"]]),
                    source_reference=item.key,
                )
            self._loaded(SCHEMES, item, scheme)
        for item in self.plan.updates[SCHEMES]:
            if "provider_id" in item.changes:
                item.changes["provider_id"] = (None, item.row["provider_reference"])
        self._updates(SCHEMES, Scheme, scheme_update, "scheme", self._scheme_values)

    def _rent_free_weeks(self) -> None:
        from tenancies.services_homes import scheme_rent_free_weeks_set

        for reference, year, weeks, line in self.plan.rent_free_years:
            scheme = Scheme.objects.get(pk=self.plan.ids[SCHEMES][reference])
            with self.row(RENT_FREE_WEEKS, line, "week_commencing"):
                scheme_rent_free_weeks_set(by=self.by, scheme=scheme, year_starting=year, weeks=weeks)

    def _officer(self, officer_id):
        return get_user_model().objects.get(pk=officer_id) if officer_id else None

    def _patches(self) -> None:
        from tenancies.services_homes import patch_create, patch_update

        for item in self.plan.creates[PATCHES]:
            with self.row(PATCHES, item.line, "officer"):
                patch = patch_create(
                    by=self.by,
                    name=item.row["name"],
                    officer=self._officer(item.row.get("_officer_id")),
                    source_reference=item.key,
                )
            self._loaded(PATCHES, item, patch)

        def resolve(changes):
            if "officer_id" in changes:
                changes["officer"] = self._officer(changes.pop("officer_id"))
            return changes

        self._updates(PATCHES, Patch, patch_update, "patch", resolve)

    # -- homes ---------------------------------------------------------------------------------------------------

    def _home_links(self, row: dict) -> dict:
        ids = self.plan.ids
        patch, parent = row.get("patch_reference") or "", row.get("parent_reference") or ""
        return {
            "scheme_id": ids[SCHEMES][row["scheme_reference"]],
            "patch_id": ids[PATCHES][patch] if patch else None,
            "parent_id": ids[PROPERTIES][parent] if parent else None,
        }

    def _properties(self) -> None:
        from tenancies.services_homes import property_create, property_update

        creates = self.plan.creates[PROPERTIES]
        if self.bulk and creates:
            from .load_bulk import properties_insert

            properties_insert(self, creates)
        else:
            for item in _parents_first(creates):
                row = item.row
                links = self._home_links(row)
                with self.row(PROPERTIES, item.line):
                    home = property_create(
                        by=self.by,
                        address_line_1=row["address_line_1"],
                        address_line_2=row["address_line_2"],
                        town=row["town"],
                        postcode=row["postcode"],
                        scheme=Scheme.objects.get(pk=links["scheme_id"]),
                        patch=Patch.objects.get(pk=links["patch_id"]) if links["patch_id"] else None,
                        parent=Property.objects.get(pk=links["parent_id"]) if links["parent_id"] else None,
                        uprn=row["uprn"],
                        bedrooms=row["bedrooms"],
                        unit_label=row["unit_label"],
                        source_reference=item.key,
                    )
                self._loaded(PROPERTIES, item, home)

        def resolve(changes):
            ids = self.plan.ids
            if "scheme" in changes:
                changes["scheme"] = Scheme.objects.get(pk=ids[SCHEMES][changes["scheme"]])
            if "patch" in changes:
                changes["patch"] = Patch.objects.get(pk=ids[PATCHES][changes["patch"]]) if changes["patch"] else None
            if "parent" in changes:
                parent = changes["parent"]
                changes["parent"] = Property.objects.get(pk=ids[PROPERTIES][parent]) if parent else None
            return changes

        self._updates(PROPERTIES, Property, property_update, "property", resolve)

    def _property_charges(self) -> None:
        from tenancies.services_homes import property_charges_set

        sets = self.plan.property_charges
        new_homes = [s for s in sets if s.id is None]
        if self.bulk and new_homes:
            from .load_bulk import property_charges_insert

            property_charges_insert(self, new_homes)
            sets = [s for s in sets if s.id is not None]
        if not sets:
            return
        homes = Property.objects.in_bulk([s.id or self.plan.ids[PROPERTIES][s.key] for s in sets])
        for charge_set in sets:
            home = homes[charge_set.id or self.plan.ids[PROPERTIES][charge_set.key]]
            with self.row(PROPERTY_CHARGES, charge_set.line, "effective_from"):
                property_charges_set(
                    by=self.by, property=home, effective_from=charge_set.effective_from, charges=charge_set.charges
                )

    # -- retirements and reviews ---------------------------------------------------------------------------------

    def _retirements(self) -> None:
        """Last, so a home retired after its tenancy ended can first be given that tenancy."""
        from tenancies.services_homes import patch_retire, property_retire, provider_retire, scheme_retire

        plan = self.plan
        order = (
            (PROPERTIES, Property, property_retire, "property"),
            (PATCHES, Patch, patch_retire, "patch"),
            (SCHEMES, Scheme, scheme_retire, "scheme"),
            (PROVIDERS, Provider, provider_retire, "provider"),
        )
        for kind, model, retire, attribute in order:
            wanted = [
                item
                for item in plan.creates[kind] + plan.updates[kind]
                if item.row.get("retired_on") is not None
                and (item.id is None or item.changes.get("retired_on", (None, None))[1] is not None)
            ]
            if not wanted:
                continue
            objects = model.objects.in_bulk([item.id or plan.ids[kind][item.key] for item in wanted])
            for item in wanted:
                obj = objects[item.id or plan.ids[kind][item.key]]
                with self.row(kind, item.line, "retired_on"):
                    retire(by=self.by, **{attribute: obj}, on=item.row["retired_on"])


def _parents_first(items: list[Item]) -> list[Item]:
    """New homes in an order where a building comes before its units."""
    by_key = {item.key: item for item in items}
    ordered, placed = [], set()

    def place(item: Item, depth: int = 0) -> None:
        if item.key in placed or depth > 50:
            return
        parent = item.row.get("parent_reference")
        if parent in by_key:
            place(by_key[parent], depth + 1)
        placed.add(item.key)
        ordered.append(item)

    for item in items:
        place(item)
    return ordered
