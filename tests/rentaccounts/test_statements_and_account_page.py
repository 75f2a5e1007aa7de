"""Statements and the account page: running balances to the penny, filters, export, fixed query counts."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.models import Transaction
from rentaccounts.selectors import sum_amounts
from rentaccounts.services import Posting, account_get_or_create, transaction_reverse, transactions_post
from rentaccounts.services.statements import account_statement
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
MON = date(2026, 8, 3)


@pytest.fixture
def account():
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW000777"))
    lines = []
    for week in range(8):  # £100.00 rent every Monday from 3 August; £90.00 paid each Friday but one
        monday = MON + timedelta(weeks=week)
        lines.append(Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), monday, f"rent:{week}"))
        if week != 4:
            lines.append(
                Posting(account.pk, TransactionType.PAYMENT, Decimal("-90.00"), monday + timedelta(days=4), f"p:{week}")
            )
    lines.append(
        Posting(
            account.pk,
            TransactionType.HOUSING_BENEFIT,
            Decimal("-45.00"),
            date(2026, 9, 14),
            "hb:1",
            period_start=date(2026, 8, 17),
            period_end=date(2026, 9, 13),
        )
    )
    transactions_post(postings=lines)
    return account


def test_statement_figures_worked_by_hand(account):
    # Before 24 Aug: rent 3×100 = 300, paid 3×90 = 270 → opening £30.00.
    statement = account_statement(account=account, date_from=date(2026, 8, 24), date_to=date(2026, 9, 20))
    assert statement.opening_balance == Decimal("30.00")
    # 24 Aug–20 Sep: rent 4×100 = 400; payments 28 Aug, 11 Sep, 18 Sep = 270 (none on 4 Sep); HB 45.
    assert statement.totals["Charges"] == Decimal("400.00")
    assert statement.totals["Your payments"] == Decimal("-270.00")
    assert statement.totals["Housing Benefit and Universal Credit"] == Decimal("-45.00")
    assert statement.closing_balance == Decimal("115.00")
    assert [line.running_balance for line in statement.lines][:3] == [
        Decimal("130.00"),
        Decimal("40.00"),
        Decimal("140.00"),
    ]
    assert statement.weeks_in_arrears == Decimal("1.2")
    assert statement.status == "in arrears"


def test_a_statement_to_the_end_matches_the_cached_balance(account):
    account.refresh_from_db()
    statement = account_statement(account=account, date_from=date(2020, 1, 1), date_to=date(2030, 1, 1))
    assert statement.opening_balance == Decimal("0")
    assert statement.closing_balance == account.balance == Decimal("125.00")


def test_account_statement_command_json(account, capsys):
    call_command("account_statement", "rw000777", "--from", "2026-08-24", "--to", "2026-09-20", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["opening_balance"] == "30.00"
    assert data["closing_balance"] == "115.00"
    assert data["lines"][0] == {
        "date": "2026-08-24",
        "type": "Rent",
        "description": "",
        "amount": "100.00",
        "balance": "130.00",
    }
    with pytest.raises(CommandError, match="No rent account for payment reference NOPE"):
        call_command("account_statement", "NOPE", "--from", "2026-08-24", "--to", "2026-09-20")
    with pytest.raises(CommandError, match="like 2026-08-24"):
        call_command("account_statement", "RW000777", "--from", "24/08/2026", "--to", "2026-09-20")


@pytest.fixture
def officer_client(client):
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    return client


def test_account_page_running_balance_filters_and_pages(officer_client, account):
    html = officer_client.get("/tenancies/RW000777/account/").content.decode()
    assert "£125.00" in html
    assert "Payments received" in html and "Your payments" not in html  # staff words on a staff page
    # 8 weeks of £100.00 rent, 7 payments of £90.00 and £45.00 Housing Benefit leave £125.00.
    rows = Transaction.objects.filter(account=account).count()
    assert rows == 16
    filtered = officer_client.get(
        "/tenancies/RW000777/account/", {"transaction_type": "housing_benefit"}
    ).content.decode()
    # The HB line shows the account's true balance after it, not a balance of the filtered lines only.
    # A credit shows in the Credit column without a minus sign (docs/ledger.md, "Money on screens").
    assert "-£45.00" not in filtered and ">£45.00</td>" in filtered and "£205.00 in arrears" in filtered
    assert "Rent</td>" not in filtered


def test_reversals_are_marked(officer_client, account):
    payment = Transaction.objects.filter(account=account, transaction_type="payment").first()
    transaction_reverse(original=payment, reason="Card payment charged back")
    html = officer_client.get("/tenancies/RW000777/account/").content.decode()
    assert "Reverses an earlier line" in html and "Card payment charged back" in html


def test_csv_export_holds_every_filtered_row_with_balances(officer_client, account):
    response = officer_client.get("/tenancies/RW000777/account/export.csv", {"transaction_type": "payment"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 7
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("-630.00")
    assert rows[0]["balance"] == "125.00"


def test_a_bad_date_range_is_explained(officer_client, account):
    html = officer_client.get(
        "/tenancies/RW000777/account/",
        {
            "date_from_0": "10",
            "date_from_1": "9",
            "date_from_2": "2026",
            "date_to_0": "1",
            "date_to_1": "9",
            "date_to_2": "2026",
        },
    ).content.decode()
    assert "The end date must be on or after the start date" in html


def _weekly_rent_debits(tenancy, amount: str, first_monday: date, weeks: int, key_prefix: str) -> None:
    """`weeks` weeks of rent debits of `amount` on the tenancy's rent account, from `first_monday`."""
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(
                account.pk,
                TransactionType.RENT_DEBIT,
                Decimal(amount),
                first_monday + timedelta(weeks=n),
                f"{key_prefix}:{n}",
            )
            for n in range(weeks)
        ]
    )


