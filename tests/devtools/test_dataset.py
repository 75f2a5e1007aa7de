"""The benchmark dataset follows the product's rules: its records come in through the onboarding import (so loading
its files again changes nothing), its ledger has the keys the rent run recognises, and its balances reconcile."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from devtools.dataset import LONG_HISTORY_REFERENCE, long_history_tenancy_ensure
from lifecycle.constants import LoadStatus
from lifecycle.onboarding.services import onboarding_load
from rentaccounts.charging import monday_of
from rentaccounts.models import Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import rent_debits_post
from tenancies.constants import TenancyEventKind
from tenancies.models import Person, Property, Tenancy, TenancyEvent

pytestmark = pytest.mark.django_db


def test_generated_dataset_reconciles_and_meets_the_rent_run(tmp_path):
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="needs PostgreSQL"):
            call_command("generate_dataset", tenancies=10, years=1)
        return
    files = tmp_path / "files"
    call_command("generate_dataset", tenancies=50, years=1, files=str(files))
    assert Tenancy.objects.filter(payment_reference__startswith="DS").count() == 50
    assert balance_differences() == []
    this_week = monday_of(timezone.localdate())
    assert rent_debits_post(week_commencing=this_week - timedelta(days=7)).posted_count == 0
    assert rent_debits_post(week_commencing=this_week).posted_count == 100  # rent and service charge each
    with pytest.raises(CommandError, match="already holds a generated dataset"):
        call_command("generate_dataset", tenancies=50, years=1)

    # Through the front door: each tenancy recorded as loaded, with history rows, keyed by its source reference.
    assert TenancyEvent.objects.filter(kind=TenancyEventKind.LOADED).count() == 50
    assert Person.history.filter(history_type="+").count() == Person.objects.count() == 50
    first = Tenancy.objects.get(payment_reference="DS00000001")
    assert (first.source_reference, first.property.source_reference) == ("DST00000001", "DSH00000001")
    assert first.charges.count() == 2
    assert str(first.charges.get(charge_type="rent").amount) == "81.50"  # 80 + 1 % 60 + 0.50
    assert str(first.charges.get(charge_type="eligible_service").amount) == "6.25"  # 5 + 1 % 15 + 0.25
    # The kept files, loaded again (a check): every row unchanged.
    report = onboarding_load(by=None, path=files, dry_run=True, re_review=False)
    assert report.status == LoadStatus.CHECKED
    assert {kind: counts["created"] + counts["updated"] for kind, counts in report.counts.items()} == dict.fromkeys(
        report.counts, 0
    )
    assert report.counts["tenancies"]["unchanged"] == 50

    # The account-page benchmark's tenancy: its own home, ten years of history, signed up through the front door.
    rows = Transaction.objects.count()
    assert long_history_tenancy_ensure(today=timezone.localdate()) == LONG_HISTORY_REFERENCE
    long = Tenancy.objects.get(payment_reference=LONG_HISTORY_REFERENCE)
    assert Property.objects.filter(tenancies=long).count() == 1 and long.property.tenancies.count() == 1
    assert TenancyEvent.objects.filter(tenancy=long, kind=TenancyEventKind.SIGN_UP).exists()
    assert Transaction.objects.count() == rows + 1040
    assert long_history_tenancy_ensure(today=timezone.localdate()) == LONG_HISTORY_REFERENCE
    assert Transaction.objects.count() == rows + 1040
    assert balance_differences() == []
