"""The nightly sync: the same files again with some rows changed. Changed rows go through the services the screens
use (so the ledger rows and events are the same as an officer's), new rows are created, unchanged rows write nothing,
and an opening balance is never posted twice."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from documents.models import Document
from lifecycle.charges import tenancy_charges_change
from lifecycle.constants import LoadStatus
from lifecycle.ending import tenancy_end
from lifecycle.onboarding.load import CHARGE_CHANGE_REASON, LOAD_REASON
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account, Transaction
from rentaccounts.services import rent_debits_post
from tenancies.constants import TenancyEventKind, TenancyStatus
from tenancies.models import Charge, Person, PropertyCharge, Tenancy, TenancyEvent
from tenancies.specs import ChargeSpec
from tests.lifecycle.test_onboarding_load import (
    LEDGER_ROW_FIELDS,
    SAMPLES,
    csv_append,
    csv_edit,
    history_counts,
    load,
    samples_copy,
    snapshot,
)

pytestmark = pytest.mark.django_db

END = date(2026, 12, 2)  # a Wednesday: 3 of the 7 days of the week from 30 November
WATER_FROM = date(2026, 12, 7)
FORWARDING = "10 New Street\nBath\nBA1 1AA"


def _loaded_and_charged():
    """The samples loaded, then the rent run for the two weeks after the opening balances."""
    load(SAMPLES)
    rent_debits_post(week_commencing=date(2026, 11, 30))
    rent_debits_post(week_commencing=date(2026, 12, 7))


def _synced_after_an_edit(tmp_path, file_name: str, old: str, new: str):
    """The samples loaded, then loaded again with `old` changed to `new` in one file: the second load's report."""
    load(SAMPLES)
    folder = samples_copy(tmp_path)
    csv_edit(folder, file_name, old, new)
    return load(folder)


def _without_ids(value, charges: dict[int, str]):
    """Charge ids (in ledger keys and event details) as the charge they are: the two runs number rows differently."""
    if isinstance(value, dict):
        return {k: charges.get(v, v) if k == "charge" else _without_ids(v, charges) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_ids(v, charges) for v in value)
    if isinstance(value, str) and value.startswith("charge") and value.count(":") >= 2:
        parts = value.split(":")
        parts[2] = charges.get(int(parts[2]), parts[2])
        return ":".join(parts)
    return value


def _what_happened(references: tuple[str, ...]) -> dict:
    """The ledger rows, charges and events of the tenancies named, and their balances."""
    found = {}
    for reference in references:
        tenancy = Tenancy.objects.get(source_reference=reference)
        charges = {c.pk: f"{c.charge_type} from {c.effective_from}" for c in Charge.objects.filter(tenancy=tenancy)}
        found[reference] = {
            "tenancy": (tenancy.status, tenancy.end_date, tenancy.end_reason, tenancy.forwarding_address),
            "ledger": list(
                Transaction.objects.filter(account__tenancy=tenancy)
                .order_by("id")
                .values_list(*LEDGER_ROW_FIELDS, "reverses__idempotency_key")
            ),
            "charges": list(
                Charge.objects.filter(tenancy=tenancy)
                .order_by("charge_type", "effective_from")
                .values_list("charge_type", "amount", "counts_as_rent", "effective_from", "effective_to")
            ),
            "events": [
                (
                    event.kind,
                    event.effective_date,
                    event.reason,
                    {k: v for k, v in event.detail.items() if k not in ("correspondence_address_set_for",)},
                )
                for event in TenancyEvent.objects.filter(tenancy=tenancy).order_by("id")
            ],
            "balance": Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance,
        }
        found[reference] = _without_ids(found[reference], charges)
    return found


