"""POST /api/v1/loads/: people and tenancy changes as the onboarding import makes them (docs/onboarding.md), through
the same engine and services, with the import's own messages pointing at the request's rows."""

import csv
import io
from datetime import date

import pytest
from django.db import connection, connections

from lifecycle.constants import LoadStatus
from lifecycle.models import TenancyLoad
from lifecycle.onboarding.formats import SourceFile
from lifecycle.onboarding.services import LOAD_LOCK, onboarding_load
from rentaccounts.models import Transaction
from tenancies.constants import PaymentMethod, TenancyStatus
from tenancies.models import Person, Property, Tenancy, TenancyTenant
from tests.lifecycle.test_onboarding_load import SAMPLES

pytestmark = pytest.mark.django_db

URL = "/api/v1/loads/"
WRITE = "tenancies:write"

NEW_HOME = {
    "source_reference": "H009",
    "address_line_1": "9 Orchard Close",
    "town": "Bristol",
    "postcode": "bs42df",
    "scheme_reference": "SCH-GN",
    "bedrooms": 2,
}
NEW_PERSON = {
    "source_reference": "P200",
    "title": "Ms",
    "first_name": "Grace",
    "last_name": "Adeyemi",
    "date_of_birth": "1991-04-17",
    "mobile": "07700 900200",
    "texts_allowed": True,
}
NEW_TENANCY = {
    "source_reference": "T6001",
    "payment_reference": "10046001",
    "property_reference": "H009",
    "tenure_type": "AST",
    "start_date": "2026-11-30",
}
NEW_TENANT = {"tenancy_reference": "T6001", "person_reference": "P200", "is_lead": True}
NEW_CHARGE = {"tenancy_reference": "T6001", "charge_type": "rent", "amount": "105.00", "effective_from": "2026-11-30"}


@pytest.fixture
def loaded(law):
    report = onboarding_load(by=None, path=SAMPLES, re_review=False)
    assert report.status == LoadStatus.COMPLETED, [str(error) for error in report.errors.items]


@pytest.fixture
def hms(api_client_for, loaded):
    return api_client_for(WRITE, name="Housing management")


def _post(http, body, key="key-1"):
    return http.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _new_tenancy_body(**tenancy) -> dict:
    return {
        "properties": [NEW_HOME],
        "people": [NEW_PERSON],
        "tenancies": [{**NEW_TENANCY, **tenancy}],
        "tenants": [NEW_TENANT],
        "charges": [NEW_CHARGE],
    }


def _file_errors(body: dict) -> list[tuple[str, int, str, str]]:
    """What the import says of the same rows sent as files (a dry run): (file, line, column, message) of each error,
    which the API must repeat."""
    sources = []
    for kind, rows in body.items():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(list(rows[0]))
        for row in rows:
            writer.writerow(["yes" if v is True else "no" if v is False else v for v in row.values()])
        sources.append(SourceFile(kind, f"{kind}.csv", out.getvalue().encode()))
    report = onboarding_load(by=None, sources=sources, dry_run=True)
    return [(error.file, error.line, error.column, error.message) for error in report.errors.items]


