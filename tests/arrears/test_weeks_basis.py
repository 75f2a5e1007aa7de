"""Weeks of arrears: one figure on one named basis on every screen (issue 19).

A supported-housing tenancy is charged rent (£100.00, counts as rent), a service charge (£20.00, counts as rent) and a
support charge (£30.00, does not). It owes £600.00. On gross weekly charges (£150.00) that is 4.0 weeks; on rent
alone (£120.00) 5.0 weeks. The worklist, the case page, the account page, the rent statement and the dashboard's
drill-down must all show the same one, labelled with its basis.
"""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from arrears.models import ArrearsCase, Recommendation
from arrears.review import review_run
from arrears.services import policies_install_shipped, policy_import, policy_version_publish
from arrears.services.policies import SHIPPED_POLICIES
from dashboards.services import kpi_snapshot_take, last_sunday
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.statements import account_statement, statement_pdf
from tenancies.constants import ChargeType
from tenancies.models import Charge
from tests.arrears.conftest import tenancy_in_patch_of
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def supported_tenancy():
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER)
    tenancy = tenancy_in_patch_of(officer, payment_reference="RW190001")
    for charge_type, amount, counts in (
        (ChargeType.ELIGIBLE_SERVICE, "20.00", True),
        (ChargeType.SUPPORT, "30.00", False),
    ):
        Charge.objects.create(
            tenancy=tenancy,
            charge_type=charge_type,
            amount=Decimal(amount),
            counts_as_rent=counts,
            effective_from=tenancy.start_date,
        )
    account = account_get_or_create(tenancy=tenancy)
    owed_since = timezone.localdate() - timedelta(days=21)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("600.00"), owed_since, "old")])
    return tenancy


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def _screens(client, tenancy) -> dict[str, str]:
    """What each screen says about the tenancy, as text."""
    today = timezone.localdate()
    review_run(as_of=today)
    kpi_snapshot_take(week_ending=last_sunday(today))
    account = tenancy.accounts.get()
    case = ArrearsCase.objects.get(account=account)
    statement = account_statement(account=account, date_from=today - timedelta(weeks=8), date_to=today)
    pdf = pypdf.PdfReader(io.BytesIO(statement_pdf(statement)))
    return {
        "worklist": _text(client.get(reverse("arrears:index"))),
        "case page": _text(client.get(reverse("arrears:case", args=[case.pk]))),
        "account page": _text(client.get(reverse("accounts:detail", args=[tenancy.payment_reference]))),
        "tenancy page": _text(client.get(reverse("tenancies:detail", args=[tenancy.payment_reference]))),
        "statement": " ".join(" ".join(page.extract_text() for page in pdf.pages).split()),
        "dashboard": _text(client.get(reverse("dashboards:drill", args=["current_arrears_pct"]))),
        "dashboard export": client.get(reverse("dashboards:drill", args=["current_arrears_pct"]) + "?format=csv")
        .getvalue()
        .decode(),
    }


def test_the_shipped_policies_count_gross_weeks_and_every_screen_shows_that_figure(manager_client, supported_tenancy):
    screens = _screens(manager_client, supported_tenancy)
    for screen, text in screens.items():
        if screen == "dashboard export":
            assert ",4.0,gross," in text, screen
        else:
            assert "4.0 weeks of rent and all charges" in text, screen
            assert "5.0 weeks" not in text, screen
    recommendation = Recommendation.objects.get(account__tenancy=supported_tenancy)
    assert recommendation.facts["weekly_rent"] == "150.00"
    assert (recommendation.arrears_weeks, recommendation.weeks_basis) == (Decimal("4.0"), "gross")


def test_a_policy_on_rent_alone_moves_every_screen_to_weeks_of_rent(manager_client, supported_tenancy):
    text = (SHIPPED_POLICIES / "rentwise-default.yaml").read_text(encoding="utf-8")
    assert "weeks_basis: gross" in text
    version, _ = policy_import(text=text.replace("weeks_basis: gross", "weeks_basis: rent"))
    policy_version_publish(version=version)
    screens = _screens(manager_client, supported_tenancy)
    for screen, shown in screens.items():
        if screen == "dashboard export":
            assert ",5.0,rent," in shown, screen
        else:
            assert "5.0 weeks of rent" in shown, screen
            assert "weeks of rent and all charges" not in shown, screen
    recommendation = Recommendation.objects.filter(account__tenancy=supported_tenancy).latest("run_id")
    assert recommendation.facts["weekly_rent"] == "120.00"


def test_a_policy_with_an_unknown_basis_is_refused():
    from django.core.exceptions import ValidationError

    text = (SHIPPED_POLICIES / "rentwise-default.yaml").read_text(encoding="utf-8")
    with pytest.raises(ValidationError, match="weeks_basis must be 'rent'"):
        policy_import(text=text.replace("weeks_basis: gross", "weeks_basis: net"))