def test_a_sync_that_ends_a_tenancy_and_adds_a_charge_does_what_the_screens_do(tmp_path):
    _loaded_and_charged()
    folder = samples_copy(tmp_path)
    csv_edit(
        folder,
        "tenancies.csv",
        "T5002,10045002,H002,ASSURED,,2019-09-02,,,,weekly",
        'T5002,10045002,H002,ASSURED,,2019-09-02,2026-12-02,tenants_notice,"10 New Street | Bath | BA1 1AA",weekly',
    )
    csv_append(folder, "charges.csv", "T5001,water,3.50,2026-12-07,no")

    with transaction.atomic():
        report = load(folder)
        assert report.status == LoadStatus.COMPLETED, [str(e) for e in report.errors.items]
        assert report.counts["tenancies"] == {"created": 0, "updated": 1, "unchanged": 7}
        assert report.counts["charges"]["updated"] == 3  # T5001's three rows
        by_sync = _what_happened(("T5001", "T5002"))
        transaction.set_rollback(True)

    # The same through the services the screens call, with the same figures.
    tenancy_end(
        by=None,
        tenancy=Tenancy.objects.get(source_reference="T5002"),
        last_day=END,
        reason="tenants_notice",
        forwarding_address=FORWARDING,
        note=LOAD_REASON,
    )
    tenancy_charges_change(
        by=None,
        tenancy=Tenancy.objects.get(source_reference="T5001"),
        effective_from=WATER_FROM,
        charges=[
            ChargeSpec("rent", Decimal("112.50")),
            ChargeSpec("eligible_service", Decimal("8.25")),
            ChargeSpec("water", Decimal("3.50"), False),
        ],
        reason=CHARGE_CHANGE_REASON,
    )
    by_screens = _what_happened(("T5001", "T5002"))
    for reference, found in by_sync.items():
        for what, value in found.items():
            assert value == by_screens[reference][what], (reference, what)

    # And the figures, by hand. T5002: £256.80 brought forward, £128.40 for each of the two weeks run; ended on a
    # Wednesday, the first week is 3/7 of £128.40 = £55.03 (£73.37 taken off) and the second reversed whole.
    ended = by_sync["T5002"]
    assert ended["tenancy"] == (TenancyStatus.FORMER, END, "tenants_notice", FORWARDING)
    assert sorted(row[1] for row in ended["ledger"]) == sorted(
        [Decimal("256.80"), Decimal("128.40"), Decimal("128.40"), Decimal("-73.37"), Decimal("-128.40")]
    )
    assert ended["balance"] == Decimal("311.83")
    assert [event[0] for event in ended["events"]] == [TenancyEventKind.LOADED, TenancyEventKind.ENDED]
    # T5001: £120.75 a week for two weeks, and the water charge from the second: £3.50 more.
    changed = by_sync["T5001"]
    assert changed["balance"] == Decimal("245.00")
    assert ("water", Decimal("3.50"), False, WATER_FROM, None) in changed["charges"]
    assert changed["events"][-1][:3] == (TenancyEventKind.CHARGE_CHANGE, WATER_FROM, CHARGE_CHANGE_REASON)


def test_after_a_sync_the_same_files_again_change_nothing_and_balances_reconcile(tmp_path):
    _loaded_and_charged()
    folder = samples_copy(tmp_path)
    csv_edit(folder, "tenancies.csv", "2019-09-02,,,,weekly", "2019-09-02,2026-12-02,tenants_notice,,weekly")
    csv_append(folder, "charges.csv", "T5001,water,3.50,2026-12-07,no")
    csv_edit(folder, "people.csv", "07700 900108", "07700 900999")
    assert load(folder).status == LoadStatus.COMPLETED
    before, history = snapshot(), history_counts()
    report = load(folder)
    assert all(counts["created"] == counts["updated"] == 0 for counts in report.counts.values()), report.counts
    assert snapshot() == before and history_counts() == history
    out = StringIO()
    call_command("reconcile_balances", stdout=out)
    assert ": 0 differences" in out.getvalue()


def test_a_changed_person_is_updated_once_through_the_people_service_with_its_history(tmp_path):
    report = _synced_after_an_edit(tmp_path, "people.csv", "07700 900108", "07700 900999")
    assert report.counts["people"] == {"created": 0, "updated": 1, "unchanged": 8}
    owen = Person.objects.get(source_reference="P108")
    assert owen.phone == "07700 900999"
    latest = owen.history.latest()
    assert (latest.history_type, latest.history_change_reason) == ("~", LOAD_REASON)
    assert Person.history.filter(history_type="~").count() == 1


def test_a_tenancy_new_in_a_sync_is_signed_up_without_letters_and_recorded_as_loaded(tmp_path):
    load(SAMPLES)
    folder = samples_copy(tmp_path)
    csv_append(folder, "properties.csv", "H009,100120000009,,9 Orchard Close,,Bristol,BS4 2DF,SCH-GN,P-NORTH,2,")
    csv_append(folder, "people.csv", "P109,Ms,Rosa,Lane,1992-04-04,,07700 900109,letter,,English,,")
    csv_append(folder, "tenancies.csv", "T5009,10045009,H009,AST,,2026-11-02,,,,weekly,bank_transfer")
    csv_append(folder, "tenants.csv", "T5009,P109,yes")
    csv_append(folder, "charges.csv", "T5009,rent,118.75,2026-11-02,")
    csv_append(folder, "opening_balances.csv", "T5009,40.00,2026-11-29")
    report = load(folder)
    assert report.status == LoadStatus.COMPLETED, [str(e) for e in report.errors.items]
    assert not report.bulk
    assert report.counts["tenancies"] == {"created": 1, "updated": 0, "unchanged": 8}
    new = Tenancy.objects.get(source_reference="T5009")
    assert [p.source_reference for p in new.named_tenants()] == ["P109"]
    assert list(TenancyEvent.objects.filter(tenancy=new).values_list("kind", "reason")) == [
        (TenancyEventKind.LOADED, LOAD_REASON)
    ]
    assert Account.objects.get(tenancy=new).balance == Decimal("40.00")
    assert new.charges.get().effective_from == date(2026, 11, 30)
    assert not Document.objects.exists()  # no sign-up letters: the tenant signed up in the old system


