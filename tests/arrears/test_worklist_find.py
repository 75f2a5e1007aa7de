"""Finding a case (issue 22, item 1): the worklist shows each case's tenant, stage, last contact, balance, recommended
action and officer, sorts by any column in the query, filters with plain labels and searches by name, payment
reference or address; the header search finds tenancies, people and cases in the person's scope; every page about a
tenancy reaches its case through /worklist/tenancies/<ref>/case/."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.constants import CaseStatus, ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact
from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import StaffScope
from tests.factories import PatchFactory, PersonFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

# (reference, first name, last name, street, owed, officer key)
ROWS = [
    ("RW300001", "Ada", "Zephyr", "1 Acacia Avenue", "450.00", "olu"),
    ("RW300002", "Bob", "Young", "2 Birch Road", "150.00", "ann"),
    ("RW300003", "Cy", "Xavier", "3 Cedar Lane", "300.00", "olu"),
]


@pytest.fixture
def world(law):
    """Three cases: Zephyr owes most and got a friendly reminder 10 days ago; Young had a call 3 days ago; Xavier has
    a notice served and no contact. Olu has two cases, Ann one."""
    policies_install_shipped()
    officers = {
        "olu": user_with_role(Role.INCOME_OFFICER, username="olu", first_name="Olu", last_name="Officer"),
        "ann": user_with_role(Role.INCOME_OFFICER, username="ann", first_name="Ann", last_name="Aardvark"),
    }
    patches = {
        key: PatchFactory(officer=officer, name=f"{officer.first_name}'s patch") for key, officer in officers.items()
    }
    today = timezone.localdate()
    cases = {}
    for reference, first, last, street, owed, officer_key in ROWS:
        tenancy = TenancyFactory(
            payment_reference=reference,
            property=PropertyFactory(patch=patches[officer_key], address_line_1=street, postcode="ZZ1 1ZZ"),
            lead_tenant=PersonFactory(first_name=first, last_name=last),
        )
        account = account_get_or_create(tenancy=tenancy)
        transactions_post(
            postings=[
                Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(owed), today - timedelta(days=20), reference)
            ]
        )
    review_run(as_of=today)
    for reference, *_ in ROWS:
        cases[reference] = ArrearsCase.objects.get(account__tenancy__payment_reference=reference)
    Contact.objects.create(
        case=cases["RW300001"],
        kind=ContactKind.LETTER,
        code="reminder_1",
        outcome=ContactOutcome.SENT,
        occurred_on=today - timedelta(days=10),
    )
    Contact.objects.create(
        case=cases["RW300002"],
        kind=ContactKind.CALL,
        outcome=ContactOutcome.SPOKE,
        occurred_on=today - timedelta(days=3),
    )
    ArrearsCase.objects.filter(pk=cases["RW300003"].pk).update(nosp_served_on=today - timedelta(days=30))
    review_run(as_of=today, account_ids=[case.account_id for case in cases.values()], scope="test")
    return {"officers": officers, "cases": cases, "today": today, "patches": patches}


@pytest.fixture
def manager(world):
    return user_with_role(Role.INCOME_MANAGER, username="manager")


def _references(html: str) -> list[str]:
    """The payment references in the worklist's rows, in order; none when the page has no rows to show."""
    if '<tbody class="govuk-table__body">' not in html:
        return []
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"RW30000\d", body)