def test_account_page_queries_do_not_grow_with_history(officer_client):
    counts = []
    for size in (10, 520):  # 520 weeks: ten years of weekly history
        tenancy = TenancyFactory()
        _weekly_rent_debits(tenancy, "100.00", date(2016, 1, 4), size, f"q:{tenancy.pk}")
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get(f"/tenancies/{tenancy.payment_reference}/account/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_pages_carry_the_filters_and_keep_the_running_balance(officer_client):
    tenancy = TenancyFactory(payment_reference="RW000888")
    _weekly_rent_debits(tenancy, "10.00", date(2025, 1, 6), 60, "pg")
    first = officer_client.get("/tenancies/RW000888/account/", {"transaction_type": "rent_debit"}).content.decode()
    assert "Page 1 of 2" in first
    assert "transaction_type=rent_debit&amp;page=2" in first
    second = officer_client.get(
        "/tenancies/RW000888/account/", {"transaction_type": "rent_debit", "page": 2}
    ).content.decode()
    # The oldest ten lines: balances £10.00 to £100.00.
    assert "£100.00" in second and "£110.00" not in second.split("Page 2 of 2")[0].split("<tbody")[1]


def test_the_statement_pdf_reads_back_with_every_running_balance_matching_the_ledger(account, tmp_path):
    import re

    import pypdf

    target = tmp_path / "statement.pdf"
    call_command("account_statement", "RW000777", "--from", "2026-08-10", "--to", "2026-09-27", "--pdf", str(target))
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(str(target)).pages)
    statement = account_statement(account=account, date_from=date(2026, 8, 10), date_to=date(2026, 9, 27))
    weekly_text, _, lines_text = text.partition("Week by week")[2].partition("Every line")

    def balances(part: str) -> list[Decimal]:
        return [Decimal(amount.replace(",", "")) for amount in re.findall(r"£(-?[\d,]+\.\d\d)\s*$", part, re.MULTILINE)]

    # Week by week: each row ends with the balance at the week's end, which is the ledger's sum up to that day.
    week_ends = [date(2026, 8, 16) + timedelta(weeks=n) for n in range(7)]
    by_ledger = [sum_amounts(account.transactions.filter(effective_date__lte=end)) for end in week_ends]
    assert balances(weekly_text) == [statement.opening_balance, *by_ledger]
    assert "Week starting" in weekly_text
    # (a long month may wrap in its column)
    assert re.search(r"10 August\s+2026\s+£100\.00", weekly_text)
    assert re.search(r"21 September\s+2026\s+£100\.00", weekly_text), weekly_text[:600]
    # Every line ends with its running balance; the brought-forward line and the totals table come before and after.
    printed = balances(lines_text)
    ledger = [line.running_balance for line in statement.lines]
    assert ledger == printed[1 : 1 + len(ledger)]
    assert printed[0] == statement.opening_balance == Decimal("10.00")
    assert f"Balance on 27 September 2026: £{statement.closing_balance}" in text
    assert "Rent statement, 10 August 2026 to 27 September 2026" in text and "StepChange" in text


def test_an_officer_sends_the_statement_on_the_page_by_post_or_email(
    officer_client, account, mailoutbox, settings, tmp_path
):
    from documents.models import Document
    from tenancies.constants import ContactChannel

    settings.MEDIA_ROOT = tmp_path
    page = officer_client.get(
        "/tenancies/RW000777/account/",
        {
            "date_from_0": "10",
            "date_from_1": "8",
            "date_from_2": "2026",
            "date_to_0": "27",
            "date_to_1": "9",
            "date_to_2": "2026",
        },
    )
    html = page.content.decode()
    assert "Send this statement to the tenants" in html and 'value="2026-08-10"' in html
    dates = {"date_from": "2026-08-10", "date_to": "2026-09-27"}
    response = officer_client.post("/tenancies/RW000777/account/rent/statement/", {**dates, "send_by": "post"})
    assert response.status_code == 302 and "date_from_0=10" in response["Location"]
    followed = officer_client.get(response["Location"]).content.decode()
    assert "The statement (" in followed and "It will be posted: it is in the next print batch." in followed
    document = Document.objects.get(reference="RW000777")
    assert (document.kind, document.delivery_state, document.made_by_run) == ("statement", "to_print", "officer")
    assert document.title == "Rent statement, 10 August 2026 to 27 September 2026"

    # Email with no address is refused with what to do; with one, it is emailed.
    response = officer_client.post("/tenancies/RW000777/account/rent/statement/", {**dates, "send_by": "email"})
    assert (
        "No tenant of this tenancy has an email address. Send it by post, or add one first."
        in officer_client.get(response["Location"]).content.decode()
    )
    lead = account.tenancy.tenancy_tenants.get().person
    lead.email, lead.preferred_contact = "lead@example.org", ContactChannel.EMAIL
    lead.save()
    officer_client.post("/tenancies/RW000777/account/rent/statement/", {**dates, "send_by": "email"})
    [message] = mailoutbox
    assert message.to == ["lead@example.org"] and message.attachments[0][2] == "application/pdf"
    assert Document.objects.filter(delivery_state="emailed").count() == 1


def test_a_support_worker_cannot_send_statements(client, account):
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    response = client.post(
        "/tenancies/RW000777/account/rent/statement/",
        {"date_from": "2026-08-10", "date_to": "2026-09-27", "send_by": "post"},
    )
    assert response.status_code == 403