def test_a_changed_opening_balance_is_reported_and_never_posted_twice(tmp_path):
    load(SAMPLES)
    folder = samples_copy(tmp_path)
    csv_edit(folder, "opening_balances.csv", "T5002,256.80", "T5002,300.00")
    ledger = Transaction.objects.count()
    report = load(folder)
    assert report.status == LoadStatus.COMPLETED
    [warning] = report.warnings.items
    assert (warning.file, warning.line, warning.column) == ("opening_balances.csv", 3, "balance")
    assert "never posted twice" in warning.message
    assert Transaction.objects.count() == ledger
    assert Account.objects.get(tenancy__source_reference="T5002").balance == Decimal("256.80")


def test_a_change_of_named_tenants_is_reported_not_applied(tmp_path):
    report = _synced_after_an_edit(tmp_path, "tenants.csv", "T5002,P102,no\n", "")
    assert report.status == LoadStatus.COMPLETED
    assert any("succession or an assignment" in w.message for w in report.warnings.items)
    assert Tenancy.objects.get(source_reference="T5002").tenants.count() == 2


def test_a_home_whose_charges_change_gets_a_new_schedule_from_the_date(tmp_path):
    load(SAMPLES)
    folder = samples_copy(tmp_path)
    csv_edit(folder, "property_charges.csv", "H002,rent,128.40,2026-04-06", "H002,rent,131.00,2027-04-05")
    report = load(folder)
    assert report.counts["property_charges"]["updated"] == 1
    rows = list(
        PropertyCharge.objects.filter(property__source_reference="H002")
        .order_by("effective_from")
        .values_list("amount", "effective_from", "effective_to")
    )
    assert rows == [
        (Decimal("128.40"), date(2026, 4, 6), date(2027, 4, 4)),
        (Decimal("131.00"), date(2027, 4, 5), None),
    ]
    assert load(folder).counts["property_charges"] == {"created": 0, "updated": 0, "unchanged": 12}


def test_a_charge_stopped_with_a_zero_row_and_one_left_out_without_a_date(tmp_path):
    _loaded_and_charged()
    folder = samples_copy(tmp_path)
    csv_edit(
        folder, "charges.csv", "T5001,eligible_service,8.25,2026-04-06,", "T5001,eligible_service,0.00,2026-12-07,"
    )
    report = load(folder)
    assert report.status == LoadStatus.COMPLETED, [str(e) for e in report.errors.items]
    open_charges = Charge.objects.filter(tenancy__source_reference="T5001", effective_to__isnull=True)
    assert list(open_charges.values_list("charge_type", flat=True)) == ["rent"]
    # Leaving a charge out without a date cannot say when it stops: an error, and nothing changes.
    folder = samples_copy(tmp_path / "again")
    csv_edit(folder, "charges.csv", "T5003,eligible_service,12.00,2026-04-06,\n", "")
    report = load(folder)
    assert report.status == LoadStatus.REFUSED
    assert "send it with amount 0.00" in report.errors.items[0].message


def test_a_rent_change_made_in_rentwise_is_not_undone_by_a_file_that_does_not_know_it_yet():
    load(SAMPLES)
    tenancy = Tenancy.objects.get(source_reference="T5002")
    tenancy_charges_change(
        by=None,
        tenancy=tenancy,
        effective_from=date(2027, 4, 5),
        charges=[ChargeSpec("rent", Decimal("131.00"))],
        reason="Annual rent change",
    )
    report = load(SAMPLES)
    assert report.counts["charges"]["updated"] == 0
    assert list(tenancy.charges.order_by("effective_from").values_list("amount", "effective_to")) == [
        (Decimal("128.40"), date(2027, 4, 4)),
        (Decimal("131.00"), None),
    ]


def test_a_changed_home_is_updated_through_the_homes_service_and_its_history_says_data_load(tmp_path):
    from tenancies.models import Property

    report = _synced_after_an_edit(tmp_path, "properties.csv", "BS1 5AA,SCH-GN,P-NORTH,2,", "BS1 5AA,SCH-GN,P-SOUTH,4,")
    assert report.counts["properties"] == {"created": 0, "updated": 1, "unchanged": 7}
    home = Property.objects.get(source_reference="H001")
    assert (home.bedrooms, home.patch.source_reference) == (4, "P-SOUTH")
    latest = home.history.latest()
    assert (latest.history_type, latest.history_change_reason) == ("~", LOAD_REASON)
    assert Property.history.filter(history_type="~").count() == 1