def _get(client, **params):
    params = {"tab": "patch", "officer": "", **params}
    response = client.get("/worklist/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_row_shows_tenant_stage_last_contact_balance_action_and_officer(client, world, manager):
    client.force_login(manager)
    html = _get(client)
    for heading in ("Tenant", "Stage", "Last contact", "Balance", "Recommended action", "Officer", "Priority"):
        assert re.search(rf'aria-sort="[a-z]+"><a class="govuk-link[^"]*" href="[^"]+">{heading}', html), heading
    row = html.split("RW300001", 1)[0].rsplit("<tr", 1)[1] + html.split("RW300001", 1)[1].split("</tr>", 1)[0]
    assert "Ada Zephyr" in row
    assert "Friendly reminder sent" in row
    assert (world["today"] - timedelta(days=10)).strftime("%-d %B %Y") in row
    assert "£450.00" in row
    assert "Olu Officer" in row
    xavier = html.split("RW300003", 1)[1].split("</tr>", 1)[0]
    assert "Notice served" in xavier and ">None<" in xavier  # no contact recorded


@pytest.mark.parametrize(
    ("sort", "ascending_order"),
    [
        ("tenant", ["RW300003", "RW300002", "RW300001"]),  # Xavier, Young, Zephyr: by last name
        ("stage", ["RW300002", "RW300001", "RW300003"]),  # no letter, friendly reminder, notice served
        ("last_contact", ["RW300001", "RW300002", "RW300003"]),  # 10 days ago, 3 days ago, never (always last)
        ("balance", ["RW300002", "RW300003", "RW300001"]),
        ("officer", ["RW300002", "RW300001", "RW300003"]),  # Ann, then Olu's two by priority
    ],
)
def test_every_column_sorts_both_ways_in_the_query(client, world, manager, sort, ascending_order):
    client.force_login(manager)
    html = _get(client, sort=sort, dir="ascending")
    assert _references(html) == ascending_order
    assert re.search(rf'aria-sort="ascending"><a [^>]*href="\?[^"]*sort={sort}&amp;dir=descending', html)
    descending = _references(_get(client, sort=sort, dir="descending"))
    if sort == "last_contact":  # a case never contacted stays at the end both ways
        assert descending == ["RW300002", "RW300001", "RW300003"]
    elif sort == "officer":  # Olu's two keep the priority order among themselves
        assert descending == ["RW300001", "RW300003", "RW300002"]
    else:
        assert descending == list(reversed(ascending_order))


def test_action_and_priority_sort_both_ways(client, world, manager):
    client.force_login(manager)
    by_priority = _references(_get(client))
    assert _references(_get(client, sort="priority", dir="ascending")) == list(reversed(by_priority))
    labels = {
        ref: ArrearsCase.objects.get(account__tenancy__payment_reference=ref).latest_recommendation.label
        for ref in by_priority
    }
    up = _references(_get(client, sort="action", dir="ascending"))
    assert [labels[ref] for ref in up] == sorted(labels[ref] for ref in up)
    down = _references(_get(client, sort="action", dir="descending"))
    assert [labels[ref] for ref in down] == sorted((labels[ref] for ref in down), reverse=True)


def test_sort_links_keep_the_filters_and_search(client, world, manager):
    client.force_login(manager)
    patch = world["patches"]["olu"]
    html = _get(client, q="Acacia", patch=patch.pk)
    link = re.search(r'aria-sort="none"><a [^>]*href="\?([^"]+)">Balance', html).group(1)
    assert f"patch={patch.pk}" in link and "q=Acacia" in link and "tab=patch" in link
    assert "sort=balance&amp;dir=ascending" in link


def test_the_rows_and_count_are_two_queries_whatever_the_sort(client, world, manager):
    client.force_login(manager)
    totals = set()
    for sort in ("priority", "tenant", "stage", "last_contact", "balance", "action", "officer"):
        with CaptureQueriesContext(connection) as queries:
            _get(client, sort=sort, q="ZZ1")
        sqls = [q["sql"] for q in queries]
        counts = [sql for sql in sqls if sql.startswith("SELECT COUNT(*)") and 'FROM "arrears_arrearscase"' in sql]
        rows = [sql for sql in sqls if sql.startswith('SELECT "arrears_arrearscase"."id"') and " LIMIT " in sql]
        assert (len(counts), len(rows)) == (1, 1), sort
        totals.add(len(sqls))
    assert len(totals) == 1  # no sort adds a query (none per row)


def test_filters_have_plain_labels_and_no_internal_keys(client, world, manager):
    client.force_login(manager)
    html = _get(client)
    assert "send_reminder_1" not in re.sub(r'value="[^"]*"', "", html)  # only ever an option's value, never shown
    action_select = html.split('id="action" name="action">', 1)[1].split("</select>", 1)[0]
    labels = re.findall(r">([^<]+)</option>", action_select)
    assert "Any recommended action" in labels
    assert "Call or visit before: Send a friendly reminder and offer help" in labels
    assert all("_" not in label for label in labels)
    stage_select = html.split('id="stage" name="stage">', 1)[1].split("</select>", 1)[0]
    assert "Friendly reminder sent" in stage_select and "Notice served" in stage_select
    assert "its key" not in html


def test_filter_by_stage_and_by_recommended_action(client, world, manager):
    client.force_login(manager)
    html = _get(client, stage="notice")
    assert _references(html) == ["RW300003"]
    assert "Showing cases with Stage: Notice served." in html
    action = world["cases"]["RW300002"].latest_recommendation
    action.refresh_from_db()
    html = _get(client, action=ArrearsCase.objects.get(pk=world["cases"]["RW300002"].pk).latest_recommendation.action)
    assert "RW300002" in _references(html)
    assert "Recommended action: " in html


def test_a_case_with_no_letter_yet_is_at_no_letter_sent_yet_and_another_letter_is_other_letter_sent(
    client, world, manager
):
    """The newest recommendation's facts hold `last_stage_code` as a JSON null until a letter with a stage code is
    sent: that case is "No letter sent yet" on every database (SQLite reads a JSON null's text as 'null')."""
    client.force_login(manager)
    assert _references(_get(client, stage="none")) == ["RW300002"]
    assert _references(_get(client, stage="other-step")) == []
    # A letter outside the named stages (a landlord's own step), as the newest review recorded it.
    recommendation = ArrearsCase.objects.get(pk=world["cases"]["RW300002"].pk).latest_recommendation
    recommendation.facts = {**recommendation.facts, "last_stage_code": "welfare_visit_letter"}
    recommendation.save(update_fields=["facts"])
    assert _references(_get(client, stage="other-step")) == ["RW300002"]
    assert _references(_get(client, stage="none")) == []
    assert "Other letter sent" in _get(client).split("RW300002", 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zephyr", ["RW300001"]),  # a last name, any case
        ("Bob Young", ["RW300002"]),  # every word must match
        ("RW300003", ["RW300003"]),  # a payment reference
        ("Birch", ["RW300002"]),  # an address
        ("ZZ1 1ZZ", ["RW300001", "RW300002", "RW300003"]),  # a postcode: all three
        ("nobody-here", []),
    ],
)
def test_search_by_name_reference_or_address(client, world, manager, query, found):
    client.force_login(manager)
    html = _get(client, q=query)
    if found:
        assert sorted(_references(html)) == found
    else:
        assert "No cases in whole patch match the search and filters" in html


