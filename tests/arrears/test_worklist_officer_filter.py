"""The worklist's officer filter lists each person with an open case once, and finds them without reading every open
case (at 250,000 tenancies a join with DISTINCT over the open cases cost 55-170 ms of every worklist page; docs/
benchmarks.md, "Load")."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.models import ArrearsCase
from arrears.selectors import officers_with_open_cases
from incomeapp.constants import Role
from rentaccounts.services import account_get_or_create
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


def _case(officer, status="open"):
    account = account_get_or_create(tenancy=TenancyFactory())
    closed_on = None if status == "open" else date(2026, 1, 5)
    return ArrearsCase.objects.create(
        account=account, officer=officer, status=status, opened_on=date(2026, 1, 5), closed_on=closed_on
    )


@pytest.fixture
def officers():
    busy = user_with_role(Role.INCOME_OFFICER, username="busy", first_name="Bea")
    quiet = user_with_role(Role.INCOME_OFFICER, username="quiet", first_name="Abe")
    finished = user_with_role(Role.INCOME_OFFICER, username="finished", first_name="Cal")
    for _ in range(3):
        _case(busy)
    _case(quiet)
    _case(finished, status="closed")
    return busy, quiet, finished


def test_each_officer_with_an_open_case_is_listed_once_in_name_order(officers):
    busy, quiet, _ = officers
    assert list(officers_with_open_cases()) == [quiet, busy]


def test_the_worklist_finds_the_officers_without_a_distinct_join_over_open_cases(client, officers):
    busy, quiet, _ = officers
    client.force_login(busy)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/worklist/").content.decode()
    choices = re.findall(r'<option value="(\w*)"', html.split('name="officer">', 1)[1].split("</select>", 1)[0])
    assert choices == ["me", "", str(quiet.pk), str(busy.pk)]
    user_queries = [q["sql"] for q in queries if q["sql"].lstrip().startswith(('SELECT DISTINCT "incomeapp_user"',))]
    assert user_queries == [], "the officer filter joins every open case and removes the duplicates"
