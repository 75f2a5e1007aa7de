"""A System Administrator scopes a member of staff to landlords, schemes or patches on the staff page in Admin; each
change is kept in the scope's history with who made it; nobody changes what they themselves see."""

import pytest

from incomeapp.constants import Role
from tenancies.models import StaffScope
from tenancies.scoping import scope_forget, tenancies_visible_to
from tests.factories import SchemeFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


def _staff_page_post(user, **scope_rows) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": "",
        "phone": "",
        "is_active": "on",
        "tenancy_scopes-TOTAL_FORMS": str(len(scope_rows)),
        "tenancy_scopes-INITIAL_FORMS": "0",
        "tenancy_scopes-MIN_NUM_FORMS": "0",
        "tenancy_scopes-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for n, (kind, record) in enumerate(scope_rows.items()):
        data |= {f"tenancy_scopes-{n}-{field}": "" for field in ("provider", "scheme", "patch")}
        data[f"tenancy_scopes-{n}-{kind}"] = str(record.pk)
    return data


def test_an_administrator_scopes_a_support_worker_to_a_scheme_with_history(client):
    admin = user_with_role(Role.SYSTEM_ADMINISTRATOR)
    worker = user_with_role(Role.SUPPORT_WORKER)
    alder = SchemeFactory(name="Alder Court")
    TenancyFactory(payment_reference="RW100001", property__scheme=alder)
    TenancyFactory(payment_reference="RW200002")
    assert not tenancies_visible_to(worker).exists()  # no scope yet: a support worker sees nothing

    client.force_login(admin)
    page = client.get(f"/admin/incomeapp/user/{worker.pk}/change/").content.decode()
    assert "Tenancies seen" in page
    response = client.post(f"/admin/incomeapp/user/{worker.pk}/change/", _staff_page_post(worker, scheme=alder))
    assert response.status_code == 302, response.content.decode()[:2000]

    scope = StaffScope.objects.get(user=worker)
    assert scope.scheme == alder
    assert scope.history.get().history_user == admin
    scope_forget(worker)  # the scope is read once per user object (once per request)
    assert list(tenancies_visible_to(worker).values_list("payment_reference", flat=True)) == ["RW100001"]


def test_nobody_changes_what_they_themselves_see(client):
    admin = user_with_role(Role.SYSTEM_ADMINISTRATOR)
    client.force_login(admin)
    response = client.post(f"/admin/incomeapp/user/{admin.pk}/change/", _staff_page_post(admin, scheme=SchemeFactory()))
    assert not StaffScope.objects.filter(user=admin).exists()
    assert response.status_code in (200, 302)


def test_a_scope_names_exactly_one_landlord_scheme_or_patch(client):
    from django.db import IntegrityError, transaction

    worker = user_with_role(Role.SUPPORT_WORKER)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffScope.objects.create(user=worker)
    scheme = SchemeFactory()
    StaffScope.objects.create(user=worker, scheme=scheme)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffScope.objects.create(user=worker, scheme=scheme)
