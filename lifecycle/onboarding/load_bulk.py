"""The set-based path of a first load: new homes, their charges, people and tenancies written table by table (COPY on
PostgreSQL, bulk_create elsewhere), with the rows the services would write for each:

- a home (property_create) and its charge schedule from one date (property_charges_set);
- a person (person_create);
- a tenancy as tenancy_sign_up makes it: the tenancy, its named tenants (lead first), its charges (from its start, or
  for a migrated tenancy from the first rent period after its opening balance date), its rent account, its direct
  debit, a TenancyEvent (kind `loaded`, with the figures the sign-up event keeps, `opening_balance_date` among them),
  its opening balance posted once through `transactions_post` (key `opening-balance:tenancy:<id>`), and the charges of
  weeks the rent run has already run, as `tenancy_charges_true_up` posts them;
- a tenancy whose last day has passed, as tenancy_end leaves it: former, its charges stopped on the last day, an
  active direct debit cancelled that day (paying by bank transfer after), and an `ended` event recording the charges
  it stopped (so a later correction of the end can give them back).

Every row gets its history row ('+', the loading user, the load's reason), as the services give them.

Homes, their charges and people are written here; tenancies in `load_bulk_tenancies.py`, with the figures a new
tenancy keeps (its events' details, the charges of weeks the rent run has already run) in `load_bulk_figures.py`.
"""

from collections import defaultdict

from tenancies.models import (
    Person,
    Property,
    PropertyCharge,
)

from .bulk import rows_insert
from .formats import PEOPLE, PROPERTIES
from .load_bulk_tenancies import (  # noqa: F401 (the loader imports tenancies_insert from here)
    AFTER_DIRECT_DEBIT,
    tenancies_insert,
)
from .load_core import LOAD_REASON, _user_id
from .plan import PERSON_FIELDS, ChargeSet, Item


def properties_insert(loader, items: list[Item]) -> None:
    """New homes, buildings before their units (a unit's row names its building's id)."""
    ids = loader.plan.ids[PROPERTIES]
    now = loader.now
    columns = (
        "created_at",
        "updated_at",
        "source_reference",
        "uprn",
        "parent_id",
        "unit_label",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "scheme_id",
        "patch_id",
        "bedrooms",
    )
    waiting = list(items)
    while waiting:
        ready = [
            item for item in waiting if not item.row.get("parent_reference") or item.row["parent_reference"] in ids
        ]
        if not ready:  # a loop of buildings: the plan refuses it, so this is never reached
            raise ValueError("Homes that are each part of the other cannot be loaded.")
        ready_keys = {item.key for item in ready}
        waiting = [item for item in waiting if item.key not in ready_keys]

        def rows(ready=ready):
            for item in ready:
                row = item.row
                links = loader._home_links(row)
                yield (
                    now,
                    now,
                    item.key,
                    row["uprn"],
                    links["parent_id"],
                    row["unit_label"],
                    row["address_line_1"],
                    row["address_line_2"],
                    row["town"],
                    row["postcode"],
                    links["scheme_id"],
                    links["patch_id"],
                    row["bedrooms"],
                )

        written = rows_insert(
            Property,
            columns,
            rows(),
            now=now,
            history_user_id=_user_id(loader),
            history_reason=LOAD_REASON,
            returning=("source_reference", "id"),
        )
        ids.update(written)


def property_charges_insert(loader, sets: list[ChargeSet]) -> None:
    """A new home's schedule, as property_charges_set writes it (its reason names the date it starts)."""
    ids = loader.plan.ids[PROPERTIES]
    now = loader.now
    by_date: dict = defaultdict(list)
    for charge_set in sets:
        for spec in charge_set.charges:
            by_date[charge_set.effective_from].append((ids[charge_set.key], spec))
    columns = ("created_at", "updated_at", "property_id", "charge_type", "amount", "counts_as_rent", "effective_from")
    for effective_from, lines in sorted(by_date.items()):
        rows_insert(
            PropertyCharge,
            columns,
            (
                (now, now, home_id, spec.charge_type, spec.amount, spec.counts_as_rent, effective_from)
                for home_id, spec in lines
            ),
            now=now,
            history_user_id=_user_id(loader),
            history_reason=f"Charges from {effective_from:%-d %B %Y}",
        )


def people_insert(loader, items: list[Item]) -> None:
    now = loader.now
    columns = ("created_at", "updated_at", "source_reference", *PERSON_FIELDS)
    written = rows_insert(
        Person,
        columns,
        ((now, now, item.key, *(item.row[name] for name in PERSON_FIELDS)) for item in items),
        now=now,
        history_user_id=_user_id(loader),
        history_reason=LOAD_REASON,
        returning=("source_reference", "id"),
    )
    loader.plan.ids[PEOPLE].update(written)
