"""Data only where it belongs (issue 21, item 4): staff scoped to landlords, schemes or patches see only those
tenancies, on every list, page, export and search; a record outside the scope answers 404, as if it did not exist.
Unscoped officers and managers see everything, as before; a support worker with no scope sees nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import policies_install_shipped
from courts.claims import legal_case_open
from courts.services import notice_serve
from dashboards.services import kpi_snapshot_take
from incomeapp.constants import Role
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.approvals import adjustment_request_create
from rentaccounts.services.direct_debits import direct_debit_mandate_create
from rentaccounts.services.statements import statement_send
from tenancies.constants import TenureType
from tenancies.models import StaffScope
from tenancies.scoping import scope_forget, tenancies_visible_to
from tests.factories import (
    PatchFactory,
    PersonFactory,
    PropertyFactory,
    ProviderFactory,
    SchemeFactory,
    TenancyFactory,
    user_with_role,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]

IN_REF, OUT_REF = "RW100001", "RW200002"


def _tenancy_in_arrears(reference, *, scheme, patch, first_name, last_name, address):
    tenancy = TenancyFactory(
        payment_reference=reference,
        tenure_type=TenureType.SECURE,
        property=PropertyFactory(scheme=scheme, patch=patch, address_line_1=address),
        lead_tenant=PersonFactory(first_name=first_name, last_name=last_name),
    )
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(
        postings=[
            Posting(
                account.pk, "rent_debit", Decimal("100.00"), today - timedelta(weeks=12 - week), f"{reference}:{week}"
            )
            for week in range(12)
        ]
    )
    return tenancy, account


@pytest.fixture
def estate(settings, tmp_path):
    """Two landlords: Alder Court (Riverside Homes, patch North) and Birch House (Hillside Housing, patch South), a
    tenancy in arrears in each, with a case; the Birch House tenancy also has a notice, a claim, a statement, an
    approval request, a direct debit and a place in the KPI snapshot."""
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    riverside, hillside = ProviderFactory(name="Riverside Homes"), ProviderFactory(name="Hillside Housing")
    alder = SchemeFactory(name="Alder Court", provider=riverside)
    birch = SchemeFactory(name="Birch House", provider=hillside)
    north, south = PatchFactory(name="North"), PatchFactory(name="South")
    inside, _ = _tenancy_in_arrears(
        IN_REF, scheme=alder, patch=north, first_name="Alma", last_name="Inscope", address="1 Harbour Road"
    )
    outside, out_account = _tenancy_in_arrears(
        OUT_REF, scheme=birch, patch=south, first_name="Bryn", last_name="Outscope", address="2 Harbour Road"
    )
    today = timezone.localdate()
    review_run(as_of=today)
    manager = user_with_role(Role.INCOME_MANAGER)
    notice = notice_serve(
        tenancy=outside, notice_code="secure-nosp", served_on=today - timedelta(weeks=5), method="hand",
        signatory="Priya Shah, Income Manager", proof_of_service="By hand.", served_by=manager,
    )  # fmt: skip
    legal_case = legal_case_open(notice=notice, opened_by=manager)
    statement = statement_send(
        account=out_account, date_from=today - timedelta(weeks=13), date_to=today, send_by="post", made_by=manager
    )
    request = adjustment_request_create(
        kind="adjustment", account=out_account, amount=Decimal("-5.00"), reason="Goodwill", requested_by=manager
    )
    direct_debit_mandate_create(tenancy=outside, reference="DD-BIRCH", collection_day=1, start_date=today, user=manager)
    kpi_snapshot_take(week_ending=today - timedelta(days=today.isoweekday() % 7))
    return {
        "inside": inside,
        "outside": outside,
        "alder": alder,
        "birch": birch,
        "north": north,
        "south": south,
        "riverside": riverside,
        "out_case": ArrearsCase.objects.get(account__tenancy=outside),
        "in_case": ArrearsCase.objects.get(account__tenancy=inside),
        "notice": notice,
        "legal_case": legal_case,
        "statement": statement,
        "request": request,
        "out_person": outside.named_tenants()[0],
        "in_person": inside.named_tenants()[0],
    }


def scoped_to(role: Role, **where):
    user = user_with_role(role)
    for kind, records in where.items():
        for record in records:
            StaffScope.objects.create(user=user, **{kind: record})
    return user


def _html(client, path, **params) -> tuple[int, str]:
    response = client.get(path, params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode(errors="replace")


def test_a_support_worker_scoped_to_a_scheme_sees_its_tenancies_and_gets_404_for_anothers(client, estate):
    client.force_login(scoped_to(Role.SUPPORT_WORKER, scheme=[estate["alder"]]))
    status, html = _html(client, "/tenancies/", q="Harbour")
    assert status == 200
    assert IN_REF in html
    assert OUT_REF not in html
    assert client.get(f"/tenancies/{IN_REF}/").status_code == 200
    assert client.get(f"/tenancies/{IN_REF}/account/").status_code == 200
    assert client.get(f"/tenancies/{OUT_REF}/").status_code == 404
    assert client.get(f"/tenancies/{OUT_REF}/account/").status_code == 404
    assert client.get(f"/tenancies/{OUT_REF}/account/export.csv").status_code == 404
    # People follow their tenancies.
    status, html = _html(client, "/people/", q="Inscope")
    assert "Alma" in html
    status, html = _html(client, "/people/", q="Outscope")
    assert "Bryn" not in html
    assert client.get(f"/people/{estate['in_person'].pk}/").status_code == 200
    assert client.get(f"/people/{estate['out_person'].pk}/").status_code == 404
    # The search page says what they see, so nobody thinks a tenancy is missing.
    assert f"You see the tenancies of {estate['alder'].name} (scheme)." in html_of_search(client)


def html_of_search(client) -> str:
    return _html(client, "/tenancies/")[1]


def test_an_officer_scoped_to_a_patch_sees_only_its_cases_on_the_worklist(client, estate):
    client.force_login(scoped_to(Role.INCOME_OFFICER, patch=[estate["north"]]))
    for tab in ("patch", "immediate"):
        status, html = _html(client, "/worklist/", tab=tab, officer="")
        assert status == 200
        assert OUT_REF not in html
    assert IN_REF in _html(client, "/worklist/", tab="patch", officer="")[1]
    assert client.get(f"/worklist/cases/{estate['in_case'].pk}/").status_code == 200
    assert client.get(f"/worklist/cases/{estate['out_case'].pk}/").status_code == 404


def test_an_unscoped_officer_sees_every_tenancy_as_before(client, estate):
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    html = _html(client, "/tenancies/", q="Harbour")[1]
    assert IN_REF in html and OUT_REF in html
    assert "You see the tenancies of" not in html_of_search(client)
    html = _html(client, "/worklist/", tab="patch", officer="")[1]
    assert IN_REF in html and OUT_REF in html
    assert client.get(f"/tenancies/{OUT_REF}/").status_code == 200
    assert client.get(f"/worklist/cases/{estate['out_case'].pk}/").status_code == 200


def test_a_support_worker_with_no_scope_sees_no_tenancy(client, estate):
    worker = user_with_role(Role.SUPPORT_WORKER)
    client.force_login(worker)
    html = _html(client, "/tenancies/", q="Harbour")[1]
    assert IN_REF not in html and OUT_REF not in html
    assert "Bryn" not in _html(client, "/people/", q="Outscope")[1]
    assert client.get(f"/tenancies/{IN_REF}/").status_code == 404
    assert client.get(f"/people/{estate['in_person'].pk}/").status_code == 404
    assert not tenancies_visible_to(worker).exists()
    assert "Ask a System Administrator to add the schemes you support." in html_of_search(client)


def test_scopes_combine_as_a_union_of_landlords_schemes_and_patches(estate):
    officer = scoped_to(Role.INCOME_OFFICER, provider=[estate["riverside"]])
    assert set(tenancies_visible_to(officer).values_list("payment_reference", flat=True)) == {IN_REF}
    StaffScope.objects.create(user=officer, patch=estate["south"])
    scope_forget(officer)
    assert set(tenancies_visible_to(officer).values_list("payment_reference", flat=True)) == {IN_REF, OUT_REF}


def test_the_dashboard_drill_down_and_exception_report_list_only_the_managers_tenancies(client, estate):
    client.force_login(scoped_to(Role.INCOME_MANAGER, scheme=[estate["alder"]]))
    html = _html(client, "/dashboards/drill/current_arrears_pct/")[1]
    assert IN_REF in html and OUT_REF not in html
    csv = _html(client, "/dashboards/drill/current_arrears_pct/", format="csv")[1]
    assert IN_REF in csv and OUT_REF not in csv
    html = _html(client, "/dashboards/exceptions/")[1]
    assert IN_REF in html and OUT_REF not in html
    assert "list only the tenancies you see" in _html(client, "/dashboards/")[1]


def test_a_scoped_officer_typing_an_out_of_scope_reference_is_told_it_does_not_exist(client, estate):
    client.force_login(scoped_to(Role.INCOME_OFFICER, scheme=[estate["alder"]]))
    response = client.get(
        "/legal/", {"payment_reference": OUT_REF, "served_on_0": "1", "served_on_1": "6", "served_on_2": "2026",
                    "method": "hand"},
    )  # fmt: skip
    assert response.status_code == 400
    assert f"No tenancy has the payment reference {OUT_REF}" in response.content.decode()


# ---- every role, every detail page of an out-of-scope tenancy --------------------------------------------------------

CASEWORK_ROLES = [Role.INCOME_OFFICER, Role.SENIOR_INCOME_OFFICER, Role.INCOME_MANAGER, Role.SUPPORT_WORKER]


def _detail_paths(estate) -> list[str]:
    case, person = estate["out_case"].pk, estate["out_person"].pk
    return [
        f"/tenancies/{OUT_REF}/",
        f"/tenancies/{OUT_REF}/account/",
        f"/tenancies/{OUT_REF}/account/rent/",
        f"/tenancies/{OUT_REF}/account/export.csv",
        f"/tenancies/{OUT_REF}/account/rent/export.csv",
        f"/tenancies/{OUT_REF}/account/rent/statement/",
        f"/tenancies/{OUT_REF}/charges/change/",
        f"/tenancies/{OUT_REF}/end/",
        f"/tenancies/{OUT_REF}/end/done/",
        f"/tenancies/{OUT_REF}/end/transfer-credit/",
        f"/tenancies/{OUT_REF}/transfer/",
        f"/tenancies/{OUT_REF}/moved/",
        f"/tenancies/{OUT_REF}/succession/",
        f"/sign-up/done/{OUT_REF}/",
        f"/people/{person}/",
        f"/people/{person}/change/",
        f"/people/merge/{person}/{estate['in_person'].pk}/",
        f"/worklist/cases/{case}/",
        f"/legal/notices/{estate['notice'].pk}/",
        f"/legal/cases/{estate['legal_case'].pk}/",
        f"/documents/{estate['statement'].pk}/",
        f"/approvals/{estate['request'].pk}/",
        f"/homes/{estate['outside'].property_id}/",
    ]


def _list_paths() -> list[tuple[str, dict]]:
    return [
        ("/tenancies/", {"q": "Harbour"}),
        ("/people/", {"q": "Outscope"}),
        ("/people/duplicates/", {}),
        ("/worklist/", {"tab": "patch", "officer": ""}),
        ("/legal/", {}),
        ("/legal/diary/", {"show": "all"}),
        ("/approvals/", {}),
        ("/payments/direct-debits/", {}),
        ("/dashboards/drill/current_arrears_pct/", {}),
        ("/dashboards/drill/current_arrears_pct/", {"format": "csv"}),
        ("/dashboards/exceptions/", {}),
        ("/dashboards/exceptions/", {"format": "cases-csv"}),
        ("/homes/", {"q": "Harbour"}),
    ]


@pytest.mark.parametrize("role", CASEWORK_ROLES, ids=lambda role: role.name)
def test_no_role_scoped_elsewhere_opens_any_page_of_an_out_of_scope_tenancy(client, estate, role):
    client.force_login(scoped_to(role, scheme=[estate["alder"]]))
    assert client.get(f"/tenancies/{IN_REF}/").status_code == 200  # the scope lets them work at all
    secrets = (OUT_REF, "Bryn", "2 Harbour Road")  # the search below types "Outscope", which pages echo
    leaks = []
    for path in _detail_paths(estate):
        status, body = _html(client, path)
        if status == 200 or any(secret in body for secret in secrets):
            leaks.append(f"{path} answered {status}")
    for path, params in _list_paths():
        status, body = _html(client, path, **params)
        if any(secret in body for secret in secrets):
            leaks.append(f"{path}?{params} lists the out-of-scope tenancy ({status})")
    assert leaks == []


# What an unscoped manager gets from the same paths (POST-only and step pages answer otherwise, as they always did).
NOT_A_PAGE_HERE = ("/account/rent/statement/", "/end/done/", "/moved/", "/sign-up/done/")
LISTS_WITHOUT_IT = ("/people/duplicates/", "/legal/diary/")


def test_unscoped_the_same_pages_open_and_the_same_lists_show_the_tenancy(client, estate):
    """The sweep above would pass vacuously if the pages were broken: an unscoped manager opens them all."""
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    closed = [
        path
        for path in _detail_paths(estate)
        if not path.endswith(NOT_A_PAGE_HERE)
        and not path.startswith("/sign-up/")
        and client.get(path).status_code != 200
    ]
    assert closed == []
    missing = [
        (path, params)
        for path, params in _list_paths()
        if path not in LISTS_WITHOUT_IT and OUT_REF not in _html(client, path, **params)[1]
    ]
    assert missing == []
