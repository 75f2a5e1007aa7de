"""A letter and a quarterly statement as pictures: A4, the landlord's block top right, the recipient's block where a
window envelope shows it, a footer on every page, nothing running off the page. (The closing note of issue 5 says a
person looked at these images too.)"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.statement_run import statement_period
from rentaccounts.services.statements import account_statement, statement_pdf
from tests.documents.conftest import letter_to_priya_shah
from tests.documents.pngs import DPI, ink, pdf_pages_as_png
from tests.factories import TenancyFactory

A4 = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))


def _layout_is_right(page) -> None:
    assert abs(page.size[0] - A4[0]) <= 1 and abs(page.size[1] - A4[1]) <= 1
    assert ink(page, (0.6, 0.05, 0.92, 0.2)) > 0.01, "the landlord's block is top right"
    assert ink(page, (0.08, 0.05, 0.4, 0.12)) < 0.001, "nothing top left above the address window"
    assert ink(page, (0.0, 0.0, 0.06, 1.0)) == 0 and ink(page, (0.94, 0.0, 1.0, 1.0)) == 0, "nothing in the margins"
    assert ink(page, (0.05, 0.94, 0.95, 0.98)) > 0.0003, "the footer (reference and page number)"


def test_a_letter_looks_right():
    body = "".join(f"<p>Paragraph {n}: your account shows £412.50 owing; please call us.</p>" for n in range(6))
    pdf = letter_to_priya_shah(body)
    [page] = pdf_pages_as_png(pdf, "letter")
    _layout_is_right(page)
    assert ink(page, (0.08, 0.14, 0.5, 0.24)) > 0.005, "the recipient's block, where a window envelope shows it"


@pytest.mark.django_db
def test_a_quarterly_statement_looks_right():
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW000124"))
    start, end = statement_period(date(2026, 9, 27))
    postings = []
    for week in range(13):
        monday = start + timedelta(weeks=week)
        postings.append(Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("112.40"), monday, f"r{week}"))
        postings.append(Posting(account.pk, TransactionType.PAYMENT, Decimal("-100.00"), monday, f"p{week}"))
    transactions_post(postings=postings)
    pages = pdf_pages_as_png(statement_pdf(account_statement(account=account, date_from=start, date_to=end)), "stmt")
    assert 2 <= len(pages) <= 3
    _layout_is_right(pages[0])
    for page in pages:
        assert ink(page, (0.05, 0.94, 0.95, 0.98)) > 0.0003, "the footer on every page"
        assert ink(page, (0.0, 0.0, 0.06, 1.0)) == 0 and ink(page, (0.94, 0.0, 1.0, 1.0)) == 0
