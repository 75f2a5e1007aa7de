"""No one alone gives a person the power to move money: roles, a higher delegated authority limit, a new email address
or a password reset for someone who can move money (or vouch for staff changes) wait for a second administrator or an
Income Manager; taking power away is made at once; every change is kept and shown."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from incomeapp.constants import Role, StaffChangeKind, StaffChangeState
from incomeapp.models import StaffChangeRequest
from incomeapp.staff_changes import (
    holds_guarded_power,
    staff_authority_limit_change,
    staff_change_approve,
    staff_change_refuse,
    staff_change_withdraw,
    staff_email_change,
    staff_password_reset,
    staff_roles_change,
)
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "admin": user_with_role(Role.SYSTEM_ADMINISTRATOR, first_name="Ada", last_name="Admin"),
        "second_admin": user_with_role(Role.SYSTEM_ADMINISTRATOR, first_name="Ben", last_name="Second"),
        "manager": user_with_role(Role.INCOME_MANAGER, delegated_authority_limit=Decimal("5000.00")),
        "officer": user_with_role(Role.INCOME_OFFICER, email="olu@example.org"),
        "support": user_with_role(Role.SUPPORT_WORKER, email="sam@example.org"),
    }


def _roles(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_a_role_that_moves_money_waits_for_a_second_administrator(people):
    support = people["support"]
    assert not holds_guarded_power(support)
    change = staff_roles_change(
        by=people["admin"],
        target=support,
        roles=[Role.SUPPORT_WORKER, Role.SENIOR_INCOME_OFFICER],
        reason="Promoted to senior officer",
    )
    assert (change.state, change.needs_approval) == (StaffChangeState.PENDING, True)
    assert _roles(support) == [Role.SUPPORT_WORKER.value]  # nothing given yet

    with pytest.raises(PermissionDenied, match="You asked for this change"):
        staff_change_approve(change=change, by=people["admin"], reason="Mine")
    with pytest.raises(PermissionDenied, match="permission to decide staff changes"):
        staff_change_approve(change=change, by=people["officer"], reason="Looks fine")
    assert _roles(support) == [Role.SUPPORT_WORKER.value]

    staff_change_approve(change=change, by=people["second_admin"], reason="Confirmed with HR")
    change.refresh_from_db()
    assert (change.state, change.decided_by, change.decision_reason) == (
        StaffChangeState.APPROVED,
        people["second_admin"],
        "Confirmed with HR",
    )
    assert change.made_at is not None
    assert _roles(support) == [Role.SUPPORT_WORKER.value, Role.SENIOR_INCOME_OFFICER.value]
    assert holds_guarded_power(support)
    # Every state it passed through is kept.
    assert [h.state for h in change.history.order_by("history_date", "history_id")] == ["pending", "approved"]


def test_an_income_manager_may_approve_but_never_a_change_to_their_own_account(people):
    manager = people["manager"]
    raise_own = staff_authority_limit_change(
        by=people["admin"], target=manager, limit=Decimal("20000.00"), reason="Covering the head of income"
    )
    assert raise_own.state == StaffChangeState.PENDING
    with pytest.raises(PermissionDenied, match="your own account"):
        staff_change_approve(change=raise_own, by=manager, reason="Agreed")
    manager.refresh_from_db()
    assert manager.delegated_authority_limit == Decimal("5000.00")

    officer_grant = staff_roles_change(
        by=people["admin"],
        target=people["officer"],
        roles=[Role.INCOME_OFFICER, Role.SENIOR_INCOME_OFFICER],
        reason="Acting up",
    )
    staff_change_approve(change=officer_grant, by=manager, reason="I manage Olu")
    assert Role.SENIOR_INCOME_OFFICER.value in _roles(people["officer"])


def test_taking_power_away_is_made_at_once_and_a_grant_asked_before_it_cannot_then_be_approved(people):
    officer = people["officer"]
    grant = staff_roles_change(
        by=people["admin"], target=officer, roles=[Role.INCOME_OFFICER, Role.INCOME_MANAGER], reason="Promotion"
    )
    removal = staff_roles_change(by=people["second_admin"], target=officer, roles=[], reason="Left the team")
    assert (removal.state, removal.needs_approval) == (StaffChangeState.MADE, False)
    assert _roles(officer) == []
    with pytest.raises(ValidationError, match="changed after this was asked for"):
        staff_change_approve(change=grant, by=people["manager"], reason="Agreed")
    assert _roles(officer) == []
    staff_change_refuse(change=grant, by=people["manager"], reason="Overtaken: they left")
    assert StaffChangeRequest.objects.get(pk=grant.pk).state == StaffChangeState.REFUSED

    lower = staff_authority_limit_change(
        by=people["admin"], target=people["manager"], limit=Decimal("1000.00"), reason="Back from cover"
    )
    assert lower.state == StaffChangeState.MADE
    people["manager"].refresh_from_db()
    assert people["manager"].delegated_authority_limit == Decimal("1000.00")


def test_changes_that_give_no_power_over_money_are_made_at_once_and_still_kept(people):
    nobody = UserFactory()
    change = staff_roles_change(by=people["admin"], target=nobody, roles=[Role.SUPPORT_WORKER], reason="New starter")
    assert (change.state, change.requested_by) == (StaffChangeState.MADE, people["admin"])
    assert _roles(nobody) == [Role.SUPPORT_WORKER.value]
    limit = staff_authority_limit_change(
        by=people["admin"], target=people["support"], limit=Decimal("50.00"), reason="Setting up"
    )
    assert limit.state == StaffChangeState.MADE
    assert list(StaffChangeRequest.objects.filter(target=nobody).values_list("kind", "state")) == [
        (StaffChangeKind.ROLES, StaffChangeState.MADE)
    ]


def test_making_someone_an_administrator_needs_a_second_administrator(people):
    """Otherwise one administrator could make a second account of their own to approve their own grants."""
    nobody = UserFactory()
    change = staff_roles_change(
        by=people["admin"], target=nobody, roles=[Role.SYSTEM_ADMINISTRATOR], reason="Second admin"
    )
    assert change.state == StaffChangeState.PENDING
    assert _roles(nobody) == []


def test_raising_a_limit_and_changing_an_email_wait_for_approval_for_someone_who_moves_money(people):
    officer = people["officer"]
    raised = staff_authority_limit_change(by=people["admin"], target=officer, limit=Decimal("750.00"), reason="x")
    email = staff_email_change(by=people["admin"], target=officer, email="attacker@example.org", reason="New address")
    assert (raised.state, email.state) == (StaffChangeState.PENDING, StaffChangeState.PENDING)
    officer.refresh_from_db()
    assert (officer.delegated_authority_limit, officer.email) == (Decimal("0.00"), "olu@example.org")
    with pytest.raises(ValidationError, match="already waiting for approval"):
        staff_authority_limit_change(by=people["second_admin"], target=officer, limit=Decimal("900.00"), reason="y")
    staff_change_withdraw(change=email, by=people["admin"])
    with pytest.raises(PermissionDenied, match="Only the person who asked"):
        staff_change_withdraw(change=raised, by=people["second_admin"])
    staff_change_approve(change=raised, by=people["second_admin"], reason="Agreed at panel")
    officer.refresh_from_db()
    assert (officer.delegated_authority_limit, officer.email) == (Decimal("750.00"), "olu@example.org")
    assert StaffChangeRequest.objects.get(pk=email.pk).state == StaffChangeState.WITHDRAWN


def test_an_administrators_password_reset_for_someone_who_moves_money_waits_then_emails_them_a_link(
    client, people, mailoutbox, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    officer.set_password("correct horse battery")
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        reset = staff_password_reset(by=people["admin"], target=officer, reason="Locked out")
    assert reset.state == StaffChangeState.PENDING
    officer.refresh_from_db()
    assert officer.check_password("correct horse battery")
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        staff_change_approve(
            change=reset, by=people["manager"], reason="Spoke to Olu", site={"domain": "rentwise.example.org"}
        )
    officer.refresh_from_db()
    assert not officer.check_password("correct horse battery")  # and the administrators never learn the next one
    [email] = mailoutbox
    assert email.to == ["olu@example.org"]
    [link] = re.findall(r"https://rentwise\.example\.org(/account/password/reset/\S+/\S+/)", email.body)
    assert client.get(link)["Location"].endswith("/set-password/")  # the link works

    # Someone who cannot move money: made at once.
    with django_capture_on_commit_callbacks(execute=True):
        made = staff_password_reset(by=people["admin"], target=people["support"], reason="Forgot it")
    assert made.state == StaffChangeState.MADE
    assert [m.to for m in mailoutbox] == [["olu@example.org"], ["sam@example.org"]]


def test_nobody_asks_for_a_change_to_themselves_and_only_administrators_ask(people):
    with pytest.raises(PermissionDenied, match="Nobody changes their own"):
        staff_roles_change(by=people["admin"], target=people["admin"], roles=[], reason="x")
    with pytest.raises(PermissionDenied, match="permission to change staff accounts"):
        staff_authority_limit_change(
            by=people["manager"], target=people["officer"], limit=Decimal("100.00"), reason="x"
        )
    with pytest.raises(ValidationError, match="Give the reason"):
        staff_roles_change(by=people["admin"], target=people["officer"], roles=[Role.INCOME_MANAGER], reason=" ")
    assert not StaffChangeRequest.objects.exists()
    # The database refuses a self-decided change too.
    change = staff_roles_change(by=people["admin"], target=people["officer"], roles=[Role.INCOME_MANAGER], reason="x")
    with pytest.raises(IntegrityError):
        StaffChangeRequest.objects.filter(pk=change.pk).update(decided_by=people["admin"])


# ---- the pages -------------------------------------------------------------------------------------------------------


def test_the_staff_pages_ask_show_and_decide_a_grant(client, people):
    officer = people["officer"]
    client.force_login(people["admin"])
    page = client.get(f"/staff/{officer.pk}/").content.decode()
    assert 'Change<span class="govuk-visually-hidden"> roles' in page

    missing = client.post(f"/staff/{officer.pk}/authority/", {"limit": "lots"}).content.decode()
    assert "govuk-error-summary" in missing
    assert "is not an amount of money" in missing and "Give the reason for the change" in missing

    response = client.post(f"/staff/{officer.pk}/authority/", {"limit": "£600.00", "reason": "Acting up"}, follow=True)
    html = response.content.decode()
    assert "Sent for approval." in html and "must approve this before it takes effect" in html
    assert "Waiting for a second administrator" in html  # the person's page shows the change
    officer.refresh_from_db()
    assert officer.delegated_authority_limit == Decimal("0.00")
    change = StaffChangeRequest.objects.get()
    own = client.get(f"/staff/changes/{change.pk}/").content.decode()
    assert "Approve and make the change" not in own and "Withdraw this change" in own
    assert client.post(f"/staff/changes/{change.pk}/decide/", {"approve": "", "reason": "x"}).status_code == 200
    assert StaffChangeRequest.objects.get().state == StaffChangeState.PENDING

    client.force_login(people["manager"])
    queue = client.get("/approvals/").content.decode()
    assert "Staff changes: 1 waiting for a second administrator" in queue
    listing = client.get("/staff/changes/").content.decode()
    assert "You can decide" in listing and "£600.00" in listing
    no_reason = client.post(f"/staff/changes/{change.pk}/decide/", {"approve": ""}).content.decode()
    assert "govuk-error-summary" in no_reason and "Give the reason for your decision" in no_reason
    done = client.post(f"/staff/changes/{change.pk}/decide/", {"approve": "", "reason": "Agreed"}, follow=True)
    assert "Approved. The change to" in done.content.decode()
    officer.refresh_from_db()
    assert officer.delegated_authority_limit == Decimal("600.00")
    assert client.get(f"/staff/{officer.pk}/").status_code == 403  # managers decide; administrators keep accounts

    client.force_login(people["second_admin"])
    history = client.get(f"/staff/{officer.pk}/").content.decode()
    assert "Approved and made" in history and "Acting up" not in history  # the reason is on the change's own page
    assert "Past changes" in client.get("/staff/changes/").content.decode()


def test_officers_and_support_workers_cannot_open_the_staff_pages(client, people):
    for role in ("officer", "support"):
        client.force_login(people[role])
        assert client.get("/staff/").status_code == 403
        assert client.get("/staff/changes/").status_code == 403
        assert client.post(f"/staff/{people['manager'].pk}/roles/", {"reason": "x"}).status_code == 403


def test_django_admin_cannot_change_roles_limits_or_passwords_around_the_second_administrator(client, people):
    officer = people["officer"]
    client.force_login(people["admin"])
    url = f"/admin/incomeapp/user/{officer.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="groups"' not in html and 'name="delegated_authority_limit"' not in html
    assert 'name="email"' not in html  # a reset link goes there, so it is guarded too
    form = {
        "username": officer.username,
        "first_name": "Olu",
        "last_name": officer.last_name,
        "email": "attacker@example.org",
        "job_title": "",
        "phone": "",
        "is_active": "on",
        "groups": [Group.objects.get(name=Role.INCOME_MANAGER.value).pk],
        "delegated_authority_limit": "99999.00",
        # Any inline formsets on the page, empty.
        **{name: value for name, value in re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL)_FORMS)" value="(\d+)"', html)},
    }
    assert client.post(url, form).status_code == 302
    officer.refresh_from_db()
    assert officer.first_name == "Olu"  # harmless details still change here
    assert (officer.email, officer.delegated_authority_limit, _roles(officer)) == (
        "olu@example.org",
        Decimal("0.00"),
        [Role.INCOME_OFFICER.value],
    )
    # Django's "set a password" page leads to the staff page instead.
    response = client.get(f"/admin/incomeapp/user/{officer.pk}/password/")
    assert response.status_code == 302 and response["Location"] == f"/staff/{officer.pk}/password/"
    # And no earlier version can be restored (it would bring back an old limit or email).
    version = officer.history.earliest()
    revert = client.post(f"/admin/incomeapp/user/{officer.pk}/history/{version.history_id}/", form)
    assert revert.status_code == 403
