"""Arrears policies edited in the browser as a form over their steps: a changed threshold is kept as a new draft
version (the review keeps using the live one until it is published), a bad value is refused with what was typed kept,
and the review preview of the draft lists the cases whose recommendation would change."""

from datetime import timedelta
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from arrears.constants import ContactKind, ContactOutcome, ReviewStatus
from arrears.models import ArrearsCase, ArrearsPolicyVersion, Contact, Recommendation, ReviewRun
from arrears.policy_steps import step_change, step_thresholds, steps, steps_compare, threshold_parse
from arrears.review import review_run
from arrears.services import SHIPPED_POLICIES, policies_install_shipped
from arrears.services.policies import policy_step_change
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, user_with_role

DEFAULT = yaml.safe_load((SHIPPED_POLICIES / "rentwise-default.yaml").read_text())


def _first_reminder(document):
    return next(step for step in steps(document) if step["key"] == "first_reminder")


def test_a_steps_thresholds_are_read_and_put_back_where_they_were():
    step = _first_reminder(DEFAULT)
    assert [(t.kind, t.label, t.shown) for t in step["thresholds"]] == [
        ("money", "Real arrears at least (£)", "£10.00"),
        ("times", "Real arrears at least (weeks of rent)", "1"),
    ]
    changed = step_change(
        DEFAULT,
        key="first_reminder",
        label="Send a reminder",
        mode="automatic",
        letter="reminder_1",
        contact_first_days=7,
        thresholds=[20.0, 2],
    )
    rule = next(rule for rule in changed["rules"] if rule["key"] == "first_reminder")
    assert rule["when"]["all"][0]["value"] == {"greater_of": [20.0, {"fact": "weekly_rent", "times": 2}]}
    assert rule["outcome"]["contact_first_days"] == 7 and rule["outcome"]["label"] == "Send a reminder"
    assert _first_reminder(DEFAULT)["thresholds"][1].value == 1  # the original is not touched
    assert steps_compare(DEFAULT, changed) == [
        "Send a friendly reminder and offer help: now reads “Send a reminder”.",
        "Send a reminder: the days to try a call or visit first change from 14 to 7.",
        "Send a reminder: Real arrears at least (£) changes from £10.00 to £20.00.",
        "Send a reminder: Real arrears at least (weeks of rent) changes from 1 to 2.",
    ]
    second_reminder = next(rule for rule in DEFAULT["rules"] if rule["key"] == "second_reminder")
    durations = [t for t in step_thresholds(second_reminder) if t.kind == "duration"]
    assert [t.shown for t in durations] == ["14 days", "3 calendar months"]


@pytest.mark.parametrize(
    ("kind", "typed", "kept"),
    [("money", "£1,250.5", 1250.5), ("times", "2", 2), ("times", "2.5", 2.5), ("duration", "3 M", "3m")],
)
def test_typed_thresholds_are_read_as_the_policy_keeps_them(kind, typed, kept):
    assert threshold_parse(kind, typed) == kept


@pytest.mark.parametrize(
    ("kind", "typed", "says"),
    [
        ("times", "two", "Enter a number"),
        ("money", "-5", "Enter 0 or more"),
        ("money", "10.555", "pounds and pence"),
        ("duration", "fortnight", "like 14d"),
    ],
)
def test_a_bad_threshold_says_what_to_type(kind, typed, says):
    with pytest.raises(ValueError, match=says):
        threshold_parse(kind, typed)


def _owing(reference: str, amount: str):
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference=reference))
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(amount), today - timedelta(days=9), "d")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE, occurred_on=today)
    return account


def _form(version, **changes):
    step = _first_reminder(version.document)
    data = {
        "label": step["label"],
        "mode": step["mode"],
        "letter": step["letter"],
        "contact_first_days": step["contact_first_days"],
        "threshold_0": "10.00",
        "threshold_1": "1",
    }
    return data | changes


