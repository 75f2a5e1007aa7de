"""The former tenant arrears and recharges and sundry debts on the worklist and the case page (issue 16): the main
worklist shows current tenants' cases only, each ladder has its tab, credits wait oldest first, and a former tenant
who holds a current tenancy is shown on both cases with the transfer step filled in."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils.html import escape

from arrears.constants import CaseStatus
from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services import account_get_or_create
from rentaccounts.services.approvals import transfer_exceptions
from tenancies.constants import TenancyStatus
from tests.arrears.test_debt_ladders import AS_OF, _debit, _pay, former, sundry
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def installed():
    policies_install_shipped()


def test_the_main_worklist_shows_current_cases_only_and_the_tabs_list_the_ladders(client, law):
    manager = user_with_role(Role.INCOME_MANAGER)
    client.force_login(manager)
    today = date.today()
    rent = TenancyFactory(payment_reference="RW551001")
    rent_account = account_get_or_create(tenancy=rent)
    _debit(rent_account, "250.00", 21)
    gone = former("420.00")
    gone.tenancy.payment_reference = "RW551002"
    gone.tenancy.save()
    recharge = sundry("120.00", tenancy=TenancyFactory(payment_reference="RW551003"))
    settling = former("75.00", ended_days_ago=3)
    settling.tenancy.payment_reference = "RW551004"
    settling.tenancy.save()
    review_run(as_of=AS_OF)
    assert {c.ladder for c in ArrearsCase.objects.filter(status=CaseStatus.OPEN)} == {"current", "former", "sundry"}
    assert today >= AS_OF

    main = client.get("/worklist/?tab=patch&officer=").content.decode()
    assert "RW551001" in main and "RW551002" not in main and "RW551003" not in main

    tab = client.get("/worklist/?tab=former&officer=").content.decode()
    assert "Former tenant arrears" in tab and "Recharges and sundry debts" in tab and "Credits to refund" in tab
    assert "RW551002" in tab and "£420.00" in tab and "Write to the former tenant at their forwarding address" in tab
    assert "Recoverable" in tab and "No letter sent yet" in tab
    assert "RW551001" not in tab and "RW551003" not in tab
    # An ended tenancy still settling its final account is listed below the ladder's cases, not lost.
    assert tab.index("Not on the ladder yet") < tab.index("RW551004")
    sorted_tab = client.get("/worklist/?tab=former&officer=&sort=recoverable&dir=descending").content.decode()
    assert "sorted by recoverable (descending)" in sorted_tab

    tab = client.get("/worklist/?tab=sundry&officer=").content.decode()
    assert "RW551003" in tab and "Send a reminder about the unpaid invoice" in tab and "Rechargeable repairs" in tab
    assert "never counts towards a notice, rent arrears or weeks of rent" in tab
    assert "RW551001" not in tab and "RW551002" not in tab and recharge.pk


def test_credits_on_ended_tenancies_are_listed_oldest_first(client):
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    for reference, days in (("RW552001", 20), ("RW552002", 200)):
        tenancy = TenancyFactory(
            payment_reference=reference, status=TenancyStatus.FORMER, end_date=AS_OF - timedelta(days=days)
        )
        _pay(account_get_or_create(tenancy=tenancy), "30.00", days + 5)
    html = client.get("/worklist/?tab=credits&officer=").content.decode()
    assert html.index("RW552002") < html.index("RW552001")  # the longest waiting first


def test_a_former_tenant_with_a_current_tenancy_is_shown_on_both_cases_and_the_transfer_is_prefilled(client, law):
    manager = user_with_role(Role.INCOME_MANAGER)
    client.force_login(manager)
    person = PersonFactory(first_name="Ada", last_name="Mover")
    old = former("300.00", person=person, forwarding="")
    now = TenancyFactory(payment_reference="RW553001", lead_tenant=person)
    now_account = account_get_or_create(tenancy=now)
    _debit(now_account, "250.00", 21)
    review_run(as_of=AS_OF)
    old_case = ArrearsCase.objects.get(account=old, status=CaseStatus.OPEN)
    html = client.get(f"/worklist/cases/{old_case.pk}/").content.decode()
    assert f"Also a tenant at {escape(now.property.one_line_address)} (current, RW553001)" in html
    assert "Move the debt to their current tenancy" in html
    # A debt carried to the current home: the current account pays (is charged), the ended one is credited.
    ref = old.tenancy.payment_reference
    assert f"?reference=RW553001&amp;account=rent&amp;kind=transfer&amp;to={ref}&amp;amount=300.00" in html
    form = client.get(
        f"/approvals/new/?reference=RW553001&account=rent&kind=transfer&to={old.tenancy.payment_reference}&amount=300.00"
    ).content.decode()
    assert f'value="{old.tenancy.payment_reference}"' in form and 'value="300.00"' in form
    officer = user_with_role(Role.INCOME_OFFICER)
    client.force_login(officer)
    answers = {"payment_reference": "RW553001", "account_kind": "rent", "kind": "transfer", "amount": "300.00"}
    answers |= {"to_payment_reference": ref, "to_account_kind": "rent", "reason": "Former tenant arrears moved"}
    client.post("/approvals/new/", answers)
    request = AdjustmentRequest.objects.get()
    assert (request.account, request.to_account, request.amount) == (now_account, old, Decimal("300.00"))
    assert transfer_exceptions(account=now_account, to_account=old, amount=request.amount) == []  # a usual one
    client.force_login(manager)
    now_case = ArrearsCase.objects.get(account=now_account, status=CaseStatus.OPEN)
    html = client.get(f"/worklist/cases/{now_case.pk}/").content.decode()
    assert f"Owes £300.00 from a former tenancy at {escape(old.tenancy.property.one_line_address)}" in html
