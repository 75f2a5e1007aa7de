"""The benchmark dataset follows the product's rules: keys the rent run recognises, balances that reconcile."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from rentaccounts.charging import monday_of
from rentaccounts.selectors import balance_differences
from rentaccounts.services import rent_debits_post
from tenancies.models import Tenancy

pytestmark = pytest.mark.django_db


def test_generated_dataset_reconciles_and_meets_the_rent_run():
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="needs PostgreSQL"):
            call_command("generate_dataset", tenancies=10, years=1)
        return
    call_command("generate_dataset", tenancies=50, years=1)
    assert Tenancy.objects.filter(payment_reference__startswith="DS").count() == 50
    assert balance_differences() == []
    this_week = monday_of(timezone.localdate())
    assert rent_debits_post(week_commencing=this_week - timedelta(days=7)).posted_count == 0
    assert rent_debits_post(week_commencing=this_week).posted_count == 100  # rent and service charge each
    with pytest.raises(CommandError, match="already holds a generated dataset"):
        call_command("generate_dataset", tenancies=50, years=1)
