"""Issue 21, item 4 (data only where it belongs): exports neutralise formula cells through one helper, pages and
exports for signed-in people are never cached, and the PDF renderer fetches nothing from outside the product."""

import csv
import io
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from documents.rendering import FetchRefused, LocalURLFetcher, pdf_from_html
from incomeapp.constants import Role
from incomeapp.csvsafe import csv_cell
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, user_with_role


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil","Click")', '\'=HYPERLINK("http://evil","Click")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),  # a plain number stays a number
        ("+3", "+3"),
        ("Rent for 3 August", "Rent for 3 August"),
        (Decimal("-12.50"), Decimal("-12.50")),
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(value, written):
    assert csv_cell(value) == written


@pytest.mark.django_db
def test_the_account_export_neutralises_a_payment_description_but_keeps_amounts_as_numbers(client):
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW000778"))
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 8, 3), "rent:1"),
            Posting(
                account.pk,
                TransactionType.PAYMENT,
                Decimal("-40.00"),
                date(2026, 8, 7),
                "p:1",
                description='=HYPERLINK("http://evil.example","Refund")',
            ),
        ]
    )
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    response = client.get("/tenancies/RW000778/account/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    payment = next(row for row in rows if row["amount"] == "-40.00")
    assert payment["description"] == '\'=HYPERLINK("http://evil.example","Refund")'
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_for_a_signed_in_person_are_never_cached_and_the_sign_in_page_is_not_affected(client):
    tenancy = TenancyFactory(payment_reference="RW000779")
    account_get_or_create(tenancy=tenancy)
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    response = client.get(f"/tenancies/{tenancy.payment_reference}/")
    assert response.status_code == 200
    assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    client.logout()
    assert "no-store" not in client.get("/accounts/login/").get("Cache-Control", "")


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


def test_the_pdf_renderer_fetches_nothing_outside_the_product():
    """A real HTTP server on this machine: a letter whose text reached an <img>, a stylesheet or a file URL makes no
    request to it, and reads no file outside the product's own."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        html = (
            f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body><p>Letter</p>'
            f'<img src="{base}/pixel.png" alt=""><img src="file:///etc/passwd" alt=""></body></html>'
        )
        pdf = pdf_from_html(html)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF")
    assert _Recorder.hits == []
    with pytest.raises(FetchRefused):
        LocalURLFetcher().fetch("file:///etc/passwd")
    with pytest.raises(FetchRefused):
        LocalURLFetcher().fetch(f"{base}/x")
