"""The OpenAPI schema: valid with no warning, every operation behind the key and documenting its problem responses,
writes documenting Idempotency-Key as the server treats it, and the schema and its pages served to the right people.
And a client sending rubbish to the core paths gets a 4xx problem, never a 500 (issue 18)."""

import base64

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from api.problems import MEDIA_TYPE
from api.schema import IDEMPOTENCY_KEY_PATTERN
from incomeapp.constants import Role
from tests.factories import user_with_role

PROBLEM_REF = "#/components/schemas/Problem"
ALWAYS = ("401", "403", "406", "429", "500")
WRITE_METHODS = ("post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_schema_validates_with_no_warning_or_error(tmp_path):
    GENERATOR_STATS.reset()
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    except Exception as error:
        found = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        pytest.fail(f"spectacular --validate --fail-on-warn: {error}\n" + "\n".join(found))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


def test_the_schema_has_the_api_and_names_each_operation(schema):
    operations = list(_operations(schema))
    assert len(operations) >= 10, [f"{method.upper()} {path}" for path, method, _ in operations]
    assert all(path.startswith("/api/v1/") for path, _, _ in operations)
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids))
    untitled = [f"{method.upper()} {path}" for path, method, op in operations if not op.get("summary")]
    assert not untitled, f"Operations without a summary: {untitled}"
    untagged = [f"{method.upper()} {path}" for path, method, op in operations if not op.get("tags")]
    assert not untagged


def test_every_operation_needs_the_api_key_and_names_its_scope(schema):
    assert schema["components"]["securitySchemes"]["apiKey"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    for path, method, operation in _operations(schema):
        assert operation.get("security") == [{"apiKey": []}], f"{method.upper()} {path}"
        assert operation.get("x-required-scope"), f"{method.upper()} {path} names no scope"
        assert operation["x-required-scope"] in operation["description"]


def test_every_operation_documents_its_problems_as_problem_json(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    for path, method, operation in _operations(schema):
        label = f"{method.upper()} {path}"
        responses = operation["responses"]
        expected = ALWAYS + (("400", "404", "409", "413", "415", "422") if method in WRITE_METHODS else ("400", "404"))
        assert set(expected) <= set(responses), f"{label}: {sorted(responses)}"
        for code, response in responses.items():
            if code[0] in "45":
                assert list(response["content"]) == [MEDIA_TYPE], f"{label} {code}"
                assert response["description"], f"{label} {code}"
            elif "content" in response:
                assert MEDIA_TYPE not in response["content"], f"{label} {code}"
        assert responses["401"]["content"][MEDIA_TYPE]["schema"] == {"$ref": PROBLEM_REF}
        assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True
        assert responses["429"]["headers"]["Retry-After"]["required"] is True
        assert any(code.startswith("2") for code in responses), f"{label} has no success response"


def test_every_write_takes_an_idempotency_key_the_server_accepts(schema):
    writes = [(path, method, op) for path, method, op in _operations(schema) if method in WRITE_METHODS]
    assert writes
    for path, method, operation in writes:
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, f"{method.upper()} {path}"
        assert headers["Idempotency-Key"]["schema"]["pattern"] == IDEMPOTENCY_KEY_PATTERN
        assert headers["Idempotency-Key"]["schema"]["maxLength"] == 255


@pytest.mark.django_db
def test_a_required_idempotency_key_is_required_in_the_schema_too(schema, api_client_for):
    """The server decides: a write sent (with the schema's own example body) without the key and refused with
    idempotency-key-missing must be `required` in the schema; one carried out must not be."""
    http = api_client_for("payments:write", "contacts:write", "tenancies:write", "webhooks", "accounts:read")
    checked = 0
    for path, method, operation in _operations(schema):
        if method != "post" or "{" in path:
            continue
        examples = operation["requestBody"]["content"]["application/json"].get("examples") or {}
        body = next(iter(examples.values()))["value"] if examples else {}
        response = http.post(path, body, format="json")
        missing = response.status_code == 400 and response.json()["type"].endswith("idempotency-key-missing")
        header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
        if header.get("required", False):
            assert missing, f"POST {path}: the schema requires the key, the server answered {response.status_code}"
        else:
            assert not missing, f"POST {path}: the server requires the key, the schema does not"
        checked += 1
    assert checked >= 3


# --- Where the schema and its pages are served ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_needs_a_key_or_a_signed_in_member_of_staff(client, api_client_for):
    anonymous = client.get("/api/v1/schema/?format=json")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"].startswith(MEDIA_TYPE)
    assert anonymous.json()["type"] == "urn:rentwise:problem:unauthorised"

    http = api_client_for("accounts:read")
    assert http.get("/api/v1/schema/?format=json").json()["openapi"] == "3.0.3"
    assert http.get("/api/v1/schema/").content.startswith(b"openapi: 3.0.3")

    client.force_login(user_with_role(Role.INCOME_OFFICER))
    signed_in = client.get("/api/v1/schema/?format=json")
    assert signed_in.status_code == 200
    assert "/api/v1/payments/" in signed_in.json()["paths"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/v1/schema/swagger/", "/api/v1/schema/redoc/"])
def test_the_documentation_pages_are_for_signed_in_staff_and_use_no_cdn(client, page):
    anonymous = client.get(page)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/sign-in/") or "sign-in" in anonymous["Location"]

    client.force_login(user_with_role(Role.INCOME_OFFICER))
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


# --- Rubbish in, a 4xx problem out ---------------------------------------------------------------------------------


def _problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith(MEDIA_TYPE)
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:rentwise:problem:") and body["detail"]
    return body


@pytest.fixture
def writer(api_client_for):
    return api_client_for("payments:write", "contacts:write", "tenancies:read", "accounts:read")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b"25.00 from RW000001", 415),
        ("application/x-www-form-urlencoded", b"amount=25.00", 415),
        ("application/json", b"{not json", 400),
        ("application/json", b'{"payments": [{"amount": NaN}]}', 400),
        ("application/json", b"[" * 100_000 + b"]" * 100_000, 400),  # nested past the parser's depth
        ("application/json", b'{"payments": [{"amount": 1e400}]}', 400),
        ("application/json", b'{"payments": [{"amount": ' + b"9" * 5000 + b"}]}", 400),
        ("application/json", b'{"payments": [{"payment_reference": "RW\\u0000001", "amount": "1.00"}]}', 400),
        (
            "application/json",
            '{"payments": [{"payment_reference": "\U0001f4a9\u202e", "amount": "1.00"}]}'.encode(),
            400,
        ),
        ("application/json", b"[1, 2, 3]", 400),
        ("application/json", b'"just a string"', 400),
        ("application/json", b"", 400),
    ],
)
def test_rubbish_bodies_are_4xx_problems(writer, content_type, body, status):
    response = writer.generic("POST", "/api/v1/payments/", body, content_type, HTTP_IDEMPOTENCY_KEY="rubbish-1")
    _problem(response, status)