def test_reassign_moves_exactly_the_cases_the_search_shows(client, world):
    client.force_login(user_with_role(Role.INCOME_MANAGER, username="boss"))
    ann = world["officers"]["ann"]
    response = client.post("/worklist/reassign/", {"query": "tab=patch&officer=&q=Zephyr", "to_officer": ann.pk})
    assert response.status_code == 302
    assert set(
        ArrearsCase.objects.filter(officer=ann).values_list("account__tenancy__payment_reference", flat=True)
    ) == {
        "RW300001",
        "RW300002",
    }


# ---- the header search ------------------------------------------------------------------------------------------


def test_the_header_search_box_is_on_every_page_for_signed_in_people_only(client, world, manager):
    assert 'id="header-search"' not in client.get("/account/sign-in/").content.decode()
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'id="header-search"' in html


def test_header_search_groups_tenancies_people_and_cases(client, world, manager):
    client.force_login(manager)
    html = client.get("/search/", {"q": "Zephyr"}).content.decode()
    assert "Search results for “Zephyr”" in html
    tenancies = html.split('id="results-tenancies"', 1)[1].split('id="results-people"', 1)[0]
    people = html.split('id="results-people"', 1)[1].split('id="results-cases"', 1)[0]
    cases = html.split('id="results-cases"', 1)[1]
    assert 'href="/tenancies/RW300001/"' in tenancies
    person = world["cases"]["RW300001"].account.tenancy.tenancy_tenants.get().person
    assert f'href="/people/{person.pk}/"' in people and "Ada Zephyr" in people
    assert f'href="/worklist/cases/{world["cases"]["RW300001"].pk}/"' in cases and "Friendly reminder sent" in cases
    assert "RW300002" not in html


