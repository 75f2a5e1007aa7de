import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.roles import ROLE_PERMISSIONS
from tests.factories import TEST_PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password):
    return client.post("/account/sign-in/", {"username": username, "password": password})


def test_sign_in_and_out(client):
    user = user_with_role(Role.INCOME_OFFICER)
    response = _sign_in(client, user.username, TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Signed in as" in client.get("/").content.decode()
    assert client.post("/account/sign-out/").status_code == 302
    assert client.get("/").status_code == 302  # back to sign-in


@pytest.mark.parametrize("url", ["/account/sign-in/", "/account/password/reset/"])
def test_each_form_page_has_exactly_one_form_and_one_csrf_token(client, url):
    html = client.get(url).content.decode()
    assert html.count("<form") == 1
    assert html.count('name="csrfmiddlewaretoken"') == 1


def test_a_wrong_password_is_explained_in_the_error_summary(client):
    user = UserFactory()
    html = _sign_in(client, user.username, "wrong").content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert "<title>Error: Sign in" in html


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_sign_ins_lock_the_account_for_that_address(client):
    user = UserFactory()
    for _ in range(2):
        assert _sign_in(client, user.username, "wrong").status_code == 200
    locked = _sign_in(client, user.username, "wrong")
    assert locked.status_code == 429
    assert "Sign-in is locked" in locked.content.decode()
    # Even the right password is refused while locked.
    assert _sign_in(client, user.username, TEST_PASSWORD).status_code == 429


def test_password_reset_by_email_link(client):
    user = UserFactory(email="olivia@example.org")
    response = client.post("/account/password/reset/", {"email": "olivia@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a-much-longer-new-passphrase"
    done = client.post(form_page.request["PATH_INFO"], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_change_enforces_the_length_rule(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/account/password/change/",
        {"old_password": TEST_PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_setup_roles_is_idempotent_and_exact(db):
    call_command("setup_roles", verbosity=0)
    officer = Group.objects.get(name=Role.INCOME_OFFICER.value)
    officer.permissions.clear()  # someone edits a role by hand...
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)
    assert Group.objects.filter(name__in=[r.value for r in Role]).count() == len(Role)
    for role, expected in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        actual = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert actual == expected, role


def test_setup_roles_takes_away_a_permission_added_by_hand_and_leaves_other_groups_alone(db):
    call_command("setup_roles", verbosity=0)
    officer = Group.objects.get(name=Role.INCOME_OFFICER.value)
    extra = Permission.objects.get(content_type__app_label="incomeapp", codename="delete_user")
    officer.permissions.add(extra)
    own = Group.objects.create(name="Our own group")
    own.permissions.add(extra)
    call_command("setup_roles", verbosity=0)
    assert not officer.permissions.filter(pk=extra.pk).exists()
    assert list(own.permissions.all()) == [extra]


def test_setup_roles_refuses_a_permission_name_that_matches_none(db, monkeypatch):
    call_command("setup_roles", verbosity=0)
    before = set(Group.objects.get(name=Role.INCOME_OFFICER.value).permissions.values_list("pk", flat=True))
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.INCOME_OFFICER, {"arrears.view_arrearscase", "arrears.fly_to_the_moon"})
    with pytest.raises(Permission.DoesNotExist, match=r"No such permission: arrears\.fly_to_the_moon\."):
        call_command("setup_roles", verbosity=0)
    after = set(Group.objects.get(name=Role.INCOME_OFFICER.value).permissions.values_list("pk", flat=True))
    assert after == before and len(before) > 2  # nothing changed


def test_demo_users_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    call_command("setup_roles", verbosity=0)
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("create_demo_users")
    assert not User.objects.exists()


def test_demo_users_one_per_role_a_second_manager_and_repeatable(settings, capsys):
    settings.DEBUG = True
    call_command("setup_roles", verbosity=0)
    call_command("create_demo_users")
    call_command("create_demo_users")
    output = capsys.readouterr().out
    assert "officer" in output and "rentwise-demo" in output
    # One of each role, and a second manager so a demo can show maker and checker (a rent change run).
    assert User.objects.count() == len(Role) + 1
    for role in Role:
        assert User.objects.filter(groups__name=role.value).count() == (2 if role == Role.INCOME_MANAGER else 1)
    officer = User.objects.get(username="officer")
    assert officer.check_password("rentwise-demo")
    assert User.objects.get(username="manager").delegated_authority_limit == Decimal("5000.00")


def test_an_administrator_cannot_raise_their_own_authority(client):
    admin_user = user_with_role(Role.SYSTEM_ADMINISTRATOR)
    client.force_login(admin_user)
    page = client.get(f"/admin/incomeapp/user/{admin_user.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="delegated_authority_limit"' not in html
    assert 'name="groups"' not in html
    other = user_with_role(Role.INCOME_OFFICER)
    other_page = client.get(f"/admin/incomeapp/user/{other.pk}/change/").content.decode()
    # Nor anyone else's here: roles and limits change on the staff pages, where a second administrator approves.
    assert 'name="delegated_authority_limit"' not in other_page and 'name="groups"' not in other_page


def test_changes_to_staff_accounts_keep_history(db):
    user = UserFactory(delegated_authority_limit=Decimal("100.00"))
    user.delegated_authority_limit = Decimal("250.00")
    user.save()
    limits = [h.delegated_authority_limit for h in user.history.order_by("history_date")]
    assert limits == [Decimal("100.00"), Decimal("250.00")]
