"""Login is required everywhere except sign-in, password reset and /healthz; each role sees exactly its areas."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from incomeapp.constants import Role
from tests.factories import user_with_role

# The only views a person may open without signing in.
PUBLIC_URL_NAMES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    # Providers' delivery reports and replies: no person signs in, a bearer token is checked (messaging/callbacks.py).
    "messaging:notify_receipts",
    "messaging:notify_replies",
    "messaging:sms_receipts",
    "messaging:sms_replies",
}

SAMPLE_VALUES = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "path": "sample/path",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _walk(patterns, prefix="", namespace=""):
    """Every URL pattern with a concrete example path built from its route."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or ''}", prefix + str(pattern.pattern), pattern.callback


def _example_path(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES[m.group(1) or "str"], route)
    # Regular-expression routes (Django admin): take the first alternative of each named group.
    route = re.sub(r"\(\?P<\w+>([^)|]*)(?:\|[^)]*)?\)", lambda m: m.group(1).replace(".+", "sample"), route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + route


ALL_PATTERNS = list(_walk(get_resolver().url_patterns))
# The REST API (docs/api.md) answers for itself: a key, not a sign-in; without one, a 401 problem (the documentation
# pages, for staff, need signing in like any page).
API_DOCUMENTATION = {"api:swagger", "api:redoc"}
API_PATTERNS = [p for p in ALL_PATTERNS if p[0].startswith("api:") and p[0] not in API_DOCUMENTATION]
# The admin site checks sign-in and role itself (its views opt out of the middleware); the HTTP test covers it.
NON_ADMIN_PATTERNS = [p for p in ALL_PATTERNS if not p[0].startswith("admin:")]
PROTECTED_PATTERNS = [p for p in ALL_PATTERNS if p[0] not in PUBLIC_URL_NAMES and p not in API_PATTERNS]


def _ids(patterns):
    return [f"{name}|{route}" for name, route, _ in patterns]


def test_the_walk_sees_the_whole_url_conf():
    names = {name for name, _, _ in ALL_PATTERNS}
    assert {"home", "healthz", "login", "arrears:index", "admin:index"} <= names
    assert len(ALL_PATTERNS) > 30  # the admin alone has dozens


@pytest.mark.parametrize(("name", "route", "callback"), NON_ADMIN_PATTERNS, ids=_ids(NON_ADMIN_PATTERNS))
def test_every_view_requires_login_unless_public(name, route, callback):
    requires_login = getattr(callback, "login_required", True)
    answers_for_itself = name in PUBLIC_URL_NAMES or (name, route, callback) in API_PATTERNS
    assert requires_login == (not answers_for_itself), f"{name} ({route})"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route", "callback"), API_PATTERNS, ids=_ids(API_PATTERNS))
def test_the_api_without_a_key_is_a_problem_not_a_page(client, name, route, callback):
    path = _example_path(route)
    for method in (client.get, client.post):
        response = method(path)
        assert response["Content-Type"].startswith("application/problem+json"), f"{path}: {response.status_code}"
        expected = 404 if name == "api:not_found" else 401
        assert response.status_code == expected, f"{path}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route", "callback"), PROTECTED_PATTERNS, ids=_ids(PROTECTED_PATTERNS))
def test_anonymous_requests_are_sent_to_sign_in(client, name, route, callback):
    path = _example_path(route)
    response = client.get(path, follow=True)
    assert response.redirect_chain, f"{path} answered {response.status_code} without redirecting"
    assert response.request["PATH_INFO"] == reverse("login"), f"{path} ended at {response.request['PATH_INFO']}"
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["login", "password_reset", "healthz"])
def test_public_pages_open_without_signing_in(client, name):
    assert client.get(reverse(name)).status_code == 200


EXPECTED_NAVIGATION = {
    Role.INCOME_OFFICER: ["Worklist", "Tenancies", "People", "Payments", "Legal", "Printing"],
    Role.SENIOR_INCOME_OFFICER: [
        "Worklist",
        "Tenancies",
        "People",
        "Payments",
        "Approvals",
        "Legal",
        "Dashboards",
        "Printing",
    ],
    Role.INCOME_MANAGER: [
        "Worklist",
        "Tenancies",
        "People",
        "Homes",
        "Payments",
        "Approvals",
        "Campaigns",
        "Legal",
        "Dashboards",
        "Letters",
        "Message templates",
        "Printing",
        "Complaints",
        "Personal data",
        "API clients",
    ],
    Role.SUPPORT_WORKER: ["Tenancies", "People"],
    Role.SYSTEM_ADMINISTRATOR: ["API clients", "Admin"],
}
AREA_URLS = {
    "Worklist": "/worklist/",
    "Tenancies": "/tenancies/",
    "People": "/people/",
    "Homes": "/homes/",
    "Payments": "/payments/",
    "Approvals": "/approvals/",
    "Campaigns": "/worklist/campaigns/",
    "Legal": "/legal/",
    "Dashboards": "/dashboards/",
    "Printing": "/documents/printing/",
    "Personal data": "/privacy/",
    "API clients": "/staff/api-clients/",
    "Admin": "/admin/",
}


def _navigation_labels(html: str) -> list[str]:
    nav = html.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    return re.findall(
        r'class="govuk-service-navigation__link" href="[^"]+"[^>]*>\s*(?:<strong[^>]*>)?([^<]+?)\s*<', nav
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_its_navigation(client, role):
    client.force_login(user_with_role(role))
    html = client.get("/").content.decode()
    assert _navigation_labels(html) == EXPECTED_NAVIGATION[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_its_areas_and_is_refused_the_rest(client, role):
    client.force_login(user_with_role(role))
    for area, url in AREA_URLS.items():
        status = client.get(url, follow=True).status_code
        if area in EXPECTED_NAVIGATION[role]:
            assert status == 200, f"{role.label} should open {area}"
        else:
            assert status == 403, f"{role.label} must not open {area} (got {status})"


@pytest.mark.django_db
def test_a_person_without_a_role_sees_no_navigation_and_is_told_why(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert 'id="navigation"' not in html
    assert "no role yet" in html


@pytest.mark.django_db
def test_forbidden_page_is_styled_and_says_what_to_do(client):
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    response = client.get("/worklist/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    assert "govuk-header" in response.content.decode()


@pytest.mark.django_db
def test_not_found_page_is_styled(client):
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-header" in html
    assert "Signed in as" not in html
