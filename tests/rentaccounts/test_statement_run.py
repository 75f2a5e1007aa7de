"""The quarterly statements: the last 13 weeks for every current tenancy and every former tenancy with a balance,
made once per quarter, posted or emailed, with every weekly balance matching the ledger to the penny."""

import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.management import CommandError, call_command

from documents.models import Document
from rentaccounts.constants import TransactionType
from rentaccounts.models import Account
from rentaccounts.selectors import sum_amounts
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.statement_run import statement_period, statement_run_accounts
from tenancies.constants import ContactChannel
from tests.factories import PersonFactory, TenancyFactory, london_noon

pytestmark = pytest.mark.django_db

PERIOD_END = date(2026, 9, 27)  # a Sunday: the 13 weeks run from Monday 29 June
ENDED = date(2026, 3, 31)


def _tenancy(reference: str, *, person=None, end_date=None, start_date=date(2024, 4, 1)):
    tenancy = TenancyFactory(
        payment_reference=reference, lead_tenant=person or PersonFactory(), end_date=end_date, start_date=start_date
    )
    return tenancy, account_get_or_create(tenancy=tenancy)


def _post(account, *lines):
    transactions_post(
        postings=[
            Posting(account.pk, kind, Decimal(amount), day, f"{account.pk}:{n}")
            for n, (kind, amount, day) in enumerate(lines)
        ]
    )


@pytest.fixture
def estate(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    weeks = [date(2026, 6, 29) + timedelta(weeks=n) for n in range(13)]
    _, current = _tenancy("RW500001", person=PersonFactory(first_name="Ada", last_name="Current"))
    _post(
        current,
        (TransactionType.RENT_DEBIT, "50.00", date(2026, 6, 1)),  # owed before the quarter: brought forward
        *[(TransactionType.RENT_DEBIT, "100.00", monday) for monday in weeks],
        *[(TransactionType.PAYMENT, "-90.00", monday + timedelta(days=3)) for monday in weeks[:-1]],
        (TransactionType.UC_MANAGED_PAYMENT, "-30.00", date(2026, 8, 12)),
        (TransactionType.PAYMENT, "-25.00", date(2026, 9, 28)),  # after the quarter: not on the statement
    )
    emailer = PersonFactory(
        first_name="Eve", last_name="Emailer", preferred_contact=ContactChannel.EMAIL, email="eve@example.org"
    )
    _, by_email = _tenancy("RW500002", person=emailer)
    _post(by_email, (TransactionType.RENT_DEBIT, "100.00", weeks[0]))
    moved = PersonFactory(first_name="Fred", last_name="Former", correspondence_address="9 New Road\nLeeds\nLS1 1AA")
    _, former = _tenancy("RW500003", person=moved, end_date=ENDED)
    _post(former, (TransactionType.RENT_DEBIT, "300.00", date(2026, 3, 30)))
    _, cleared = _tenancy("RW500004", end_date=ENDED)
    _post(cleared, (TransactionType.RENT_DEBIT, "10.00", ENDED), (TransactionType.PAYMENT, "-10.00", ENDED))
    _, untraced = _tenancy("RW500005", end_date=ENDED)
    _post(untraced, (TransactionType.RENT_DEBIT, "120.00", ENDED))
    _tenancy("RW500006", start_date=date(2026, 10, 5))  # starts after the quarter
    return {"current": current, "emailer": emailer}


def _text(document) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document.pdf.read())).pages)


def test_the_run_covers_current_tenancies_and_former_ones_with_a_balance(estate):
    assert statement_period(PERIOD_END) == (date(2026, 6, 29), PERIOD_END)
    references = Account.objects.filter(pk__in=statement_run_accounts(PERIOD_END)).values_list(
        "tenancy__payment_reference", flat=True
    )
    assert set(references) == {"RW500001", "RW500002", "RW500003", "RW500005"}


def test_generate_statements_makes_posts_and_emails_each_once(estate, capsys, mailoutbox):
    call_command("generate_statements", "--period-end", "2026-09-27", "--json")
    first = json.loads(capsys.readouterr().out)
    assert first["run"] == "statements:2026-09-27" and (first["from"], first["to"]) == ("2026-06-29", "2026-09-27")
    assert first["accounts"] == 4 and first["made"] == 3 and first["already_made"] == 0
    assert (first["to_print"], first["emailed"], first["failed"]) == (2, 1, 0)
    assert first["no_address"] == ["RW500005"]
    assert first["pages"] == sum(Document.objects.values_list("pages", flat=True))
    [message] = mailoutbox
    assert message.to == ["eve@example.org"] and "Dear Eve Emailer," in message.body

    call_command("generate_statements", "--period-end", "2026-09-27", "--json")
    again = json.loads(capsys.readouterr().out)
    assert again["made"] == 0 and again["already_made"] == 3 and again["emailed"] == 1
    assert Document.objects.count() == 3 and len(mailoutbox) == 1

    former = _text(Document.objects.get(reference="RW500003"))
    assert "9 New Road" in former and "LS1 1AA" in former and "£300.00" in former


def test_the_statement_shows_13_weeks_whose_balances_match_the_ledger_to_the_penny(estate):
    call_command("generate_statements", "--period-end", "2026-09-27")
    document = Document.objects.get(reference="RW500001")
    assert document.kind == "statement" and document.made_by_run == "statements:2026-09-27"
    text = _text(document)
    weekly, _, lines = text.partition("Every line")
    # (a long month may wrap in its column)
    rows = re.findall(r"^(\d{1,2} [A-Z][a-z]+\s+\d{4}) (.*)£(-?[\d,]+\.\d\d)$", weekly, re.MULTILINE)
    assert len(rows) == 13
    account = estate["current"]
    for starts, _middle, balance in rows:
        week_end = datetime.strptime(" ".join(starts.split()), "%d %B %Y").date() + timedelta(days=6)
        assert Decimal(balance) == sum_amounts(account.transactions.filter(effective_date__lte=week_end)), starts
    # Brought forward £50; 13 weeks of £100 rent; 12 payments of £90; £30 of UC: £50 + 1300 - 1080 - 30 = £240.
    assert "Balance brought forward" in lines and "£50.00" in lines
    assert "Balance on 27 September 2026: £240.00" in text and "in arrears" in text
    assert "Universal Credit" in text and "StepChange" in text and "Ada Current" in text
    assert "28 September 2026" not in text


def test_a_bad_period_end_is_refused_in_plain_english():
    with pytest.raises(CommandError, match="Give --period-end as a date like 2026-09-30"):
        call_command("generate_statements", "--period-end", "30 September 2026")


def test_the_beat_task_runs_the_quarter_that_ended_yesterday(estate, time_machine):
    from rentaccounts.tasks import quarterly_rent_statements

    time_machine.move_to(london_noon(date(2026, 9, 28)), tick=False)
    assert quarterly_rent_statements() == {"period_end": "2026-09-27", "accounts": 4}
    assert set(Document.objects.values_list("reference", flat=True)) == {"RW500001", "RW500002", "RW500003"}
