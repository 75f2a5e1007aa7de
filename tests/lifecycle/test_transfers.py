"""Transfers, mutual exchanges, successions and assignments, each recorded as what it is: a transfer ends one tenancy
and signs up another for the same people, with the old balance carried by an approved transfer or kept as former
tenant arrears; a mutual exchange (by assignment in law) leaves the outgoing tenants' balance with them; a succession or
an assignment keeps the tenancy and changes its named tenants."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from arrears.selectors import former_tenancy_accounts
from incomeapp.constants import Role
from lifecycle.ending import (
    tenancy_assignment,
    tenancy_end,
    tenancy_mutual_exchange,
    tenancy_succession,
    tenancy_transfer,
)
from rentaccounts.constants import AccountKind, RequestKind, RequestStatus
from rentaccounts.models import Account, AdjustmentRequest
from rentaccounts.services import rent_debits_post
from rentaccounts.services.approvals import adjustment_request_approve
from tenancies.constants import EndReason, TenancyEventKind, TenancyStatus
from tenancies.models import PropertyCharge, Tenancy, TenancyEvent, TenancyTenant
from tenancies.selectors_people import person_tenancies
from tests.factories import PersonFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

WEEK_1, WEEK_2, WEEK_3 = date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 20)
TUESDAY, WEDNESDAY = date(2026, 4, 14), date(2026, 4, 15)


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


@pytest.fixture
def senior():
    return user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("1000.00"))


def _balance(tenancy) -> Decimal:
    return Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance


def _home(weekly: str):
    home = PropertyFactory()
    PropertyCharge.objects.create(
        property=home, charge_type="rent", amount=Decimal(weekly), effective_from=date(2026, 1, 5)
    )
    return home


def _charged(weekly="100.00", **fields):
    """A weekly tenancy from 2 March 2026; the rent run has charged the weeks of 6, 13 and 20 April."""
    tenancy = TenancyFactory(start_date=date(2026, 3, 2), weekly_rent=Decimal(weekly), **fields)
    for week in (WEEK_1, WEEK_2, WEEK_3):
        rent_debits_post(week_commencing=week)
    return tenancy


def _new_tenancy(result) -> Tenancy:
    [new] = result.new_tenancies
    return new


def test_a_transfer_with_the_balance_carried_by_an_approved_transfer(officer, senior):
    joint = PersonFactory()
    old = _charged()
    old.tenancy_tenants.create(person=joint)
    people = [p.pk for p in old.named_tenants()]
    assert _balance(old) == Decimal("300.00")
    new_home = _home("120.00")

    result = tenancy_transfer(
        by=officer, tenancy=old, to_property=new_home, start_date=WEDNESDAY, carry_balance=True, note="Medical priority"
    )

    old.refresh_from_db()
    new = _new_tenancy(result)
    assert (old.status, old.end_date, old.end_reason) == (TenancyStatus.FORMER, TUESDAY, EndReason.TRANSFER)
    # The old tenancy: week 2 by day (2 of 7 days, £28.57) and week 3 reversed: £128.57 left.
    assert _balance(old) == Decimal("128.57")
    # The new one, same people (lead first), at £120.00 a week: 5 of 7 days of week 2 (£85.71) and week 3.
    assert [p.pk for p in new.named_tenants()] == people
    assert (new.property, new.start_date, new.status) == (new_home, WEDNESDAY, TenancyStatus.CURRENT)
    assert _balance(new) == Decimal("205.71")
    # The carried balance waits for a second person: the new account is charged it, the old one credited.
    [request] = result.requests
    assert (request.kind, request.amount, request.status) == (RequestKind.TRANSFER, Decimal("128.57"), "pending")
    assert (request.account.tenancy, request.to_account.tenancy) == (new, old)
    assert former_tenancy_accounts(tab="former").get().pending_request
    adjustment_request_approve(request=request, approver=senior, reason="Transfer agreed at panel")
    assert _balance(old) == Decimal("0.00")
    assert _balance(new) == Decimal("334.28")
    assert not former_tenancy_accounts(tab="former").exists()

    for this, other in ((old, new), (new, old)):
        event = TenancyEvent.objects.get(tenancy=this, kind=TenancyEventKind.TRANSFER)
        assert event.related_tenancy == other
        assert event.reason == "Medical priority"
        assert event.detail["balance_request"] == request.pk
    assert TenancyEvent.objects.get(tenancy=old, kind=TenancyEventKind.ENDED).detail["reason"] == (
        "Transfer to another of our homes"
    )
    call_command("reconcile_balances")


def test_a_transfer_keeping_the_balance_as_former_tenant_arrears(officer):
    old = _charged()
    result = tenancy_transfer(
        by=officer, tenancy=old, to_property=_home("90.00"), start_date=WEDNESDAY, carry_balance=False
    )
    new = _new_tenancy(result)
    assert result.requests == []
    assert not AdjustmentRequest.objects.exists()
    assert _balance(old) == Decimal("128.57")
    assert [a.tenancy for a in former_tenancy_accounts(tab="former")] == [old]
    event = TenancyEvent.objects.get(tenancy=new, kind=TenancyEventKind.TRANSFER)
    assert event.detail["old_balance_is"] == "former-tenant arrears"
    # The people's home is the new tenancy: no correspondence address is set from the transfer.
    assert old.named_tenants()[0].correspondence_address == ""


def test_a_transfer_is_refused_to_an_occupied_home_and_keeps_nothing(officer):
    old = _charged()
    occupied = TenancyFactory(start_date=date(2025, 1, 6)).property
    PropertyCharge.objects.create(
        property=occupied, charge_type="rent", amount=Decimal("95.00"), effective_from=date(2025, 1, 6)
    )
    with pytest.raises(ValidationError, match="already has a tenancy"):
        tenancy_transfer(by=officer, tenancy=old, to_property=occupied, start_date=WEDNESDAY, carry_balance=False)
    old.refresh_from_db()
    assert old.status == TenancyStatus.CURRENT
    assert _balance(old) == Decimal("300.00")


def test_a_transfer_dry_run_keeps_nothing(officer):
    old = _charged()
    result = tenancy_transfer(
        by=officer, tenancy=old, to_property=_home("90.00"), start_date=WEDNESDAY, carry_balance=True, dry_run=True
    )
    assert result.ended[0].balance == Decimal("128.57")
    assert Tenancy.objects.count() == 1
    assert not AdjustmentRequest.objects.exists()


def test_a_mutual_exchange_between_two_of_our_tenancies(officer):
    ours = _charged()
    theirs = _charged(weekly="90.00")
    ours_people, theirs_people = ours.named_tenants(), theirs.named_tenants()

    result = tenancy_mutual_exchange(by=officer, tenancy=ours, on=WEDNESDAY, partner_tenancy=theirs, note="Swap agreed")

    for old in (ours, theirs):
        old.refresh_from_db()
        assert (old.status, old.end_date, old.end_reason) == (TenancyStatus.FORMER, TUESDAY, EndReason.MUTUAL_EXCHANGE)
    # Each outgoing balance stays with its own tenants, on their own (now former) account.
    assert _balance(ours) == Decimal("128.57")
    assert _balance(theirs) == Decimal("115.71")  # £90.00 + 2/7 of £90.00 (£25.71)
    to_ours_home, to_theirs_home = result.new_tenancies
    assert (to_ours_home.property, to_ours_home.named_tenants()) == (ours.property, theirs_people)
    assert (to_theirs_home.property, to_theirs_home.named_tenants()) == (theirs.property, ours_people)
    # By assignment the terms carry on: the same tenure and charges; the incoming tenants owe only from their first day.
    assert to_ours_home.tenure_type == ours.tenure_type
    assert [c.amount for c in to_ours_home.charges.all()] == [Decimal("100.00")]
    assert _balance(to_ours_home) == Decimal("171.43")  # 5/7 of £100.00 (£71.43) and week 3
    event = TenancyEvent.objects.get(tenancy=to_ours_home, kind=TenancyEventKind.MUTUAL_EXCHANGE)
    assert event.related_tenancy == ours
    assert event.detail["exchanged_with"] == theirs.payment_reference
    assert TenancyEvent.objects.filter(kind=TenancyEventKind.MUTUAL_EXCHANGE).count() == 4
    call_command("reconcile_balances")


def test_a_mutual_exchange_with_a_tenant_of_another_landlord(officer):
    ours = _charged()
    incoming = PersonFactory()
    result = tenancy_mutual_exchange(
        by=officer,
        tenancy=ours,
        on=WEDNESDAY,
        incoming_tenants=[incoming],
        forwarding_address="4 Other Landlord Close\nBath",
    )
    new = _new_tenancy(result)
    assert new.named_tenants() == [incoming]
    assert ours.named_tenants()[0].correspondence_address == "4 Other Landlord Close\nBath"
    assert _balance(ours) == Decimal("128.57")


def test_a_succession_by_survivorship_keeps_the_tenancy(officer):
    tenancy = _charged()
    deceased = tenancy.named_tenants()[0]
    survivor = PersonFactory()
    tenancy.tenancy_tenants.create(person=survivor)
    result = tenancy_succession(
        by=officer, tenancy=tenancy, on=TUESDAY, successor=survivor, deceased=deceased, reason="Joint tenant survives"
    )
    assert result.changed
    tenancy.refresh_from_db()
    assert tenancy.status == TenancyStatus.CURRENT
    assert tenancy.named_tenants() == [survivor]
    assert TenancyTenant.objects.get(tenancy=tenancy).is_lead
    assert _balance(tenancy) == Decimal("300.00")  # the balance stays with the tenancy
    event = TenancyEvent.objects.get(tenancy=tenancy, kind=TenancyEventKind.SUCCESSION)
    assert event.detail["by_survivorship"] is True
    assert event.detail["people_removed"] == [deceased.pk]
    assert event.detail["named_tenants_before"] == f"{deceased.full_name}, {survivor.full_name}"


def test_a_succession_to_a_new_person(officer):
    tenancy = _charged()
    deceased = tenancy.named_tenants()[0]
    daughter = PersonFactory()
    tenancy_succession(
        by=officer, tenancy=tenancy, on=TUESDAY, successor=daughter, deceased=deceased, reason="Lived there 12 months"
    )
    assert tenancy.named_tenants() == [daughter]
    with pytest.raises(ValidationError, match="is not a named tenant"):
        tenancy_succession(by=officer, tenancy=tenancy, on=TUESDAY, successor=deceased, deceased=deceased, reason="x")


def test_an_assignment_changes_the_named_tenants_and_keeps_the_tenancy(officer):
    tenancy = _charged()
    before = tenancy.named_tenants()
    new_lead, new_joint = PersonFactory(), PersonFactory()
    result = tenancy_assignment(
        by=officer, tenancy=tenancy, on=TUESDAY, new_tenants=[new_lead, new_joint], reason="Court order (family)"
    )
    assert (result.removed, result.added) == (before, [new_lead, new_joint])
    assert tenancy.named_tenants() == [new_lead, new_joint]
    assert _balance(tenancy) == Decimal("300.00")
    event = TenancyEvent.objects.get(tenancy=tenancy, kind=TenancyEventKind.ASSIGNMENT)
    assert event.reason == "Court order (family)"
    again = tenancy_assignment(by=officer, tenancy=tenancy, on=TUESDAY, new_tenants=[new_lead, new_joint], reason="x")
    assert not again.changed
    assert TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.ASSIGNMENT).count() == 1
    # The outgoing tenant keeps the tenancy on their record, as one they held until the assignment.
    left = TenancyTenant.every_row.get(tenancy=tenancy, person=before[0])
    assert (left.left_on, left.is_lead) == (TUESDAY, False)
    assert [row.tenancy for row in person_tenancies(person=before[0])] == [tenancy]
    assert TenancyTenant.every_row.get(tenancy=tenancy, person=new_joint).joined_on == TUESDAY


def test_the_person_page_lists_a_tenancy_they_left_by_assignment(client, officer):
    tenancy = _charged()
    outgoing = tenancy.named_tenants()[0]
    tenancy_assignment(by=officer, tenancy=tenancy, on=TUESDAY, new_tenants=[PersonFactory()], reason="Court order")
    client.force_login(officer)
    page = client.get(f"/people/{outgoing.pk}/").content.decode()
    assert tenancy.payment_reference in page
    assert f"Named tenant until {TUESDAY:%-d %B %Y}" in page


def test_named_tenants_of_an_ended_tenancy_cannot_change(officer):
    tenancy = _charged()
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    with pytest.raises(ValidationError, match="has already ended"):
        tenancy_assignment(by=officer, tenancy=tenancy, on=TUESDAY, new_tenants=[PersonFactory()], reason="x")
    assert AdjustmentRequest.objects.filter(status=RequestStatus.PENDING).count() == 0
