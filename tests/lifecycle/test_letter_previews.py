"""The sign-up and rent change letters preview in the template editor on any tenancy, with or without a case."""

from datetime import date
from decimal import Decimal

import pytest

from documents.services import template_version_current, templates_install_shipped
from incomeapp.constants import Role
from tenancies.constants import ChargeType
from tenancies.models import Charge
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    templates_install_shipped()
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    return client


def _preview(client, key: str, reference: str, status: int = 200) -> str:
    version = template_version_current(key)
    page = client.post(
        f"/documents/templates/{key}/",
        {"subject": version.subject, "body": version.body, "case_reference": reference, "preview": "Preview"},
    )
    assert page.status_code == status
    return page.content.decode()


def test_the_sign_up_letter_previews_on_a_tenancy_with_no_arrears_case(manager_client):
    TenancyFactory(payment_reference="RW333001", start_date=date(2026, 4, 6))
    html = _preview(manager_client, "sign_up_letter", "rw333001")
    assert "Preview of the letter" in html
    assert "£100.00 a week" in html


def test_the_rent_change_letter_previews_the_next_scheduled_change(manager_client):
    tenancy = TenancyFactory(payment_reference="RW333002", start_date=date(2026, 4, 6))
    rent = Charge.objects.get(tenancy=tenancy)
    rent.effective_to = date(2030, 4, 7)
    rent.save()
    Charge.objects.create(
        tenancy=tenancy, charge_type=ChargeType.RENT, amount=Decimal("104.80"), effective_from=date(2030, 4, 8)
    )
    html = _preview(manager_client, "rent_change_letter", "RW333002")
    assert "Preview of the letter" in html
    assert "8 April 2030" in html and "£104.80" in html


def test_a_preview_for_an_unknown_reference_says_so(manager_client):
    html = _preview(manager_client, "sign_up_letter", "ZZ999", status=400)
    assert "No tenancy has the payment reference ZZ999" in html