def test_header_search_finds_a_closed_case_and_says_it_is_closed(client, world, manager):
    ArrearsCase.objects.filter(pk=world["cases"]["RW300002"].pk).update(status=CaseStatus.CLOSED)
    client.force_login(manager)
    cases = client.get("/search/", {"q": "Birch"}).content.decode().split('id="results-cases"', 1)[1]
    assert f"/worklist/cases/{world['cases']['RW300002'].pk}/" in cases and "Closed" in cases


def test_header_search_keeps_to_the_persons_scope(client, world):
    scoped_officer = user_with_role(Role.INCOME_OFFICER, username="scoped")
    StaffScope.objects.create(user=scoped_officer, patch=world["patches"]["ann"])
    client.force_login(scoped_officer)
    html = client.get("/search/", {"q": "ZZ1"}).content.decode()
    assert "RW300002" in html  # Ann's patch
    assert "RW300001" not in html and "RW300003" not in html and "Zephyr" not in html and "Xavier" not in html
    assert "RW300001" not in client.get("/worklist/", {"tab": "patch", "officer": "", "q": "ZZ1"}).content.decode()


def test_header_search_with_nothing_typed_asks_for_something(client, world, manager):
    client.force_login(manager)
    html = client.get("/search/").content.decode()
    assert "Enter a name, a payment reference or an address" in html


def test_header_search_needs_sign_in(client, world):
    response = client.get("/search/", {"q": "Zephyr"})
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


# ---- from a tenancy to its case ------------------------------------------------------------------------------------


def test_tenancy_case_redirects_to_the_open_case(client, world, manager):
    client.force_login(manager)
    response = client.get("/worklist/tenancies/RW300001/case/")
    assert response.status_code == 302
    assert response["Location"] == f"/worklist/cases/{world['cases']['RW300001'].pk}/"


def test_tenancy_case_goes_to_the_latest_closed_case_when_none_is_open(client, world, manager):
    case = world["cases"]["RW300002"]
    ArrearsCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=world["today"])
    client.force_login(manager)
    assert client.get("/worklist/tenancies/rw300002/case/")["Location"] == f"/worklist/cases/{case.pk}/"


def test_tenancy_case_without_a_case_goes_back_to_the_tenancy_saying_so(client, world, manager):
    TenancyFactory(payment_reference="RW300009")
    client.force_login(manager)
    response = client.get("/worklist/tenancies/RW300009/case/", follow=True)
    assert response.redirect_chain[-1][0] == "/tenancies/RW300009/"
    assert "There is no arrears case for this tenancy" in response.content.decode()


def test_tenancy_case_out_of_scope_is_not_found(client, world):
    scoped_officer = user_with_role(Role.INCOME_OFFICER, username="scoped2")
    StaffScope.objects.create(user=scoped_officer, patch=world["patches"]["ann"])
    client.force_login(scoped_officer)
    assert client.get("/worklist/tenancies/RW300001/case/").status_code == 404
    assert client.get("/worklist/tenancies/RW399999/case/").status_code == 404
    assert client.get("/worklist/tenancies/RW300002/case/").status_code == 302


def test_the_tenancy_and_account_pages_link_to_the_case(client, world, manager):
    client.force_login(manager)
    for url in ("/tenancies/RW300001/", "/tenancies/RW300001/account/"):
        html = client.get(url).content.decode()
        assert 'href="/worklist/tenancies/RW300001/case/"' in html, url
