"""The read API: scopes, sensitive fields only with sensitive:read, the account page's weeks of arrears, the ledger's
cursor for a nightly pull, strict filters, cases with their recommendation's reasons, agreements and notices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.constants import BreathingSpaceKind
from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import agreement_create, breathing_space_record, policies_install_shipped
from courts.claims import legal_case_open
from courts.services import notice_serve
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Transaction
from rentaccounts.selectors import account_summary
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenureType
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")


@pytest.fixture
def owing(officer, settings, tmp_path):
    """A secure tenancy owing 2.5 weeks (£250 over 14 days, £100 a week), reviewed today: an open case with a
    recommendation. The tenant has vulnerability and health notes."""
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    templates_install_shipped()
    person = PersonFactory(
        title="Ms", vulnerability_notes="Hearing impaired: write, do not call.", health_notes="Recent surgery."
    )
    tenancy = TenancyFactory(payment_reference="RW880001", tenure_type=TenureType.SECURE, lead_tenant=person)
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), today - timedelta(days=21), "t:1"),
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), today - timedelta(days=14), "t:2"),
            Posting(
                account.pk,
                TransactionType.PAYMENT,
                Decimal("-50.00"),
                today - timedelta(days=10),
                "t:3",
                payment_method="card",
                external_reference="CARD-1",
            ),
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), today - timedelta(days=7), "t:4"),
        ]
    )
    review_run(as_of=today)
    case = ArrearsCase.objects.get(account=account)
    return {"tenancy": tenancy, "account": account, "case": case, "person": person, "today": today}


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == f"urn:rentwise:problem:{slug}"
    return body


# ---- scopes ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/v1/tenancies/", "tenancies:read"),
        ("/api/v1/tenancies/RW880001/", "tenancies:read"),
        ("/api/v1/accounts/", "accounts:read"),
        ("/api/v1/transactions/", "accounts:read"),
        ("/api/v1/cases/", "cases:read"),
        ("/api/v1/agreements/", "cases:read"),
        ("/api/v1/notices/", "cases:read"),
    ],
)
def test_each_read_needs_its_scope(api_client_for, owing, path, scope):
    others = [s for s in ("tenancies:read", "accounts:read", "cases:read", "sensitive:read") if s != scope]
    body = assert_problem(api_client_for(*others).get(path), 403, "forbidden")
    assert scope in body["detail"]
    assert api_client_for(scope).get(path).status_code == 200


# ---- tenancies -------------------------------------------------------------------------------------------------------


def test_tenancy_has_its_home_tenants_and_charges_without_sensitive_notes(api_client_for, owing):
    response = api_client_for("tenancies:read").get("/api/v1/tenancies/rw880001/")
    assert response.status_code == 200
    body = response.json()
    assert body["payment_reference"] == "RW880001" and body["tenure_type"] == "SECURE"
    assert body["property"]["address_lines"] == owing["tenancy"].property.address_lines
    [tenant] = body["tenants"]
    assert tenant["first_name"] == owing["person"].first_name and tenant["is_lead"] is True
    assert "vulnerability_notes" not in tenant and "health_notes" not in tenant
    assert body["charges"] == [
        {
            "charge_type": "rent",
            "amount": "100.00",
            "per": "weekly",
            "counts_as_rent": True,
            "effective_from": owing["tenancy"].start_date.isoformat(),
            "effective_to": None,
        }
    ]
    assert body["weekly_rent_today"] == {"rent": "100.00", "gross": "100.00"}


def test_sensitive_notes_only_with_sensitive_read(api_client_for, owing):
    listed = api_client_for("tenancies:read", "sensitive:read").get("/api/v1/tenancies/?payment_reference=RW880001")
    [tenant] = listed.json()["results"][0]["tenants"]
    assert tenant["vulnerability_notes"] == "Hearing impaired: write, do not call."
    assert tenant["health_notes"] == "Recent surgery."
    without = api_client_for("tenancies:read").get("/api/v1/tenancies/?payment_reference=RW880001")
    assert "health_notes" not in without.json()["results"][0]["tenants"][0]


def test_tenancy_filters_and_unknown_reference(api_client_for, owing):
    TenancyFactory(payment_reference="RW880002", status="former")
    http = api_client_for("tenancies:read")
    references = [t["payment_reference"] for t in http.get("/api/v1/tenancies/?status=former").json()["results"]]
    assert references == ["RW880002"]
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert http.get("/api/v1/tenancies/", {"updated_since": later}).json()["results"] == []
    assert_problem(http.get("/api/v1/tenancies/?status=gone"), 400, "invalid-request")
    assert_problem(http.get("/api/v1/tenancies/?updated_since=yesterday"), 400, "invalid-request")
    assert_problem(http.get("/api/v1/tenancies/RW999999/"), 404, "not-found")


# ---- accounts --------------------------------------------------------------------------------------------------------


def test_account_weeks_are_the_account_pages_figure(api_client_for, owing):
    http = api_client_for("accounts:read")
    account = owing["account"]
    body = http.get(f"/api/v1/accounts/{account.pk}/").json()
    page = account_summary(tenancy=owing["tenancy"])["weeks"]
    assert page["weeks"] == Decimal("2.5")
    assert body["balance"] == "250.00"
    assert body["arrears"] == {
        "weekly_rent": f"{page['weekly_rent']:.2f}",
        "weeks": str(page["weeks"]),
        "basis": page["basis"],
        "basis_label": page["basis_label"],
    }
    assert body["ledger"].endswith(f"/api/v1/transactions/?account={account.pk}")
    listed = http.get("/api/v1/accounts/?payment_reference=RW880001&kind=rent").json()["results"]
    assert [a["arrears"]["weeks"] for a in listed] == ["2.5"]
    assert http.get("/api/v1/accounts/?kind=sundry").json()["results"] == []
    assert_problem(http.get("/api/v1/accounts/?kind=mortgage"), 400, "invalid-request")
    assert_problem(http.get("/api/v1/accounts/99999999/"), 404, "not-found")


def test_an_account_that_is_not_rent_has_no_weeks(api_client_for, owing):
    sundry = account_get_or_create(tenancy=owing["tenancy"], kind=AccountKind.SUNDRY)
    transactions_post(
        postings=[Posting(sundry.pk, TransactionType.SUNDRY, Decimal("40.00"), owing["today"], "sundry:1")]
    )
    body = api_client_for("accounts:read").get(f"/api/v1/accounts/{sundry.pk}/").json()
    assert body["balance"] == "40.00" and body["arrears"]["weeks"] is None


# ---- the ledger ------------------------------------------------------------------------------------------------------


def test_the_cursor_walks_every_transaction_once(api_client_for, owing):
    other = TenancyFactory(payment_reference="RW880003")
    other_account = account_get_or_create(tenancy=other)
    transactions_post(
        postings=[Posting(other_account.pk, TransactionType.RENT_DEBIT, Decimal("90.00"), owing["today"], "o:1")]
    )
    http = api_client_for("accounts:read")
    seen, url = [], "/api/v1/transactions/?page_size=2"
    while url:
        page = http.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == list(Transaction.objects.order_by("id").values_list("id", flat=True))
    assert len(seen) == 5

    # A pull resumes from the last `next`: only what was posted since, once.
    last = http.get("/api/v1/transactions/?page_size=10").json()
    resume = last["next"]
    assert resume is None or http.get(resume).json()["results"] == []


def test_transaction_fields_and_filters(api_client_for, owing):
    http = api_client_for("accounts:read")
    today, account = owing["today"], owing["account"]
    [payment] = http.get("/api/v1/transactions/?type=payment").json()["results"]
    assert payment["amount"] == "-50.00" and payment["payment_reference"] == "RW880001"
    assert payment["account"] == account.pk and payment["external_reference"] == "CARD-1"
    assert payment["effective_date"] == (today - timedelta(days=10)).isoformat()
    assert payment["reverses"] is None and payment["posted_at"]

    def amounts(query):
        return [row["amount"] for row in http.get(f"/api/v1/transactions/?{query}").json()["results"]]

    start = (today - timedelta(days=14)).isoformat()
    end = (today - timedelta(days=8)).isoformat()
    assert amounts(f"effective_from={start}&effective_to={end}") == ["100.00", "-50.00"]
    assert amounts(f"account={account.pk}&type=rent_debit") == ["100.00", "100.00", "100.00"]
    assert amounts("payment_reference=RW000000") == []
    future = (timezone.now() + timedelta(minutes=5)).isoformat().replace("+", "%2B")
    assert amounts(f"posted_after={future}") == []


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ("type=nonsense", "/type"),
        ("effective_from=notadate", "/effective_from"),
        ("effective_to=2026-02-30", "/effective_to"),
        ("effective_from=2026-05-01&effective_to=2026-04-01", "/effective_to"),
        ("posted_after=soon", "/posted_after"),
        ("account=abc", "/account"),
        ("account=99999999999999999999", "/account"),
        ("page_size=0", "/page_size"),
        ("page_size=lots", "/page_size"),
        ("cursor=not-a-cursor", "/cursor"),
        ("cursor=cD1hYmM%3D", "/cursor"),  # base64 of "p=abc": a position that is not an id
        ("payment_reference=RW%00", "/payment_reference"),
    ],
)
def test_a_bad_filter_is_a_400_problem_naming_it(api_client_for, owing, query, pointer):
    body = assert_problem(api_client_for("accounts:read").get(f"/api/v1/transactions/?{query}"), 400, "invalid-request")
    assert [error["pointer"] for error in body["errors"]] == [pointer]
    assert body["errors"][0]["detail"]


# ---- arrears cases ---------------------------------------------------------------------------------------------------


def test_a_case_has_its_latest_recommendation_and_reasons(api_client_for, owing):
    case = owing["case"]
    recommendation = case.latest_recommendation
    assert recommendation.reasons  # the review gave its reasons
    http = api_client_for("cases:read")
    body = http.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["payment_reference"] == "RW880001" and body["status"] == "open"
    assert body["latest_recommendation"]["reasons"] == recommendation.reasons
    assert body["latest_recommendation"]["action"] == recommendation.action
    assert body["latest_recommendation"]["arrears_weeks"] == str(recommendation.arrears_weeks)
    assert body["latest_recommendation"]["reviewed_on"] == owing["today"].isoformat()
    assert "breathing_space" not in body
    listed = http.get("/api/v1/cases/?status=open&ladder=current&payment_reference=RW880001").json()["results"]
    assert [c["id"] for c in listed] == [case.pk]
    assert http.get("/api/v1/cases/?status=closed").json()["results"] == []
    assert_problem(http.get("/api/v1/cases/?ladder=top"), 400, "invalid-request")
    assert_problem(http.get("/api/v1/cases/0/"), 404, "not-found")


def test_breathing_space_only_with_sensitive_read(api_client_for, owing, officer):
    breathing_space_record(
        tenancy=owing["tenancy"], kind=BreathingSpaceKind.STANDARD, starts_on=owing["today"], recorded_by=officer
    )
    path = f"/api/v1/cases/{owing['case'].pk}/"
    assert "breathing_space" not in api_client_for("cases:read").get(path).json()
    space = api_client_for("cases:read", "sensitive:read").get(path).json()["breathing_space"]
    assert space["kind"] == "standard" and space["starts_on"] == owing["today"].isoformat()
    assert space["expected_end_on"] == (owing["today"] + timedelta(days=60)).isoformat()
    listed = api_client_for("cases:read", "sensitive:read").get("/api/v1/cases/").json()["results"]
    assert listed[0]["breathing_space"]["kind"] == "standard"


# ---- agreements and notices ------------------------------------------------------------------------------------------


def test_agreements_with_their_filters(api_client_for, owing, officer):
    case = owing["case"]
    agreement = agreement_create(
        case=case, frequency="weekly", amount=Decimal("10.00"), starts_on=owing["today"], created_by=officer
    )
    http = api_client_for("cases:read")
    [row] = http.get(f"/api/v1/agreements/?case={case.pk}&state=live&payment_reference=RW880001").json()["results"]
    assert row["id"] == agreement.pk and row["amount"] == "10.00" and row["frequency"] == "weekly"
    assert row["type"] == "informal" and row["starts_on"] == owing["today"].isoformat()
    assert isinstance(row["state_changes"], list)
    assert http.get("/api/v1/agreements/?state=breached").json()["results"] == []
    assert_problem(http.get("/api/v1/agreements/?state=broken"), 400, "invalid-request")


def test_notices_with_the_court_stage(api_client_for, owing, officer):
    notice = notice_serve(
        tenancy=owing["tenancy"],
        notice_code="secure-nosp",
        served_on=owing["today"] - timedelta(days=1),
        method="hand",
        signatory="P. Shah, Income Manager",
        proof_of_service="By hand.",
        served_by=officer,
    )
    legal_case = legal_case_open(notice=notice, opened_by=officer)
    http = api_client_for("cases:read")
    [row] = http.get(f"/api/v1/notices/?case={owing['case'].pk}").json()["results"]
    assert row["id"] == notice.pk and row["payment_reference"] == "RW880001"
    assert row["served_on"] == notice.served_on.isoformat()
    assert row["earliest_proceedings_on"] == notice.earliest_proceedings_on.isoformat()
    assert [lc["id"] for lc in row["legal_cases"]] == [legal_case.pk]
    assert row["legal_cases"][0]["status"] == "preparing" and row["legal_cases"][0]["hearings"] == []
    assert http.get("/api/v1/notices/?payment_reference=RW000000").json()["results"] == []