@pytest.mark.django_db
def test_a_threshold_edit_is_a_new_draft_the_review_does_not_use_until_it_is_published(
    client, django_capture_on_commit_callbacks
):
    policies_install_shipped()
    live = ArrearsPolicyVersion.objects.get(policy__name="rentwise-default", status="live")
    small = _owing("RW555001", "150.00")
    manager = user_with_role(Role.INCOME_MANAGER)
    client.force_login(manager)
    url = f"/worklist/policies/versions/{live.pk}/steps/first_reminder/"
    page = client.get(url).content.decode()
    assert 'value="10.00"' in page and "Real arrears at least (weeks of rent)" in page

    bad = client.post(url, _form(live, threshold_1="three", contact_first_days="soon"))
    html = bad.content.decode()
    assert bad.status_code == 400 and "<title>Error: " in html and "govuk-error-summary" in html
    assert "Real arrears at least (weeks of rent): enter a number, like 2 or 2.5" in html
    assert "Enter a whole number of days from 0 to 60" in html
    assert 'value="three"' in html and 'value="soon"' in html  # what was typed is kept
    assert ArrearsPolicyVersion.objects.filter(policy=live.policy).count() == 1

    saved = client.post(url, _form(live, threshold_1="3"))
    draft = ArrearsPolicyVersion.objects.get(policy=live.policy, number=2)
    assert saved.status_code == 302 and saved["Location"] == f"/worklist/policies/versions/{draft.pk}/"
    assert draft.status == "draft" and draft.created_by == manager
    assert _first_reminder(draft.document)["thresholds"][1].value == 3
    assert "step first_reminder changed" in draft.source_text
    page = client.get(saved["Location"]).content.decode()
    assert "Saved as draft version 2" in page
    assert "Send a friendly reminder and offer help: Real arrears at least (weeks of rent) changes from 1 to 3." in page

    # The preview of its effect lists the case whose recommendation changes.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/worklist/policies/versions/{draft.pk}/preview/")
    preview = ReviewRun.objects.get(dry_run=True)
    assert preview.compare == draft and preview.status == ReviewStatus.COMPLETED
    assert response["Location"] == f"/worklist/reviews/{preview.pk}/"
    report = client.get(response["Location"]).content.decode()
    assert "What would change under version 2" in report and small.tenancy.payment_reference in report
    assert "No case's recommendation would change" not in report
    assert preview.summary["changes"] == {"send_reminder_1 → no_action": 1}

    # Not used until published: this week's review still reminds at 1 week's rent.
    run, _ = review_run(as_of=timezone.localdate())
    assert Recommendation.objects.get(run=run).action == "send_reminder_1"
    assert Recommendation.objects.get(run=run).policy_version == live

    published = client.post(f"/worklist/policies/versions/{draft.pk}/go-live/")
    draft.refresh_from_db()
    live.refresh_from_db()
    assert published.status_code == 302 and (draft.status, live.status) == ("live", "retired")
    assert draft.published_by == manager


@pytest.mark.django_db
def test_nothing_changed_makes_no_version_and_an_officer_cannot_change_a_policy(client):
    policies_install_shipped()
    live = ArrearsPolicyVersion.objects.get(policy__name="rentwise-default", status="live")
    step = _first_reminder(live.document)
    same, created = policy_step_change(
        version=live,
        key="first_reminder",
        label=step["label"],
        mode=step["mode"],
        letter=step["letter"],
        contact_first_days=step["contact_first_days"],
        thresholds=[t.value for t in step["thresholds"]],
        changed_by=user_with_role(Role.INCOME_MANAGER),
    )
    assert (same, created) == (live, False)
    officer = user_with_role(Role.INCOME_OFFICER)
    with pytest.raises(PermissionDenied):
        policy_step_change(
            version=live,
            key="first_reminder",
            label="x",
            mode="officer",
            letter="",
            contact_first_days=0,
            thresholds=[1, 1],
            changed_by=officer,
        )
    client.force_login(officer)
    url = f"/worklist/policies/versions/{live.pk}/steps/first_reminder/"
    assert client.post(url, _form(live, threshold_1="3")).status_code == 403
    page = client.get(f"/worklist/policies/versions/{live.pk}/")
    assert page.status_code == 200 and "Change<span" not in page.content.decode()
