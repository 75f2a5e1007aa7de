"""The debt figures of issue 16 on a small book worked out here by hand: former tenant arrears collected this year
(not last year's, not while the tenancy was live, not current tenants'), owed, and their cases by stage; write-offs
net of write-ons by reason, month and officer; Housing Benefit overpayments by scheme with the blameless ones as the
landlord's loss; and only managers see them."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from arrears.constants import CaseStatus, Ladder
from arrears.models import ArrearsCase, ArrearsPolicyVersion, Recommendation, ReviewRun
from arrears.services import policies_install_shipped
from dashboards.debts import debt_figures
from incomeapp.constants import Role
from rentaccounts.constants import (
    AccountKind,
    OverpaymentLiability,
    OverpaymentRecovery,
    OverpaymentStatus,
    RequestKind,
    RequestStatus,
    TransactionType,
    WriteOffReason,
)
from rentaccounts.models import AdjustmentRequest, HousingBenefitOverpayment, Transaction
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import PaymentMethod, TenancyStatus
from tests.factories import PropertyFactory, SchemeFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 15)  # financial year from 1 April 2026; the last 12 months from December 2025
RENT, PAID, REVERSAL, WRITE_OFF = (
    TransactionType.RENT_DEBIT, TransactionType.PAYMENT, TransactionType.REVERSAL, TransactionType.WRITE_OFF,
)  # fmt: skip
D = Decimal


def _post(account, kind, amount, day, key, **fields) -> Transaction:
    transactions_post(postings=[Posting(account.pk, kind, D(str(amount)), day, key, **fields)])
    return Transaction.objects.get(idempotency_key=key)


def _former(reference, end_date, scheme=None):
    tenancy = TenancyFactory(
        payment_reference=reference, start_date=date(2024, 4, 1), end_date=end_date, status=TenancyStatus.FORMER,
        **({"property": PropertyFactory(scheme=scheme)} if scheme else {}),
    )  # fmt: skip
    return tenancy, account_get_or_create(tenancy=tenancy)


@pytest.fixture
def former_book():
    # T1 ended 30 June 2026: £100 paid while live (current rent collection), then £50 and £30 through the agency.
    _, t1 = _former("RWF00001", date(2026, 6, 30))
    _post(t1, RENT, 1000, date(2026, 4, 1), "t1:rent")
    _post(t1, PAID, -100, date(2026, 5, 1), "t1:live")
    _post(t1, PAID, -50, date(2026, 8, 1), "t1:after")
    _post(t1, PAID, -30, date(2026, 9, 1), "t1:agency", payment_method=PaymentMethod.DEBT_AGENCY)
    # T2 ended 31 December 2025: £40 paid last year (not this year's), £20 this year, £25 paid and returned.
    _, t2 = _former("RWF00002", date(2025, 12, 31))
    _post(t2, RENT, 500, date(2025, 4, 1), "t2:rent")
    _post(t2, PAID, -40, date(2026, 2, 1), "t2:last-year")
    _post(t2, PAID, -20, date(2026, 10, 1), "t2:this-year")
    bounced = _post(t2, PAID, -25, date(2026, 10, 5), "t2:bounced")
    _post(t2, REVERSAL, 25, date(2026, 10, 6), "t2:returned", reverses_id=bounced.pk)
    # T3 ended, in credit: not in what former tenants owe.
    _, t3 = _former("RWF00003", date(2026, 3, 31))
    _post(t3, PAID, -60, date(2026, 3, 1), "t3:credit")
    # A current tenant's payment and balance: neither counts.
    current = account_get_or_create(tenancy=TenancyFactory(payment_reference="RWF00004"))
    _post(current, RENT, 700, date(2026, 6, 1), "c:rent")
    _post(current, PAID, -70, date(2026, 8, 1), "c:paid")
    # Cases: two open on the former tenants' ladder at their latest step, one closed, one on the current ladder.
    policies_install_shipped()
    run = ReviewRun.objects.create(as_of=date(2026, 11, 9), status="completed")
    version = ArrearsPolicyVersion.objects.first()
    for account, action, label in (
        (t1, "former_letter_1", "First letter to the forwarding address"),
        (t2, "refer_to_agency", "Refer to the debt collection agency"),
    ):
        case = ArrearsCase.objects.create(account=account, ladder=Ladder.FORMER, opened_on=date(2026, 7, 1))
        case.latest_recommendation = Recommendation.objects.create(
            run=run, account=account, case=case, policy_version=version, action=action, label=label, mode="officer",
            balance=account.balance,
        )  # fmt: skip
        case.save()
    ArrearsCase.objects.create(account=t3, ladder=Ladder.FORMER, opened_on=date(2026, 4, 1),
                               status=CaseStatus.CLOSED, closed_on=date(2026, 7, 1))  # fmt: skip
    ArrearsCase.objects.create(account=current, ladder=Ladder.CURRENT, opened_on=date(2026, 9, 1))


@time_machine.travel(TODAY, tick=False)
def test_former_tenant_arrears_collected_this_year_owed_and_by_stage(former_book):
    figures = debt_figures(TODAY)

    # £50 + £30 (T1 after it ended) + £20 (T2 this year); the returned £25 nets to nothing.
    assert figures.former.collected == D("100.00")
    assert figures.former.collected_by_agency == D("30.00")
    # T1 £1,000 − £180 = £820; T2 £500 − £85 = £440 (payments net of the return); T3's credit is not netted off.
    assert figures.former.balance == D("1260.00")
    assert figures.former.accounts_owing == 2
    assert [(s.label, s.cases, s.balance) for s in figures.stages] == [
        ("First letter to the forwarding address", 1, D("820.00")),
        ("Refer to the debt collection agency", 1, D("440.00")),
    ]


def _write_off(account, amount, day, reason, asked, approver, key) -> AdjustmentRequest:
    txn = _post(account, WRITE_OFF, -amount, day, f"wo:{key}")
    request = AdjustmentRequest.objects.create(
        kind=RequestKind.WRITE_OFF, account=account, amount=D(-amount), reason="Write off", write_off_reason=reason,
        requested_by=asked, decided_by=approver, status=RequestStatus.APPROVED,
    )  # fmt: skip
    request.transactions.set([txn])
    return request


def _write_on(write_off, day, asked, approver) -> None:
    original = write_off.transactions.get()
    txn = _post(write_off.account, REVERSAL, -original.amount, day, f"won:{write_off.pk}", reverses_id=original.pk)
    request = AdjustmentRequest.objects.create(
        kind=RequestKind.WRITE_ON, account=write_off.account, amount=-original.amount, reason="Traced",
        reverses=write_off, requested_by=asked, decided_by=approver, status=RequestStatus.APPROVED,
    )  # fmt: skip
    request.transactions.set([txn])


@pytest.fixture
def write_off_book():
    asker_a = user_with_role(Role.INCOME_OFFICER, first_name="Ann", last_name="Asker")
    asker_b = user_with_role(Role.INCOME_OFFICER, first_name="Bob", last_name="Baker")
    approver_m = user_with_role(Role.INCOME_MANAGER, first_name="Mary", last_name="Manager")
    approver_n = user_with_role(Role.SENIOR_INCOME_OFFICER, first_name="Ned", last_name="Senior")
    d = account_get_or_create(tenancy=TenancyFactory(payment_reference="RWW00001"))
    e = account_get_or_create(tenancy=TenancyFactory(payment_reference="RWW00002"))
    costs = account_get_or_create(tenancy=e.tenancy, kind=AccountKind.COURT_COSTS)
    _write_off(d, 100, date(2026, 5, 10), WriteOffReason.GONE_AWAY, asker_a, approver_m, "1")
    _write_off(d, 5, date(2026, 7, 3), WriteOffReason.SMALL_BALANCE, asker_b, approver_m, "2")
    traced = _write_off(e, 200, date(2026, 7, 20), WriteOffReason.GONE_AWAY, asker_a, approver_n, "3")
    _write_on(traced, date(2026, 10, 2), asker_b, approver_m)  # traced: written back on
    _write_off(e, 300, date(2026, 1, 15), WriteOffReason.DECEASED_NO_ESTATE, asker_b, approver_n, "last-year")
    _write_off(costs, 10, date(2026, 8, 8), WriteOffReason.UNECONOMIC, asker_a, approver_m, "costs")
    return {"a": asker_a, "b": asker_b}


@time_machine.travel(TODAY, tick=False)
def test_write_offs_net_of_write_ons_by_reason_month_and_officer(write_off_book):
    summary = debt_figures(TODAY).write_offs

    by_reason = {g.label: (g.count, g.written_off, g.written_on, g.net) for g in summary.by_reason}
    assert by_reason == {
        "Gone away and not traced": (2, D("300.00"), D("200.00"), D("100.00")),
        "Uneconomic to pursue": (1, D("10.00"), D("0.00"), D("10.00")),
        "Small balance": (1, D("5.00"), D("0.00"), D("5.00")),
    }  # last year's deceased write-off is not this year's
    assert (summary.written_off, summary.written_on, summary.net) == (D("315.00"), D("200.00"), D("115.00"))
    assert summary.rent_accounts_net == D("105.00")  # the court costs write-off is not the rent accounts'

    # By the officer who asked; the write-on counts against the write-off it reverses (Ann's).
    by_officer = {g.label: (g.count, g.net, g.approver_names) for g in summary.by_officer}
    assert by_officer == {
        "Ann Asker": (3, D("110.00"), ["Mary Manager", "Ned Senior"]),
        "Bob Baker": (1, D("5.00"), ["Mary Manager"]),
    }


@time_machine.travel(TODAY, tick=False)
def test_write_offs_by_month_cover_the_last_twelve_months(write_off_book):
    months = debt_figures(TODAY).months

    assert months[0].key == date(2025, 12, 1) and len(months) == 12
    shown = {f"{m.key:%Y-%m}": (m.written_off, m.written_on, m.net) for m in months if m.written_off or m.written_on}
    assert shown == {
        "2026-01": (D("300.00"), D("0.00"), D("300.00")),
        "2026-05": (D("100.00"), D("0.00"), D("100.00")),
        "2026-07": (D("205.00"), D("0.00"), D("205.00")),
        "2026-08": (D("10.00"), D("0.00"), D("10.00")),
        "2026-10": (D("0.00"), D("200.00"), D("-200.00")),  # the write-on, in the month it was posted
    }


@pytest.fixture
def overpayments():
    north, south = SchemeFactory(name="North"), SchemeFactory(name="South")
    for scheme, amount, liability, status in (
        (north, 400, OverpaymentLiability.RECOVERABLE, OverpaymentStatus.OPEN),
        (north, 150, OverpaymentLiability.RECOVERABLE, OverpaymentStatus.RECOVERED),
        (north, 250, OverpaymentLiability.BLAMELESS, OverpaymentStatus.LANDLORD_LOSS),
        (south, 80, OverpaymentLiability.RECOVERABLE, OverpaymentStatus.WRITTEN_OFF),
    ):
        HousingBenefitOverpayment.objects.create(
            tenancy=TenancyFactory(property=PropertyFactory(scheme=scheme)), council="Leeds City Council",
            period_start=date(2026, 4, 6), period_end=date(2026, 6, 28), amount=D(amount),
            recovery_method=OverpaymentRecovery.SCHEDULE_DEDUCTION, liability=liability, status=status,
        )  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_hb_overpayments_by_scheme_count_blameless_as_the_landlords_loss(overpayments):
    figures = debt_figures(TODAY)
    rows = {
        r.scheme: (r.count, r.total, r.recoverable, r.blameless, r.outstanding, r.recovered, r.written_off,
                   r.landlord_loss)
        for r in figures.overpayments
    }  # fmt: skip
    assert rows == {
        "North": (3, D("800.00"), D("550.00"), D("250.00"), D("400.00"), D("150.00"), D("0.00"), D("250.00")),
        "South": (1, D("80.00"), D("80.00"), D("0.00"), D("0.00"), D("0.00"), D("80.00"), D("80.00")),
    }
    total = figures.overpayments_total
    assert (total.count, total.total, total.landlord_loss) == (4, D("880.00"), D("330.00"))


@time_machine.travel(TODAY, tick=False)
def test_the_page_shows_plain_labels_and_downloads_each_table(client, former_book, write_off_book, overpayments):
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    page = client.get(reverse("dashboards:debts")).content.decode()

    assert "Former tenants, write-offs and overpayments" in page
    assert "£100.00" in page and "£1,260.00" in page and "£115.00" in page and "£330.00" in page
    assert "First letter to the forwarding address" in page and "former_letter_1" not in page
    assert "Gone away and not traced" in page and "gone_away" not in page

    response = client.get(reverse("dashboards:debts"), {"table": "reasons"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["reason", "write_offs", "written_off", "written_on", "net"]
    assert ["Gone away and not traced", "2", "300.00", "200.00", "100.00"] in rows
    officers = list(
        csv.reader(io.StringIO(client.get(reverse("dashboards:debts"), {"table": "officers"}).content.decode()))
    )
    assert ["Ann Asker", "Mary Manager; Ned Senior", "3", "310.00", "200.00", "110.00"] in officers
    assert client.get(reverse("dashboards:debts"), {"table": "nothing"}).status_code == 404


def test_an_income_officer_is_refused(client):
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert client.get(reverse("dashboards:debts")).status_code == 403
    assert client.get(reverse("dashboards:debts"), {"table": "reasons"}).status_code == 403


def test_the_index_links_to_the_debt_figures(client):
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    assert reverse("dashboards:debts") in client.get(reverse("dashboards:index")).content.decode()
