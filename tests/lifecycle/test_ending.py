"""Ending a tenancy: the last part week by day and later weeks reversed (worked by hand), the account off the current
tenants' worklist and on the former tenant arrears list, a credit offered for refund (someone else approves), the
direct debit cancelled, letters to the forwarding address, the same end twice, a correction, and the ledger still
reconciling."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from arrears.constants import CaseStatus, ContactKind
from arrears.models import ArrearsCase, Contact, Recommendation
from arrears.review import review_run
from arrears.selectors import former_tenancy_accounts, worklist
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from lifecycle.ending import (
    credit_refund_request,
    credit_transfer_request,
    final_charges,
    tenancy_end,
    tenancy_end_correct,
)
from rentaccounts.constants import AccountKind, MandateStatus, RequestKind, RequestStatus, TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, rent_debits_post, transactions_post
from rentaccounts.services.approvals import adjustment_request_approve
from rentaccounts.services.direct_debits import direct_debit_mandate_create
from tenancies.constants import EndReason, PaymentMethod, TenancyEventKind, TenancyStatus
from tenancies.models import Charge, TenancyEvent
from tests.factories import PatchFactory, PersonFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

WEEK_1, WEEK_2, WEEK_3 = date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 20)
TUESDAY = date(2026, 4, 14)  # the second day of week 2


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")


@pytest.fixture
def senior():
    return user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("1000.00"))


def _balance(tenancy) -> Decimal:
    return Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance


def _three_weeks_charged(officer, **fields):
    """£100.00 a week from 2 March 2026; the rent run has charged the weeks of 6, 13 and 20 April (£300.00)."""
    tenancy = TenancyFactory(
        start_date=date(2026, 3, 2),
        property=PropertyFactory(patch=PatchFactory(officer=officer)),
        **fields,
    )
    for week in (WEEK_1, WEEK_2, WEEK_3):
        rent_debits_post(week_commencing=week)
    assert _balance(tenancy) == Decimal("300.00")
    return tenancy


def test_an_end_mid_week_after_the_run_charges_the_last_week_by_day_and_reverses_the_weeks_after(officer):
    tenancy = _three_weeks_charged(officer)
    result = tenancy_end(
        by=officer,
        tenancy=tenancy,
        last_day=TUESDAY,
        reason=EndReason.TENANTS_NOTICE,
        forwarding_address="12 New Road\nBristol\nBS2 0AA",
        note="Four weeks' notice given",
    )
    # By hand: week 2 is 2 of 7 days at £100.00 = £28.57, so £71.43 of it comes off; week 3 (£100.00) comes off whole.
    assert sorted(d.difference for d in result.differences) == [Decimal("-100.00"), Decimal("-71.43")]
    assert result.reversed_total == Decimal("171.43")
    assert result.balance == _balance(tenancy) == Decimal("128.57")  # £100.00 + £28.57
    assert [(c.days_charged, c.days_in_period, c.due) for c in result.final_charges] == [(2, 7, Decimal("28.57"))]
    whole_week = Transaction.objects.get(amount=Decimal("-100.00"))
    assert whole_week.reverses.period_start == WEEK_3
    assert whole_week.transaction_type == TransactionType.RENT_DEBIT

    tenancy.refresh_from_db()
    assert (tenancy.status, tenancy.end_date, tenancy.end_reason) == (
        TenancyStatus.FORMER,
        TUESDAY,
        EndReason.TENANTS_NOTICE,
    )
    assert tenancy.forwarding_address == "12 New Road\nBristol\nBS2 0AA"
    assert list(Charge.objects.filter(tenancy=tenancy).values_list("effective_to", flat=True)) == [TUESDAY]
    event = TenancyEvent.objects.get(tenancy=tenancy, kind=TenancyEventKind.ENDED)
    assert event.effective_date == TUESDAY
    assert event.reason == "Four weeks' notice given"
    assert event.recorded_by == officer
    assert event.detail["charges_reversed"] == "£171.43"
    assert event.detail["balance_after"] == "£128.57"
    assert event.detail["balance_is"] == "former-tenant arrears"
    assert "£171.43 of charges already posted for later days was reversed" in result.summary
    # The rent run again posts nothing for the weeks after the end.
    assert rent_debits_post(week_commencing=WEEK_3).posted_count == 0
    assert rent_debits_post(week_commencing=date(2026, 4, 27)).posted_count == 0
    assert _balance(tenancy) == Decimal("128.57")
    assert balance_differences() == []
    call_command("reconcile_balances")


def test_an_end_in_a_week_the_run_has_not_reached_leaves_the_part_week_to_the_run(officer):
    tenancy = TenancyFactory(start_date=date(2026, 3, 2))
    rent_debits_post(week_commencing=WEEK_1)
    result = tenancy_end(by=officer, tenancy=tenancy, last_day=date(2026, 4, 15), reason=EndReason.ABANDONMENT)
    assert result.differences == []
    assert result.still_to_charge == Decimal("42.86")  # 3 of 7 days at £100.00
    rent_debits_post(week_commencing=WEEK_2)
    assert _balance(tenancy) == Decimal("142.86")


def test_the_ended_account_leaves_the_worklist_as_former_tenant_arrears(officer):
    policies_install_shipped()
    tenancy = _three_weeks_charged(officer, payment_reference="RW555001")
    today = timezone.localdate()
    review_run(as_of=today)
    case = ArrearsCase.objects.get(account__tenancy=tenancy, status=CaseStatus.OPEN)
    assert worklist(tab="patch", as_of=today).filter(pk=case.pk).exists()

    result = tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.EVICTION)

    assert result.case_closed == case.pk
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.CLOSED, today)
    note = Contact.objects.get(case=case, kind=ContactKind.NOTE)
    assert note.notes == "Tenancy ended: the balance is now former-tenant arrears (£128.57)."
    assert note.recorded_by == officer
    assert not worklist(tab="patch", as_of=today).exists()
    former = list(former_tenancy_accounts(tab="former"))
    assert [(a.tenancy.payment_reference, a.balance) for a in former] == [("RW555001", Decimal("128.57"))]
    assert list(former_tenancy_accounts(tab="former", officer=officer)) == former
    assert not former_tenancy_accounts(tab="credits").exists()

    # The weekly review neither reopens the case nor recommends a current tenant's letter or notice: the balance is
    # worked on the former tenants' ladder (issue 16), on a case of its own, off the current tenants' worklist.
    run, _ = review_run(as_of=today + timedelta(days=7))
    assert not ArrearsCase.objects.filter(account__tenancy=tenancy, status=CaseStatus.OPEN, ladder="current").exists()
    recommendation = Recommendation.objects.get(run=run, account__tenancy=tenancy)
    assert recommendation.policy_version.policy.ladder == "former" and recommendation.case.ladder == "former"
    assert not worklist(tab="patch", as_of=today).exists()


def test_the_review_closes_the_open_case_of_a_tenancy_ended_without_the_service(officer):
    """A tenancy loaded as already ended (or ended before this release) still has its case closed by the review."""
    policies_install_shipped()
    tenancy = _three_weeks_charged(officer)
    today = timezone.localdate()
    review_run(as_of=today)
    case = ArrearsCase.objects.get(account__tenancy=tenancy, status=CaseStatus.OPEN)
    tenancy.status, tenancy.end_date = TenancyStatus.FORMER, TUESDAY
    tenancy.save()
    _, summary = review_run(as_of=today + timedelta(days=1), account_ids=[case.account_id], scope="test")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert summary.cases_closed == 1
    assert Contact.objects.get(case=case, kind=ContactKind.NOTE).notes.startswith(
        "Tenancy ended: the balance is now former-tenant arrears"
    )


def test_a_credit_is_offered_for_refund_and_the_person_who_asked_cannot_approve_it(officer, senior):
    tenancy = _three_weeks_charged(officer)
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-350.00"), WEEK_3, "pay")])
    result = tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    # £300.00 charged less £171.43 reversed is £128.57 owed; £350.00 paid leaves £221.43 in credit.
    assert result.credit == Decimal("221.43")
    assert [a.credit for a in former_tenancy_accounts(tab="credits")] == [Decimal("221.43")]

    # A senior officer asks (they may decide requests, just not their own).
    asker = user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("1000.00"))
    request = credit_refund_request(by=asker, tenancy=tenancy)
    assert (request.kind, request.amount, request.status) == (RequestKind.REFUND, Decimal("221.43"), "pending")
    assert former_tenancy_accounts(tab="credits").get().pending_request
    with pytest.raises(ValidationError, match="already waiting for approval"):
        credit_refund_request(by=officer, tenancy=tenancy)
    with pytest.raises(PermissionDenied, match="someone else must decide"):
        adjustment_request_approve(request=request, approver=asker, reason="Mine")
    assert _balance(tenancy) == Decimal("-221.43")
    adjustment_request_approve(request=request, approver=senior, reason="Bank details checked")
    assert _balance(tenancy) == Decimal("0.00")
    assert not former_tenancy_accounts(tab="credits").exists()
    call_command("reconcile_balances")


def test_a_credit_can_be_sent_to_another_account_by_an_approved_transfer(officer, senior):
    tenancy = _three_weeks_charged(officer)
    # The same tenant's other home: another household's account would need an Income Manager (test_transfer_rules).
    other = TenancyFactory(payment_reference="RW555099", lead_tenant=tenancy.named_tenants()[0])
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-150.00"), WEEK_3, "pay")])
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    request = credit_transfer_request(by=officer, tenancy=tenancy, to_tenancy=other)
    assert (request.kind, request.amount) == (RequestKind.TRANSFER, Decimal("21.43"))
    adjustment_request_approve(request=request, approver=senior, reason="Same tenant's other home")
    assert _balance(tenancy) == Decimal("0.00")
    assert _balance(other) == Decimal("-21.43")


def test_no_refund_is_asked_for_an_account_that_owes(officer):
    tenancy = _three_weeks_charged(officer)
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    with pytest.raises(ValidationError, match="is not in credit"):
        credit_refund_request(by=officer, tenancy=tenancy)


def test_the_direct_debit_is_cancelled(officer):
    tenancy = _three_weeks_charged(officer)
    mandate = direct_debit_mandate_create(
        tenancy=tenancy, reference="DD-END-1", collection_day=1, start_date=date(2026, 3, 1), user=officer
    )
    result = tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    mandate.refresh_from_db()
    tenancy.refresh_from_db()
    assert (mandate.status, mandate.cancelled_on) == (MandateStatus.CANCELLED, TUESDAY)
    assert tenancy.payment_method == PaymentMethod.BANK_TRANSFER
    assert tenancy.status == TenancyStatus.FORMER  # the mandate's own save did not undo the end
    assert result.mandates_cancelled == ["DD-END-1"]


def test_the_forwarding_address_becomes_the_correspondence_address_of_those_without_one(officer):
    keeps = PersonFactory(correspondence_address="c/o Sister\n1 High Street")
    tenancy = _three_weeks_charged(officer)
    tenancy.tenancy_tenants.create(person=keeps)
    lead = tenancy.named_tenants()[0]
    result = tenancy_end(
        by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE, forwarding_address="9 Elm Way"
    )
    lead.refresh_from_db()
    keeps.refresh_from_db()
    assert lead.correspondence_address == "9 Elm Way"
    assert keeps.correspondence_address == "c/o Sister\n1 High Street"
    assert (result.addresses_set, result.addresses_kept) == ([lead.full_name], [keeps.full_name])
    assert lead.history.first().history_change_reason == "Tenancy ended: letters go to the forwarding address"


def test_the_same_end_twice_changes_nothing_and_a_different_end_is_refused(officer):
    tenancy = _three_weeks_charged(officer)
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    postings = Transaction.objects.count()
    history = tenancy.history.count()
    again = tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    assert not again.changed
    assert again.balance == Decimal("128.57")
    assert "Nothing changed" in again.summary
    assert Transaction.objects.count() == postings
    assert tenancy.history.count() == history
    assert TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.ENDED).count() == 1
    with pytest.raises(ValidationError, match="use “Correct the end”"):
        tenancy_end(by=officer, tenancy=tenancy, last_day=date(2026, 4, 16), reason=EndReason.TENANTS_NOTICE)


def test_a_corrected_end_trues_the_charges_up_again_both_ways(officer):
    tenancy = _three_weeks_charged(officer)
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    # Later: Thursday 16 April, 4 of 7 days (£57.14): £28.57 more.
    later = tenancy_end_correct(by=officer, tenancy=tenancy, last_day=date(2026, 4, 16), note="Keys returned Thursday")
    assert later.added_total == Decimal("28.57")
    assert later.previous_last_day == TUESDAY
    assert _balance(tenancy) == Decimal("157.14")
    assert list(Charge.objects.filter(tenancy=tenancy).values_list("effective_to", flat=True)) == [date(2026, 4, 16)]
    # Into week 3: Monday 20 April, 1 of 7 days (£14.29) of the week reversed before; week 2 whole again (£100.00).
    into_week_3 = tenancy_end_correct(by=officer, tenancy=tenancy, last_day=WEEK_3, note="Keys returned Monday")
    assert into_week_3.added_total == Decimal("57.15")  # £42.86 for week 2 and £14.29 for week 3
    assert _balance(tenancy) == Decimal("214.29")
    # Back to the first end: £100.00 + £28.57 again.
    tenancy_end_correct(by=officer, tenancy=tenancy, last_day=TUESDAY, note="Entered the wrong day")
    assert _balance(tenancy) == Decimal("128.57")
    assert TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.END_CORRECTED).count() == 3
    unchanged = tenancy_end_correct(by=officer, tenancy=tenancy, last_day=TUESDAY, note="again")
    assert not unchanged.changed
    call_command("reconcile_balances")


def test_a_correction_needs_a_reason_and_an_ended_tenancy(officer):
    tenancy = _three_weeks_charged(officer)
    with pytest.raises(ValidationError, match="has not ended"):
        tenancy_end_correct(by=officer, tenancy=tenancy, last_day=TUESDAY, note="x")
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    with pytest.raises(ValidationError, match="Say why"):
        tenancy_end_correct(by=officer, tenancy=tenancy, last_day=WEEK_3, note=" ")


def test_the_last_day_is_checked(officer):
    tenancy = _three_weeks_charged(officer)
    with pytest.raises(ValidationError, match="before the tenancy started on 2 March 2026"):
        tenancy_end(by=officer, tenancy=tenancy, last_day=date(2026, 3, 1), reason=EndReason.TENANTS_NOTICE)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        tenancy_end(
            by=officer,
            tenancy=tenancy,
            last_day=timezone.localdate() + timedelta(days=1),
            reason=EndReason.TENANTS_NOTICE,
        )
    with pytest.raises(ValidationError, match="not a licence"):
        tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.LICENCE_ENDED)
    with pytest.raises(ValidationError, match="Choose why"):
        tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason="moved")
    tenancy.refresh_from_db()
    assert tenancy.status == TenancyStatus.CURRENT


def test_a_dry_run_works_out_the_figures_and_keeps_nothing(officer):
    tenancy = _three_weeks_charged(officer)
    preview = tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.DEATH, dry_run=True)
    assert (preview.reversed_total, preview.balance) == (Decimal("171.43"), Decimal("128.57"))
    tenancy.refresh_from_db()
    assert tenancy.status == TenancyStatus.CURRENT
    assert _balance(tenancy) == Decimal("300.00")
    assert not TenancyEvent.objects.filter(tenancy=tenancy).exists()
    assert Charge.objects.get(tenancy=tenancy).effective_to is None


def test_a_support_worker_cannot_end_a_tenancy_and_the_system_can():
    tenancy = TenancyFactory(start_date=date(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        tenancy_end(by=user_with_role(Role.SUPPORT_WORKER), tenancy=tenancy, last_day=TUESDAY, reason=EndReason.OTHER)
    assert tenancy_end(by=None, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.OTHER).changed


def test_final_charges_of_a_monthly_tenancy_by_day(officer):
    tenancy = TenancyFactory(start_date=date(2026, 1, 15), rent_period="monthly", weekly_rent=Decimal("450.00"))
    # The period 15 March – 14 April has 31 days; ending on 20 March charges 6 of them: £450 × 6 ÷ 31 = £87.10.
    lines = final_charges(tenancy=tenancy, last_day=date(2026, 3, 20))
    assert [(c.period_start, c.period_end, c.days_charged, c.days_in_period, c.due) for c in lines] == [
        (date(2026, 3, 15), date(2026, 4, 14), 6, 31, Decimal("87.10"))
    ]


def test_a_refund_is_asked_for_by_a_person(officer):
    """A refund asked for by the system is refused: a person must ask so that someone else can approve."""
    tenancy = _three_weeks_charged(officer)
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-350.00"), WEEK_3, "pay")])
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    with pytest.raises(ValidationError, match="asked for by a person"):
        credit_refund_request(by=None, tenancy=tenancy)
    assert not account.adjustment_requests.filter(status=RequestStatus.PENDING).exists()


def test_a_letter_queued_before_the_end_is_not_sent_to_the_former_tenant(officer):
    from arrears.letters import letter_requests_render
    from arrears.services import letters_queue

    policies_install_shipped()
    tenancy = _three_weeks_charged(officer)
    today = timezone.localdate()
    review_run(as_of=today)
    case = ArrearsCase.objects.get(account__tenancy=tenancy, status=CaseStatus.OPEN)
    recommendation = case.latest_recommendation
    recommendation.letter = "reminder_1"  # as if an officer had made the call the policy asks for first
    [queued] = letters_queue(
        recommendations=[recommendation], case_ids={case.account_id: case.pk}, on=today, run_label="officer"
    )
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.ABANDONMENT)
    assert letter_requests_render(request_ids=[queued.pk]) == {"not sent: tenancy ended": 1}
    queued.contact.refresh_from_db()
    assert queued.contact.outcome == "note"
    assert queued.contact.notes.endswith("Not sent: the tenancy ended before the letter went out.")
