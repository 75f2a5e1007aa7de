"""`field__any=values` (incomeapp.lookups): the same rows as `__in`, sent to PostgreSQL as one array parameter."""

import pytest
from django.db import connection

from messaging.constants import SuppressionReason
from messaging.models import Suppression
from tenancies.models import Person
from tests.factories import PersonFactory, TenancyFactory


@pytest.fixture
def people():
    return [PersonFactory() for _ in range(4)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "wanted",
    [lambda ids: ids[:2], lambda ids: set(ids[1:]), lambda ids: (ids[0], ids[0], None), lambda ids: [ids[3] + 1000]],
    ids=["list", "set", "repeats and None", "none exist"],
)
def test_any_finds_the_rows_in_finds(people, wanted):
    ids = sorted(person.pk for person in people)
    chosen = wanted(ids)

    found = set(Person.objects.filter(pk__any=chosen).values_list("pk", flat=True))

    assert found == set(Person.objects.filter(pk__in=chosen).values_list("pk", flat=True))
    assert found == {pk for pk in chosen if pk in ids}


@pytest.mark.django_db
def test_any_with_nothing_finds_nothing_and_takes_a_subquery_foreign_keys_and_text(people):
    tenancy = TenancyFactory()
    Suppression.objects.create(address="07700900001", reason=SuppressionReason.OPTED_OUT)

    assert not Person.objects.filter(pk__any=[]).exists()
    assert set(Person.objects.filter(pk__any=Person.objects.filter(pk=people[0].pk).values("pk"))) == {people[0]}
    assert list(tenancy.accounts.filter(tenancy__any={tenancy.pk})) == list(tenancy.accounts.all())
    assert list(tenancy.accounts.filter(tenancy__any=[tenancy])) == list(tenancy.accounts.all())
    assert list(
        Suppression.objects.filter(address__any={"07700900001", "nobody"}).values_list("address", flat=True)
    ) == ["07700900001"]


@pytest.mark.django_db
def test_on_postgresql_any_is_one_parameter_however_many_values(people):
    if connection.vendor != "postgresql":
        pytest.skip("elsewhere `__any` is `__in`")
    sql, params = Person.objects.filter(pk__any=set(range(10_000))).values("pk").query.sql_with_params()

    assert "= ANY(" in sql and len(params) == 1
