"""Arrangements to pay from the case page (issue 22, item 5): how long the terms take to clear the arrears, shown on a
check page before anything is saved, with a warning past the policy's limit; "pending first payment" until the first
one is due, then kept or broken; the agreement letter, made once; changing and cancelling with a reason, the history
kept and the diary told."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from arrears.agreements import clearing_sentence, clearing_time, over_limit_warning
from arrears.constants import AgreementChangeKind, AgreementState, ContactKind, ContactOutcome
from arrears.engine import PolicyError, agreement_max_weeks, policy_check
from arrears.models import Agreement, AgreementChange, ArrearsCase, Contact
from arrears.selectors_agreements import agreement_status, pending_agreement_case_ids
from arrears.services import (
    SHIPPED_POLICIES,
    agreement_cancel,
    agreement_change,
    agreement_create,
    agreements_monitor,
    policies_install_shipped,
    policy_read,
)
from documents.models import Document
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.arrears.conftest import tenancy_in_patch_of
from tests.factories import dmy, user_with_role

D = Decimal


# ---- the arithmetic, exact -------------------------------------------------------------------------------------------


def test_the_issues_example_clears_in_62_weeks_by_3_february_2028():
    clearing = clearing_time(
        arrears=D("1234.56"), amount=D("20.00"), frequency="weekly", first_payment_on=date(2026, 12, 3)
    )
    assert (clearing.payments, clearing.weeks, clearing.last_payment_on) == (62, 62, date(2028, 2, 3))
    assert clearing_sentence(clearing=clearing, amount=D("20.00"), frequency="weekly") == (
        "At £20.00 a week on top of the rent, £1,234.56 of arrears clears in 62 weeks, by 3 February 2028"
    )


def test_a_penny_over_a_whole_number_of_payments_needs_one_more_and_exact_ones_do_not():
    first = date(2026, 12, 7)
    assert (
        clearing_time(arrears=D("200.00"), amount=D("10.00"), frequency="weekly", first_payment_on=first).payments == 20
    )
    assert (
        clearing_time(arrears=D("200.01"), amount=D("10.00"), frequency="weekly", first_payment_on=first).payments == 21
    )
    # A third of a pound never rounds through a float: 100.00 / 0.03 is 3333.33..., so 3334 payments.
    assert (
        clearing_time(arrears=D("100.00"), amount=D("0.03"), frequency="weekly", first_payment_on=first).payments
        == 3334
    )


def test_fortnightly_four_weekly_and_monthly_plans_count_their_weeks_to_the_end_of_the_last_period():
    first = date(2027, 1, 31)
    fortnightly = clearing_time(arrears=D("100.00"), amount=D("25.00"), frequency="fortnightly", first_payment_on=first)
    assert (fortnightly.payments, fortnightly.weeks, fortnightly.last_payment_on) == (4, 8, date(2027, 3, 14))
    four = clearing_time(arrears=D("100.00"), amount=D("25.00"), frequency="four_weekly", first_payment_on=first)
    assert (four.payments, four.weeks) == (4, 16)
    monthly = clearing_time(arrears=D("250.00"), amount=D("50.00"), frequency="monthly", first_payment_on=first)
    # 31 January, 28 February, 31 March, 30 April, 31 May; the last month ends 30 June: 150 days, 22 weeks.
    assert (monthly.payments, monthly.last_payment_on, monthly.weeks) == (5, date(2027, 5, 31), 22)


def test_a_one_off_payment_short_of_the_arrears_says_what_is_left_and_warns():
    clearing = clearing_time(
        arrears=D("300.00"), amount=D("120.00"), frequency="one_off", first_payment_on=date(2027, 1, 4)
    )
    assert not clearing.clears and clearing.left_owing == D("180.00")
    assert "leaves £180.00 owing" in clearing_sentence(clearing=clearing, amount=D("120.00"), frequency="one_off")
    assert "£180.00 is left owing" in over_limit_warning(clearing=clearing, limit_weeks=104, policy_title="P")


def test_the_warning_comes_only_past_the_policys_limit():
    first = date(2026, 12, 7)
    at_limit = clearing_time(arrears=D("1040.00"), amount=D("10.00"), frequency="weekly", first_payment_on=first)
    past = clearing_time(arrears=D("1040.01"), amount=D("10.00"), frequency="weekly", first_payment_on=first)
    assert at_limit.weeks == 104 and over_limit_warning(clearing=at_limit, limit_weeks=104, policy_title="P") == ""
    warning = over_limit_warning(clearing=past, limit_weeks=104, policy_title="Supportive default")
    assert warning.startswith("This takes 105 weeks, longer than the 104 weeks the policy “Supportive default” allows")


# ---- the limit is policy data ----------------------------------------------------------------------------------------


def test_the_shipped_policies_name_their_limit_and_a_bad_one_is_refused():
    for path in SHIPPED_POLICIES.glob("*.yaml"):
        assert agreement_max_weeks(policy_read(path.read_text())) == 104
    policy = policy_read((SHIPPED_POLICIES / "rentwise-default.yaml").read_text())
    assert agreement_max_weeks({k: v for k, v in policy.items() if k != "agreement_max_weeks"}) == 104  # the default
    for bad in (0, "two years", 12.5, True, 521):
        with pytest.raises(PolicyError, match="agreement_max_weeks must be a whole number of weeks"):
            policy_check({**policy, "agreement_max_weeks": bad})
    assert agreement_max_weeks(policy_check({**policy, "agreement_max_weeks": 52})) == 52


# ---- the service and the pages ---------------------------------------------------------------------------------------


@pytest.fixture
def case(db, officer, law, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    tenancy = tenancy_in_patch_of(officer, payment_reference="RW555001")
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, D("1234.56"), timezone.localdate() - timedelta(days=7), "d")
        ]
    )
    return ArrearsCase.objects.create(account=account, opened_on=timezone.localdate(), officer=officer)


def hidden_answers(html: str) -> dict:
    """The answers the check page carries in its hidden fields."""
    import re

    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_the_check_page_shows_the_clearing_time_and_saves_nothing_until_confirmed(client, officer, case):
    client.force_login(officer)
    first = timezone.localdate() + timedelta(days=3)
    check = client.post(
        f"/worklist/cases/{case.pk}/agreements/", {"amount": "20.00", "frequency": "weekly", **dmy(first, "starts_on")}
    )
    html = check.content.decode()
    assert check.status_code == 200 and "Check the agreement before you save it" in html
    last = first + timedelta(weeks=61)
    assert f"At £20.00 a week on top of the rent, £1,234.56 of arrears clears in 62 weeks, by {last:%-d %B %Y}" in html
    assert "Save the agreement" in html and "This takes" not in html
    assert not Agreement.objects.exists()

    answers = hidden_answers(html)
    saved = client.post(f"/worklist/cases/{case.pk}/agreements/", {**answers, "confirm": "1"})
    assert saved.status_code == 302
    agreement = Agreement.objects.get(case=case)
    assert (agreement.amount, agreement.starting_balance, agreement.starts_on) == (D("20.00"), D("1234.56"), first)
    made = agreement.changes.get()
    assert (made.kind, made.weeks_to_clear, made.clears_on, made.limit_weeks) == ("made", 62, last, 104)
    page = client.get(saved["Location"]).content.decode()
    assert "Agreement made: £20.00 weekly from" in page and "clears in 62 weeks" in page
    assert "Pending first payment" in page


def test_a_long_agreement_is_warned_about_on_the_check_page_and_in_the_banner(client, officer, case):
    client.force_login(officer)
    first = timezone.localdate()
    check = client.post(
        f"/worklist/cases/{case.pk}/agreements/", {"amount": "5.00", "frequency": "weekly", **dmy(first, "starts_on")}
    )
    html = check.content.decode()
    assert "clears in 247 weeks" in html  # 1234.56 / 5.00 = 246.9: 247 payments
    assert "longer than the 104 weeks the policy" in html
    saved = client.post(f"/worklist/cases/{case.pk}/agreements/", {**hidden_answers(html), "confirm": "1"}, follow=True)
    assert "longer than the 104 weeks the policy" in saved.content.decode()
    assert Agreement.objects.get(case=case).changes.get().weeks_to_clear == 247


def test_change_my_answers_brings_the_form_back_filled_in(client, officer, case):
    client.force_login(officer)
    first = timezone.localdate()
    check = client.post(
        f"/worklist/cases/{case.pk}/agreements/", {"amount": "20.00", "frequency": "weekly", **dmy(first, "starts_on")}
    )
    back = client.post(
        f"/worklist/cases/{case.pk}/agreements/", {**hidden_answers(check.content.decode()), "edit": "1"}
    )
    html = back.content.decode()
    assert back.status_code == 200 and "Make an agreement" in html and 'value="20.00"' in html
    assert "There is a problem" not in html and not Agreement.objects.exists()


def test_an_empty_or_zero_amount_is_explained_on_the_form(client, officer, case):
    client.force_login(officer)
    empty = client.post(f"/worklist/cases/{case.pk}/agreements/", {"frequency": "weekly"})
    html = empty.content.decode()
    assert (
        empty.status_code == 400 and "<title>Error: " in html and "Enter the amount to pay towards the arrears" in html
    )
    zero = client.post(
        f"/worklist/cases/{case.pk}/agreements/",
        {"amount": "0", "frequency": "weekly", **dmy(timezone.localdate(), "starts_on")},
    )
    assert zero.status_code == 400 and "Enter an amount above £0.00" in zero.content.decode()


def test_the_letter_is_made_once_and_a_second_press_of_save_makes_nothing_twice(client, officer, case):
    client.force_login(officer)
    check = client.post(
        f"/worklist/cases/{case.pk}/agreements/",
        {"amount": "20.00", "frequency": "weekly", **dmy(timezone.localdate(), "starts_on")},
    )
    answers = {**hidden_answers(check.content.decode()), "confirm": "1"}
    first = client.post(f"/worklist/cases/{case.pk}/agreements/", answers, follow=True)
    again = client.post(f"/worklist/cases/{case.pk}/agreements/", answers)
    assert again.status_code == 302
    assert Agreement.objects.filter(case=case).count() == 1 and AgreementChange.objects.count() == 1
    letters = Document.objects.filter(subject_key__startswith="agreement-letter:")
    people = case.account.tenancy.named_tenants()
    assert letters.count() == len(people) >= 1
    assert letters.first().template_version.template.key == "agreement_letter"
    assert Contact.objects.filter(case=case, kind=ContactKind.LETTER, outcome=ContactOutcome.SENT).count() == 1
    assert Contact.objects.filter(case=case, kind=ContactKind.LETTER, code="").count() == 1  # moves no ladder step
    html = first.content.decode()
    assert "Agreement letter made" in html and f'href="/documents/{letters.first().pk}/"' in html
    # The diary (no banner now) links the letter's PDF and says the document's own state, as the documents list does.
    diary = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert f'href="/documents/{letters.first().pk}/"' in diary
    assert letters.first().get_delivery_state_display() in diary


def test_pending_first_payment_until_it_is_due_then_kept_or_broken(case, officer):
    start = date(2026, 11, 2)
    agreement = agreement_create(case=case, frequency="weekly", amount=D("20.00"), starts_on=start, created_by=officer)
    assert agreement.first_payment_due_on == date(2026, 11, 7)  # the first payment date and 5 days' grace
    assert agreement_status(agreement, date(2026, 11, 6))[0] == "Pending first payment"
    assert pending_agreement_case_ids([case.pk], date(2026, 11, 6)) == {case.pk}
    agreements_monitor(on=date(2026, 11, 7))  # nothing paid by the first due date
    agreement.refresh_from_db()
    assert agreement_status(agreement, date(2026, 11, 7))[0] == "Broken"
    assert pending_agreement_case_ids([case.pk], date(2026, 11, 7)) == set()
    transactions_post(
        postings=[Posting(case.account_id, TransactionType.PAYMENT, D("-20.00"), date(2026, 11, 7), "p:1")]
    )
    agreements_monitor(on=date(2026, 11, 8))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.LIVE and agreement_status(agreement, date(2026, 11, 8))[0] == "Being kept"


def test_changing_keeps_the_previous_terms_and_needs_a_reason(case, officer):
    start = timezone.localdate()
    agreement = agreement_create(case=case, frequency="weekly", amount=D("20.00"), starts_on=start, created_by=officer)
    with pytest.raises(ValidationError, match="Enter why the agreement is changing"):
        agreement_change(
            agreement=agreement,
            amount=D("30.00"),
            frequency="fortnightly",
            starts_on=start,
            reason=" ",
            changed_by=officer,
        )
    new_terms = {
        "amount": D("30.00"),
        "frequency": "fortnightly",
        "starts_on": start + timedelta(days=7),
        "reason": "Started a new job",
        "changed_by": officer,
        "submission_key": "k1",  # the check page's token
    }
    changed = agreement_change(agreement=agreement, **new_terms)
    assert (changed.amount, changed.frequency, changed.state) == (D("30.00"), "fortnightly", AgreementState.LIVE)
    made, change = changed.changes.order_by("id")
    assert (made.kind, made.amount, made.frequency) == ("made", D("20.00"), "weekly")
    assert (change.kind, change.previous_amount, change.previous_frequency, change.previous_starts_on) == (
        "changed",
        D("20.00"),
        "weekly",
        start,
    )
    assert (change.amount, change.reason) == (D("30.00"), "Started a new job")
    assert changed.history.first().history_change_reason == "Changed: Started a new job"  # the audit row
    # The diary shows the agreement's state rows: this one says what changed and why.
    assert changed.state_changes.last().note == "Changed to £30.00 fortnightly towards £1,234.56: Started a new job"
    letter = Contact.objects.get(pk=change.letter_contact_id)
    assert (letter.kind, letter.outcome) == (ContactKind.LETTER, ContactOutcome.SENT)
    assert (
        letter.notes
        == f"Agreement letter with the new terms: £30.00 fortnightly from {start + timedelta(days=7):%-d %B %Y}"
    )
    # Sent twice (the same check page's token): nothing changes twice, no second letter.
    letters = Document.objects.filter(subject_key__startswith="agreement-letter:").count()
    agreement_change(agreement=agreement, **new_terms)
    assert changed.changes.count() == 2
    assert letters == 2 * len(case.account.tenancy.named_tenants())  # made, then changed: one each per tenant
    assert Document.objects.filter(subject_key__startswith="agreement-letter:").count() == letters


def test_cancelling_needs_a_reason_and_is_recorded_in_the_history_and_the_diary(case, officer):
    agreement = agreement_create(
        case=case, frequency="weekly", amount=D("20.00"), starts_on=timezone.localdate(), created_by=officer
    )
    with pytest.raises(ValidationError, match="Enter why the agreement is being cancelled"):
        agreement_cancel(agreement=agreement, reason="", cancelled_by=officer)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.LIVE
    cancelled = agreement_cancel(agreement=agreement, reason="Tenant moving to a UC deduction", cancelled_by=officer)
    assert cancelled.state == AgreementState.CANCELLED
    last = cancelled.changes.order_by("id").last()
    assert (last.kind, last.reason, last.previous_amount) == (
        AgreementChangeKind.CANCELLED,
        "Tenant moving to a UC deduction",
        D("20.00"),
    )
    assert cancelled.state_changes.last().note == "Cancelled: Tenant moving to a UC deduction"
    assert not Contact.objects.filter(case=case, notes__contains="cancelled").exists()  # no letter for a cancel
    with pytest.raises(ValidationError, match="cannot be changed"):
        agreement_change(
            agreement=cancelled,
            amount=D("5.00"),
            frequency="weekly",
            starts_on=timezone.localdate(),
            reason="x",
            changed_by=officer,
        )


def test_the_change_and_cancel_pages_ask_for_a_reason(client, officer, case):
    client.force_login(officer)
    agreement = agreement_create(
        case=case, frequency="weekly", amount=D("20.00"), starts_on=timezone.localdate(), created_by=officer
    )
    url = f"/worklist/cases/{case.pk}/agreements/{agreement.pk}/"
    page = client.get(url + "change/").content.decode()
    assert "Change the agreement" in page and 'value="20.00"' in page
    no_reason = client.post(
        url + "change/", {"amount": "30.00", "frequency": "weekly", **dmy(timezone.localdate(), "starts_on")}
    )
    assert no_reason.status_code == 400 and "Enter why the agreement is changing" in no_reason.content.decode()
    check = client.post(
        url + "change/",
        {"amount": "30.00", "frequency": "weekly", "reason": "More hours", **dmy(timezone.localdate(), "starts_on")},
    )
    html = check.content.decode()
    assert "Check the new terms before you save them" in html and "clears in 42 weeks" in html  # 1234.56 / 30
    assert Agreement.objects.get().amount == D("20.00")
    saved = client.post(url + "change/", {**hidden_answers(html), "confirm": "1"}, follow=True)
    assert "Agreement changed to £30.00 weekly" in saved.content.decode()
    assert "from £20.00 weekly" in saved.content.decode()  # the history on the case page
    refused = client.post(url + "cancel/", {"reason": ""})
    assert refused.status_code == 400 and "Enter why the agreement is being cancelled" in refused.content.decode()
    done = client.post(url + "cancel/", {"reason": "Paid in full by a relative next week"}, follow=True)
    assert "Agreement of £30.00 weekly cancelled" in done.content.decode()
    assert Agreement.objects.get().state == AgreementState.CANCELLED


def test_a_support_worker_cannot_make_change_or_cancel(client, case, officer):
    agreement = agreement_create(
        case=case, frequency="weekly", amount=D("20.00"), starts_on=timezone.localdate(), created_by=officer
    )
    worker = user_with_role(Role.SUPPORT_WORKER)
    client.force_login(worker)
    for url in ("agreements/", f"agreements/{agreement.pk}/change/", f"agreements/{agreement.pk}/cancel/"):
        assert client.get(f"/worklist/cases/{case.pk}/{url}").status_code == 403
    with pytest.raises(Exception, match="cancel agreements"):
        agreement_cancel(agreement=agreement, reason="No", cancelled_by=worker)


def test_the_worklist_reads_each_cases_agreement_status_in_one_query(case, officer, django_assert_num_queries):
    from arrears.selectors_agreements import agreement_status_by_case

    start = date(2026, 11, 2)
    agreement_create(case=case, frequency="weekly", amount=D("20.00"), starts_on=start, created_by=officer)
    with django_assert_num_queries(1):
        assert agreement_status_by_case([case.pk], date(2026, 11, 3)) == {
            case.pk: ("Pending first payment", "govuk-tag--blue")
        }


def test_the_worklists_agreements_tab_shows_pending_first_payment(client, case, officer):
    agreement_create(
        case=case, frequency="weekly", amount=D("20.00"), starts_on=timezone.localdate(), created_by=officer
    )
    client.force_login(officer)
    page = client.get("/worklist/", {"tab": "agreements", "officer": "me"}).content.decode()
    assert "RW555001" in page
    assert '<strong class="govuk-tag govuk-tag--blue">Pending first payment</strong>' in page
