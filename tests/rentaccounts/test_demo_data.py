from datetime import date

import pytest
from django.core.management import call_command

from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.demo import demo_seed
from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import balance_differences
from tenancies.constants import TenancyStatus
from tenancies.models import RentFreeWeek, Scheme, Tenancy, TenancyTenant

pytestmark = pytest.mark.django_db


def test_demo_data_is_varied_realistic_and_loaded_once(capsys):
    made = demo_seed(tenancies=60, today=date(2026, 11, 24))
    assert made["tenancies"] == 60
    assert Scheme.objects.count() == 5
    assert len(set(Tenancy.objects.values_list("tenure_type", flat=True))) >= 5
    assert TenancyTenant.objects.filter(is_lead=False).exists(), "some joint tenancies"
    assert RentFreeWeek.objects.filter(week_commencing=date(2026, 12, 21)).exists()
    kinds = set(Transaction.objects.values_list("transaction_type", flat=True))
    assert {TransactionType.RENT_DEBIT, TransactionType.HOUSING_BENEFIT, TransactionType.UC_MANAGED_PAYMENT} <= kinds
    rent = Account.objects.filter(kind=AccountKind.RENT)
    assert rent.filter(balance__lt=0).exists(), "some in credit"
    assert rent.filter(balance__gt=0).exists(), "some in arrears"
    assert rent.filter(tenancy__status=TenancyStatus.FORMER, balance__gt=0).exists(), "former tenants owing"
    assert balance_differences() == []

    count = Transaction.objects.count()
    call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert Transaction.objects.count() == count
