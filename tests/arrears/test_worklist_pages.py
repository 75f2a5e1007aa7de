"""The worklist and case pages: the case is there with its reason, and an officer's action moves it on at once."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.models import Agreement, Contact, LetterRequest
from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, transactions_post
from tests.arrears.conftest import case_owing_a_fortnights_rent, tenancy_in_patch_of
from tests.factories import dmy, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(officer, law):
    policies_install_shipped()
    return case_owing_a_fortnights_rent(tenancy_in_patch_of(officer, payment_reference="RW777001"))


def test_my_worklist_shows_the_case_with_its_action_and_reason(client, officer, case):
    client.force_login(officer)
    html = client.get("/worklist/").content.decode()
    assert "My cases this week" in html
    assert "RW777001" in html
    assert "Call or visit before: Send a friendly reminder and offer help" in html
    assert "No letter sent yet" in html and "£250.00" in html  # the stage and balance; the reasons are on the case


def test_the_case_page_explains_the_recommendation(client, officer, case):
    client.force_login(officer)
    html = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert "Next step" in html
    # The reason as a sentence; the rule-by-rule figures one click away.
    assert "Owes £250.00, 2.5 weeks of rent and charges;" in html and "no contact on record." in html
    assert "Show the full figures" in html
    assert "this policy wants a call or visit attempt in the 14 days before the letter (none recorded)" in html
    assert "Supportive default (contact first)" in html


def test_recording_a_call_then_an_agreement_takes_the_case_off_immediate_actions(client, officer, case):
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(
        f"/worklist/cases/{case.pk}/contacts/",
        {
            "kind": "call",
            "outcome": "spoke",
            "person": "someone_else",
            "notes": "Lost hours at work (spoke to her partner)",
            **dmy(today, "occurred_on"),
        },
    )
    assert response.status_code == 302
    assert Contact.objects.filter(case=case, kind="call", recorded_by=officer).exists()
    assert LetterRequest.objects.filter(case=case, letter="reminder_1").count() == 1  # the call unlocked the letter
    terms = {"amount": "10.00", "frequency": "weekly", **dmy(today, "starts_on")}
    check = client.post(f"/worklist/cases/{case.pk}/agreements/", terms)  # check the agreement before it is saved
    assert check.status_code == 200 and "clears in 25 weeks" in check.content.decode()
    token = re.search(r'name="submission" value="([0-9a-f]+)"', check.content.decode()).group(1)
    response = client.post(f"/worklist/cases/{case.pk}/agreements/", {**terms, "submission": token, "confirm": "1"})
    assert response.status_code == 302
    assert Agreement.objects.get(case=case).starting_balance == Decimal("250.00")
    case.refresh_from_db()
    assert case.latest_recommendation.action == "agreement_kept"
    assert "RW777001" not in client.get("/worklist/?tab=immediate").content.decode()
    assert "RW777001" in client.get("/worklist/?tab=agreements").content.decode()


def test_bad_input_is_explained_and_nothing_is_kept(client, officer, case):
    client.force_login(officer)
    response = client.post(f"/worklist/cases/{case.pk}/agreements/", {"amount": "ten pounds", "frequency": "weekly"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "is not an amount of money" in html
    assert not Agreement.objects.exists()


def test_a_support_worker_cannot_see_the_worklist(client, case):
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert client.get("/worklist/").status_code == 403
    assert client.get(f"/worklist/cases/{case.pk}/").status_code == 403


def test_recording_breathing_space_stops_the_ladder_and_warns_on_the_case(client, officer, case):
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/",
        {"moratorium_type": "standard", "reference": "BS-123", **dmy(today - timedelta(days=1), "starts_on")},
    )
    assert response.status_code == 302
    html = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert "Standard Breathing Space since" in html
    assert "Do not contact the tenant about the £250.00 it covers" in html
    case.refresh_from_db()
    assert (case.latest_recommendation.action, case.latest_recommendation.mode) == ("breathing_space_hold", "none")
    assert "RW777001" not in client.get("/worklist/?tab=immediate").content.decode()
    space = case.account.tenancy.breathing_spaces.get()
    assert space.ends_on == today - timedelta(days=1) + timedelta(days=60)


def test_no_two_inputs_on_the_case_page_share_an_id(client, officer, case):
    import re
    from collections import Counter

    client.force_login(officer)
    html = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert [i for i, n in Counter(re.findall(r'\bid="([^"]+)"', html)).items() if n > 1] == []


def test_referrals_and_vulnerability_reviews_are_recorded_and_the_notes_kept_private(client, officer, case):
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(
        f"/worklist/cases/{case.pk}/referrals/",
        {"referral_kind": "debt_advice", "to_whom": "StepChange", **dmy(today, "made_on")},
    )
    assert response.status_code == 302
    refused = client.post(
        f"/worklist/cases/{case.pk}/vulnerability-reviews/", {"vulnerable": "yes", **dmy(today, "reviewed_on")}
    )
    assert (
        refused.status_code == 400 and "Say what changes because the tenant is vulnerable" in refused.content.decode()
    )
    client.post(
        f"/worklist/cases/{case.pk}/vulnerability-reviews/",
        {
            "vulnerable": "yes",
            "adjustments": "Calls after 10am",
            "vulnerability_notes": "Recent bereavement",
            **dmy(today, "reviewed_on"),
        },
    )
    case.refresh_from_db()
    assert case.vulnerability_reviewed_on == today
    html = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert "Referred to free debt advice" in html and "StepChange" in html and "Calls after 10am" in html
    assert "Recent bereavement" in html  # officers may see sensitive notes
    from django.contrib.auth.models import Group

    from incomeapp.constants import Role as R

    officer.groups.set([Group.objects.get(name=R.INCOME_OFFICER.value)])
    group = Group.objects.get(name=R.INCOME_OFFICER.value)
    group.permissions.remove(*group.permissions.filter(codename="view_sensitive_notes"))
    client.force_login(officer)
    assert "Recent bereavement" not in client.get(f"/worklist/cases/{case.pk}/").content.decode()


def test_a_senior_officer_reassigns_the_listed_cases_for_cover(client, officer, case):
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER, first_name="Sam", last_name="Senior")
    cover = user_with_role(Role.INCOME_OFFICER, first_name="Cara", last_name="Cover")
    client.force_login(senior)
    assert "Cover during leave" in client.get(f"/worklist/?officer={officer.pk}").content.decode()
    response = client.post("/worklist/reassign/", {"to_officer": cover.pk, "query": f"tab=patch&officer={officer.pk}"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.officer == cover
    assert case.history.first().history_change_reason == f"Reassigned by {senior.username}"
    client.force_login(officer)
    assert "Cover during leave" not in client.get("/worklist/").content.decode()
    assert client.post("/worklist/reassign/", {"to_officer": officer.pk, "query": ""}).status_code == 403


def test_an_officer_sends_the_letter_a_person_must_send_once_a_week(client, officer, case):
    from arrears.models import Recommendation

    client.force_login(officer)
    today = timezone.localdate()
    # The final warning is left to a person by the default policy.
    for code, days in (("reminder_2", 20),):
        Contact.objects.create(
            case=case, kind="letter", code=code, outcome="sent", occurred_on=today - timedelta(days=days)
        )
    Contact.objects.create(case=case, kind="call", outcome="no_answer", occurred_on=today)
    transactions_post(postings=[Posting(case.account_id, TransactionType.RENT_DEBIT, Decimal("100.00"), today, "more")])
    review_run(as_of=today, account_ids=[case.account_id], scope="test")
    case.refresh_from_db()
    assert (case.latest_recommendation.action, case.latest_recommendation.mode) == ("send_final_warning", "officer")
    assert ">Send the final warning</button>" in client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert client.post(f"/worklist/cases/{case.pk}/letters/").status_code == 302
    assert LetterRequest.objects.filter(case=case, letter="final_warning").count() == 1
    client.post(f"/worklist/cases/{case.pk}/letters/")
    assert LetterRequest.objects.filter(case=case, letter="final_warning").count() == 1
    assert Recommendation.objects.filter(case=case).count() >= 2


def test_the_case_page_charts_the_weekly_balance_with_a_table_of_the_same_figures(client, officer, case):
    from rentaccounts.selectors import balances_by_week

    client.force_login(officer)
    points = balances_by_week(account=case.account, as_of=timezone.localdate(), weeks=26)
    assert len(points) == 26 and points[-1][1] == Decimal("250.00")
    assert all(end.weekday() == 6 for end, _ in points)  # Sundays
    html = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert "Balance over the last 26 weeks, from £0.00 to £250.00." in html
    assert html.count("<rect ") == 26