def test_a_new_person_and_tenancy_are_signed_up_as_the_import_does(hms):
    response = _post(hms, _new_tenancy_body())

    assert response.status_code == 201, response.json().get("errors")
    body = response.json()
    assert body["status"] == "completed"
    assert body["counts"]["people"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert body["counts"]["tenancies"] == {"created": 1, "updated": 0, "unchanged": 0}
    tenancy = Tenancy.objects.get(source_reference="T6001")
    assert tenancy.payment_reference == "10046001"
    assert tenancy.property == Property.objects.get(source_reference="H009")
    assert tenancy.start_date == date(2026, 11, 30)
    assert tenancy.status == TenancyStatus.CURRENT
    person = Person.objects.get(source_reference="P200")
    assert (person.first_name, person.last_name, person.mobile, person.texts_allowed) == (
        "Grace",
        "Adeyemi",
        "+447700900200",
        True,
    )
    assert TenancyTenant.objects.filter(tenancy=tenancy, person=person, is_lead=True).exists()
    assert Property.objects.get(source_reference="H009").postcode == "BS4 2DF"
    # Listed on the Data loads page, as the service user of the client.
    load = TenancyLoad.objects.get(pk=body["load_id"])
    assert load.status == LoadStatus.COMPLETED
    assert load.uploaded_by == hms.client.user
    assert load.file_name == "API: Housing management (properties, people, tenancies, tenants, charges)"
    assert load.report["counts"]["tenancies"]["created"] == 1


def test_a_changed_phone_and_mobile_update_the_person_and_keep_history(hms):
    person = Person.objects.get(source_reference="P101")
    history_before = person.history.count()

    response = _post(
        hms,
        {
            "people": [
                {
                    "source_reference": "P101",
                    "first_name": "Tom",
                    "last_name": "Price",
                    "phone": "0117 496 0555",
                    "mobile": "07700 900999",
                }
            ]
        },
    )

    assert response.status_code == 201, response.json().get("errors")
    assert response.json()["counts"]["people"] == {"created": 0, "updated": 1, "unchanged": 0}
    person.refresh_from_db()
    assert person.mobile == "+447700900999"
    assert person.phone.replace(" ", "") == "01174960555"
    assert person.history.count() == history_before + 1
    assert person.date_of_birth == date(1979, 11, 2)  # a column not sent is left as it is
    assert not Tenancy.objects.filter(source_reference="T6001").exists()


def test_a_tenancy_change_on_its_own_is_applied(hms):
    tenancy = Tenancy.objects.get(source_reference="T5002")
    row = {
        "source_reference": "T5002",
        "payment_reference": "10045002",
        "property_reference": "H002",
        "tenure_type": "ASSURED",
        "start_date": "2019-09-02",
        "payment_method": "standing_order",
    }

    response = _post(hms, {"tenancies": [row]})

    assert response.status_code == 201, response.json().get("errors")
    assert response.json()["counts"]["tenancies"]["updated"] == 1
    assert response.json()["warnings"] == []  # the named tenants not sent are not a difference
    tenancy.refresh_from_db()
    assert tenancy.payment_method == PaymentMethod.STANDING_ORDER


def test_an_unknown_tenure_is_refused_with_the_imports_message_and_nothing_is_loaded(hms):
    loads_before = TenancyLoad.objects.count()
    body = _new_tenancy_body(tenure_type="ASURED")
    [(file, line, column, message)] = _file_errors(body)
    assert (file, line, column) == ("tenancies.csv", 2, "tenure_type")

    response = _post(hms, body)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:rentwise:problem:load-refused"
    assert "Nothing was loaded" in problem["detail"]
    assert problem["errors"] == [{"pointer": "/tenancies/0/tenure_type", "detail": message, "value": "ASURED"}]
    assert not Person.objects.filter(source_reference="P200").exists()
    assert not Property.objects.filter(source_reference="H009").exists()
    assert not Tenancy.objects.filter(source_reference="T6001").exists()
    # The refusal is listed on the Data loads page, as a refused file load is.
    assert TenancyLoad.objects.count() == loads_before + 1
    assert TenancyLoad.objects.latest("created_at").status == LoadStatus.REFUSED


def test_a_tenant_who_does_not_exist_points_at_the_row(hms):
    tenants = [{"tenancy_reference": "T6001", "person_reference": "P999", "is_lead": True}]
    body = {**_new_tenancy_body(), "tenants": tenants}

    response = _post(hms, body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    pointers = [error["pointer"] for error in errors]
    assert "/tenants/0/person_reference" in pointers, errors
    message = next(e["detail"] for e in errors if e["pointer"] == "/tenants/0/person_reference")
    assert "P999" in message
    assert ("tenants.csv", 2, "person_reference", message) in _file_errors(body)
    assert not Tenancy.objects.filter(source_reference="T6001").exists()
    assert not Person.objects.filter(source_reference="P200").exists()


def test_a_cell_with_line_breaks_still_points_at_the_right_row(hms):
    people = [
        {**NEW_PERSON, "correspondence_address": "1 New Road\nBath\nBA1 1AA", "date_of_birth": "1991-04-17"},
        {**NEW_PERSON, "source_reference": "P201", "correspondence_address": None, "date_of_birth": "31/02/1990"},
    ]

    response = _post(hms, {"people": people})

    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/people/1/date_of_birth"]


def test_an_unknown_column_is_400_before_anything_is_read(hms):
    loads_before = TenancyLoad.objects.count()

    response = _post(hms, {"people": [{**NEW_PERSON, "colour": "blue"}]})

    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:rentwise:problem:invalid-request"
    assert problem["errors"][0]["pointer"] == "/people/0/colour"
    assert "'colour' is not a column of the people.csv file" in problem["errors"][0]["detail"]
    assert TenancyLoad.objects.count() == loads_before
    assert not Person.objects.filter(source_reference="P200").exists()


@pytest.mark.parametrize(
    ("body", "pointer", "words"),
    [
        ({"pets": []}, "/pets", "is not something a load takes"),
        ({"people": [{"source_reference": "P200", "first_name": "Grace"}]}, "/people/0/last_name", "is missing"),
        ({"charges": [{**NEW_CHARGE, "amount": 105.5}]}, "/charges/0/amount", "as text"),
        ({"people": [NEW_PERSON, {**NEW_PERSON, "source_reference": "P201", "phone": None}]}, "/people/1", "same"),
        ({"dry_run": True}, "", "no rows to load"),
    ],
)
def test_a_badly_shaped_request_is_400_with_a_pointer(hms, body, pointer, words):
    response = _post(hms, body)

    assert response.status_code == 400, response.json()
    error = response.json()["errors"][0]
    assert error["pointer"] == pointer
    assert words in error["detail"]


def test_too_many_rows_says_to_send_a_file(hms, settings):
    response = _post(hms, {"people": [NEW_PERSON] * 5001})

    assert response.status_code == 400
    assert "import_tenancies" in response.json()["errors"][0]["detail"]


def test_a_dry_run_changes_nothing_and_says_what_would_change(hms):
    loads_before, ledger_before = TenancyLoad.objects.count(), Transaction.objects.count()

    response = _post(hms, {**_new_tenancy_body(), "dry_run": True})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "checked"
    assert body["load_id"] is None
    assert body["counts"]["tenancies"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert body["counts"]["charges"]["created"] == 1
    assert not Tenancy.objects.filter(source_reference="T6001").exists()
    assert not Person.objects.filter(source_reference="P200").exists()
    assert TenancyLoad.objects.count() == loads_before
    assert Transaction.objects.count() == ledger_before


def test_without_the_scope_it_is_403(api_client_for, loaded):
    http = api_client_for("tenancies:read")

    response = _post(http, {"people": [NEW_PERSON]})

    assert response.status_code == 403
    assert "tenancies:write" in response.json()["detail"]
    assert not Person.objects.filter(source_reference="P200").exists()


def test_health_notes_need_the_sensitive_scope(api_client_for, loaded):
    http = api_client_for(WRITE)
    body = {"people": [{**NEW_PERSON, "health_notes": "Diabetic"}]}

    refused = _post(http, body)

    assert refused.status_code == 403
    assert refused.json()["errors"][0]["pointer"] == "/people/0/health_notes"
    assert not Person.objects.filter(source_reference="P200").exists()

    allowed = _post(api_client_for(WRITE, "sensitive:read"), body)
    assert allowed.status_code == 201, allowed.json()
    assert Person.objects.get(source_reference="P200").health_notes == "Diabetic"


def test_another_load_running_is_409_and_loads_nothing(hms):
    if connection.vendor != "postgresql":
        pytest.skip("One load at a time is a PostgreSQL advisory lock; SQLite runs one process.")
    side = connections.create_connection("default")
    try:
        with side.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOAD_LOCK])
        response = _post(hms, {"people": [NEW_PERSON]})
    finally:
        side.close()

    assert response.status_code == 409
    assert response.json()["type"] == "urn:rentwise:problem:load-running"
    assert not Person.objects.filter(source_reference="P200").exists()
    # The key was freed: the same request goes through once the other load has finished.
    assert _post(hms, {"people": [NEW_PERSON]}).status_code == 201
    assert Person.objects.filter(source_reference="P200").count() == 1


def test_the_same_idempotency_key_twice_loads_once(hms):
    body = _new_tenancy_body()

    first = _post(hms, body, key="sync-2026-12-06")
    again = _post(hms, body, key="sync-2026-12-06")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Tenancy.objects.filter(source_reference="T6001").count() == 1
    assert TenancyLoad.objects.filter(uploaded_by=hms.client.user).count() == 1


def test_an_idempotency_key_is_required(hms):
    response = hms.post(URL, {"people": [NEW_PERSON]}, format="json")

    assert response.status_code == 400
    assert response.json()["type"] == "urn:rentwise:problem:idempotency-key-missing"
    assert not Person.objects.filter(source_reference="P200").exists()