@pytest.mark.django_db
def test_a_body_too_large_is_413(writer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = b'{"payments": [' + b",".join([b'{"payment_reference": "RW000001", "amount": "1.00"}'] * 30_000) + b"]}"
    response = writer.generic("POST", "/api/v1/payments/", body, "application/json", HTTP_IDEMPOTENCY_KEY="big-1")
    assert "1 MB" in _problem(response, 413)["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["k" * 256, "tab\there", "nul\x00", "   "], ids=["too-long", "control", "nul", "blank"])
def test_an_unusable_idempotency_key_is_400(writer, key):
    response = writer.post("/api/v1/payments/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    _problem(response, 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "page_size=0",
        "page_size=-1",
        "page_size=1001",
        "page_size=99999999999999999999999",
        "page_size=ten",
        "page_size=%00",
        "page_size=1&page_size=2",
        "cursor=not-a-cursor",
        "cursor=%00",
        "cursor=" + base64.b64encode(b"p=abc").decode(),
        "cursor=" + base64.b64encode(b"p=99999999999999999999999999").decode(),
        "cursor=" + base64.b64encode(b"o=-5").decode(),
        "cursor=%F0%9F%92%A9",
    ],
)
def test_rubbish_paging_is_400_on_every_list(writer, query, schema):
    lists = [
        path
        for path, method, op in _operations(schema)
        if method == "get"
        and "{" not in path
        and any(p["name"] == "cursor" for p in op.get("parameters", []))
        and op["x-required-scope"] in ("tenancies:read", "accounts:read")
    ]
    assert lists
    for path in lists:
        body = _problem(writer.get(f"{path}?{query}"), 400)
        assert body["errors"][0]["pointer"] in ("/page_size", "/cursor"), body


@pytest.mark.django_db
def test_a_page_size_and_the_cursor_it_gives_work(writer, schema):
    first = writer.get("/api/v1/tenancies/?page_size=1")
    assert first.status_code == 200, first.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/v1/nothing-here/", {}, 404),
        ("/api/v1/accounts/-1/", {}, 404),
        ("/api/v1/accounts/0.5/", {}, 404),
        ("/api/v1/accounts/99999999999999999999999999/", {}, 404),
        ("/api/v1/tenancies/%00/", {}, 404),
        ("/api/v1/tenancies/", {"HTTP_ACCEPT": "text/html"}, 406),
        ("/api/v1/tenancies/", {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="}, 401),
        ("/api/v1/tenancies/", {"HTTP_AUTHORIZATION": "Bearer"}, 401),
        ("/api/v1/tenancies/", {"HTTP_AUTHORIZATION": "Bearer rw_\xff\xfe"}, 401),
        ("/api/v1/tenancies/", {"HTTP_AUTHORIZATION": "Bearer " + "x" * 5000}, 401),
    ],
)
def test_rubbish_addresses_and_headers_are_4xx_problems(writer, path, headers, status):
    if "HTTP_AUTHORIZATION" in headers:
        writer = APIClient()  # the writer's own credentials would replace these
    response = writer.get(path, **headers)
    _problem(response, status)


@pytest.mark.django_db
def test_a_method_an_address_does_not_take_is_405_problem(writer):
    _problem(writer.put("/api/v1/payments/", {}, format="json"), 405)
    _problem(writer.delete("/api/v1/tenancies/"), 405)
