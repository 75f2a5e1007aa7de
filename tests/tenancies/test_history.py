"""history_entries: who changed what and when, in plain words, with the reason; sensitive values hidden."""

from datetime import date
from decimal import Decimal

import pytest

from incomeapp.constants import Role
from tenancies.constants import ChargeType, ContactChannel, TenancyEventKind
from tenancies.history import history_entries
from tenancies.models import Charge, TenancyEvent
from tenancies.services_people import person_create, person_update
from tests.factories import PropertyFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_a_person_s_changes_read_in_plain_words_newest_first(officer):
    person = person_create(by=None, first_name="Dan", last_name="Whitfield", reason="Data load: people.csv line 2")
    person_update(
        by=officer,
        person=person,
        date_of_birth=date(1990, 1, 2),
        preferred_contact=ContactChannel.EMAIL,
        email="dan@example.com",
        reason="Phoned in",
    )
    newest, created = history_entries(obj=person, viewer=officer)
    assert (created.title, created.who) == ("Record created", "data load")
    assert (newest.title, newest.who, newest.reason) == ("Details changed", "Priya Shah", "Phoned in")
    changes = {c.label: (c.old, c.new) for c in newest.changes}
    assert changes == {
        "Date of birth": ("(blank)", "2 January 1990"),
        "Email": ("(blank)", "dan@example.com"),
        "Preferred contact": ("Letter", "Email"),
    }


def test_no_user_and_no_load_reason_reads_the_system():
    person = person_create(by=None, first_name="Dan", last_name="Whitfield")
    assert history_entries(obj=person)[0].who == "the system"


def test_sensitive_notes_show_as_changed_without_their_values_unless_the_viewer_may_see_them(officer):
    person = person_create(by=officer, first_name="Amira", last_name="Okonkwo")
    person_update(by=officer, person=person, health_notes="Diabetic", reason="Told us")
    support_worker = user_with_role(Role.SUPPORT_WORKER)

    hidden = history_entries(obj=person, viewer=support_worker)[0].changes
    assert [(c.label, c.hidden, c.old, c.new) for c in hidden] == [("Health notes", True, "", "")]
    shown = history_entries(obj=person, viewer=officer)[0].changes
    assert [(c.label, c.hidden, c.new) for c in shown] == [("Health notes", False, "Diabetic")]
    # No viewer: values hidden.
    assert history_entries(obj=person)[0].changes[0].hidden is True


def test_a_tenancy_s_history_has_its_fields_charges_and_events_with_reasons(officer):
    tenancy = TenancyFactory(payment_reference="RW100001", weekly_rent=False)
    charge = Charge(
        tenancy=tenancy, charge_type=ChargeType.RENT, amount=Decimal("98.50"), effective_from=date(2024, 4, 1)
    )
    charge._history_user = officer
    charge.save()
    charge.effective_to = date(2025, 3, 30)
    charge._change_reason = "Annual rent change"
    charge.save()
    tenancy.payment_method = "direct_debit"
    tenancy._history_user = officer
    tenancy._change_reason = "Mandate set up"
    tenancy.save()
    TenancyEvent.objects.create(
        tenancy=tenancy,
        kind=TenancyEventKind.CHARGE_CHANGE,
        effective_date=date(2025, 3, 31),
        reason="Rent review",
        detail={"old_total": "98.50", "new_total": "102.00", "lines": [{"nested": 1}]},
        recorded_by=officer,
    )

    entries = history_entries(obj=tenancy, viewer=officer)
    titles = [entry.title for entry in entries]
    assert titles[0] == "Charges changed, effective 31 March 2025"
    assert entries[0].reason == "Rent review"
    # Nested values are left out (jsonb keeps keys in its own order).
    assert dict(entries[0].details) == {"Old total": "98.50", "New total": "102.00"}
    assert "Details changed" in titles
    changed = next(e for e in entries if e.title == "Details changed")
    assert [(c.label, c.old, c.new) for c in changed.changes] == [("Payment method", "Bank transfer", "Direct debit")]
    assert changed.reason == "Mandate set up"
    charge_change = next(e for e in entries if e.title.startswith("Charge changed"))
    assert [(c.label, c.old, c.new) for c in charge_change.changes] == [("Effective to", "(blank)", "30 March 2025")]
    assert charge_change.reason == "Annual rent change"
    assert "Charge added: Rent £98.50 from 1 April 2024" in titles
    assert charge_change.title == "Charge changed: Rent £98.50 from 1 April 2024 to 30 March 2025"


def test_foreign_keys_read_as_names_and_money_as_pounds(officer):
    home = PropertyFactory(address_line_1="1 Quay Street", town="Bristol", postcode="BS1 1AA")
    other = PropertyFactory(address_line_1="2 Quay Street", town="Bristol", postcode="BS1 1AB")
    tenancy = TenancyFactory(property=home)
    tenancy.property = other
    tenancy.save()
    entry = history_entries(obj=tenancy)[0]
    assert [(c.label, c.old, c.new) for c in entry.changes] == [
        ("Property", "1 Quay Street, Bristol, BS1 1AA", "2 Quay Street, Bristol, BS1 1AB")
    ]


def test_the_include_renders_a_readable_timeline(client, officer):
    person = person_create(by=officer, first_name="Amira", last_name="Okonkwo")
    person_update(by=officer, person=person, phone="07700 900123", reason="New mobile")
    client.force_login(officer)
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert "By Priya Shah on" in html
    assert "<strong>Reason:</strong> New mobile" in html
    assert '(blank) <span aria-hidden="true">→</span>' in html


def test_an_events_codes_read_as_words_and_record_ids_are_left_out():
    from tenancies.history import _detail_items

    items = dict(
        _detail_items(
            {"tenure_type": "ASSURED", "rent_period": "weekly", "start_date": "2027-04-08", "letters": [32, 33]}
        )
    )
    assert items == {"Tenure type": "Assured tenancy", "Rent period": "Weekly", "Start date": "8 April 2027"}
