"""The arrears review on a real ledger: recommendations with reasons, cases, letters once, resume after a crash."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from arrears import review as review_module
from arrears.constants import BreathingSpaceKind, CaseStatus, ContactKind, ContactOutcome, ReviewStatus
from arrears.models import ArrearsCase, BreathingSpace, Contact, LetterRequest, Recommendation, ReviewRun
from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import PatchFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 30)  # a Monday


@pytest.fixture(autouse=True)
def policies():
    policies_install_shipped()


def owing(amount: str, *, officer=None, reference=None):
    """A weekly £100 tenancy whose rent account owes `amount` (posted as one old debit)."""
    patch = PatchFactory(officer=officer)
    fields = {"payment_reference": reference} if reference else {}
    tenancy = TenancyFactory(property=PropertyFactory(patch=patch), **fields)
    account = account_get_or_create(tenancy=tenancy)
    if Decimal(amount):
        transactions_post(
            postings=[
                Posting(
                    account.pk,
                    TransactionType.RENT_DEBIT,
                    Decimal(amount),
                    AS_OF - timedelta(days=21),
                    f"t:{account.pk}",
                )
            ]
        )
    account.refresh_from_db()
    return account


def latest(account) -> Recommendation:
    return Recommendation.objects.filter(account=account).latest("run_id")


def test_an_account_in_arrears_gets_a_case_for_its_patch_officer_and_an_explained_recommendation():
    officer = user_with_role(Role.INCOME_OFFICER)
    account = owing("250.00", officer=officer)
    paid_up = owing("0")
    run, summary = review_run(as_of=AS_OF)
    assert run.status == ReviewStatus.COMPLETED
    assert summary.accounts == 1  # the paid-up account is not reviewed
    case = ArrearsCase.objects.get(account=account)
    assert (case.status, case.officer, case.opened_on) == (CaseStatus.OPEN, officer, AS_OF)
    recommendation = latest(account)
    assert (recommendation.action, recommendation.rule) == ("contact_before_send_reminder_1", "first_reminder")
    assert recommendation.reasons[0] == (
        "real arrears £250.00 ≥ the greater of £10.00 and 1 × weekly rent (£100.00) = £100.00, that is £100.00"
    )
    assert recommendation.facts["balance"] == "250.00" and recommendation.facts["weekly_rent"] == "100.00"
    assert recommendation.policy_version.policy.name == "rentwise-default"
    assert not Recommendation.objects.filter(account=paid_up).exists()


def test_after_a_call_the_reminder_is_queued_once_however_often_the_review_runs():
    account = owing("250.00")
    review_run(as_of=AS_OF)
    case = ArrearsCase.objects.get(account=account)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.NO_ANSWER, occurred_on=AS_OF)
    _, summary = review_run(as_of=AS_OF)
    assert summary.letters_queued == 1
    request = LetterRequest.objects.get(case=case)
    assert (request.letter, request.week_commencing, request.contact.code) == ("reminder_1", AS_OF, "reminder_1")
    _, again = review_run(as_of=AS_OF)
    _, later_that_week = review_run(as_of=AS_OF + timedelta(days=2))
    assert again.letters_queued == later_that_week.letters_queued == 0
    assert LetterRequest.objects.filter(case=case).count() == 1
    assert Contact.objects.filter(case=case, kind=ContactKind.LETTER).count() == 1
    assert Recommendation.objects.filter(account=account).count() == 4  # one per run, each kept


def test_every_past_recommendation_is_kept_with_its_own_reasons():
    account = owing("250.00")
    review_run(as_of=AS_OF)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-250.00"), AS_OF, "pay:1")])
    review_run(as_of=AS_OF + timedelta(days=7))
    history = list(Recommendation.objects.filter(account=account).order_by("run_id").values_list("action", "balance"))
    assert history == [("contact_before_send_reminder_1", Decimal("250.00")), ("no_action", Decimal("0.00"))]
    assert ArrearsCase.objects.get(account=account).status == CaseStatus.CLOSED


def test_breathing_space_holds_the_case_and_queues_no_letter():
    account = owing("900.00")
    BreathingSpace.objects.create(
        tenancy=account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=AS_OF - timedelta(days=10),
        ends_on=AS_OF + timedelta(days=50),
        debt_covered=Decimal("900.00"),
    )
    _, summary = review_run(as_of=AS_OF)
    recommendation = latest(account)
    assert (recommendation.action, recommendation.mode) == ("breathing_space_hold", "none")
    assert summary.letters_queued == 0
    assert recommendation.blocked_by[0].startswith("breathing_space")


def test_a_dry_run_changes_nothing_and_reports_the_cases():
    owing("250.00")
    owing("5.00")
    before = (ReviewRun.objects.count(), ArrearsCase.objects.count(), Recommendation.objects.count())
    run, summary = review_run(as_of=AS_OF, dry_run=True)
    assert run is None
    assert (ReviewRun.objects.count(), ArrearsCase.objects.count(), Recommendation.objects.count()) == before
    assert summary.actions == {"contact_before_send_reminder_1": 1, "no_action": 1}
    assert [case["action"] for case in summary.cases] == ["contact_before_send_reminder_1"]


def test_a_review_killed_midway_is_finished_by_running_it_again_with_nothing_twice(monkeypatch):
    accounts = [owing("250.00") for _ in range(4)]
    for account in accounts:
        account_case = ArrearsCase.objects.create(account=account, opened_on=AS_OF - timedelta(days=30))
        Contact.objects.create(
            case=account_case, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE, occurred_on=AS_OF
        )
    monkeypatch.setattr(review_module, "_chunk_size", lambda: 1)
    real_chunk, calls = review_module._review_chunk, []

    def dies_on_the_third_chunk(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_chunk(*args)

    monkeypatch.setattr(review_module, "_review_chunk", dies_on_the_third_chunk)
    with pytest.raises(RuntimeError):
        review_run(as_of=AS_OF)
    failed = ReviewRun.objects.get()
    assert failed.status == ReviewStatus.FAILED and "Run it again" in failed.error
    assert failed.recommendations.count() == 2
    monkeypatch.setattr(review_module, "_review_chunk", real_chunk)
    run, _ = review_run(as_of=AS_OF)
    assert run.pk == failed.pk and run.status == ReviewStatus.COMPLETED
    assert run.recommendations.count() == 4
    assert LetterRequest.objects.count() == 4  # one per case, none twice
    assert run.summary["actions"] == {"send_reminder_1": 4}


def test_only_a_manager_or_the_scheduler_starts_a_review():
    with pytest.raises(PermissionDenied):
        review_run(as_of=AS_OF, started_by=user_with_role(Role.INCOME_OFFICER))
    run, _ = review_run(as_of=AS_OF, started_by=user_with_role(Role.INCOME_MANAGER))
    assert run.status == ReviewStatus.COMPLETED


def test_accounts_touched_by_a_payment_import_are_re_reviewed_straight_after(django_capture_on_commit_callbacks):
    from rentaccounts.imports.services import import_batch_create, import_batch_process

    account = owing("250.00", reference="RW-REVIEW-1")
    other = owing("250.00")
    content = b"payment_reference,date,amount,method,transaction_id\nRW-REVIEW-1,30/11/2026,50.00,card,T-1\n"
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=None)
        import_batch_process(batch_id=batch.pk)
    run = ReviewRun.objects.get(scope=f"import:{batch.pk}")
    assert list(run.recommendations.values_list("account_id", flat=True)) == [account.pk]
    assert latest(account).facts["balance"] == "200.00"
    assert not Recommendation.objects.filter(account=other).exists()


@pytest.mark.django_db(transaction=True)
def test_reading_the_next_chunk_ahead_gives_the_same_results_as_one_chunk_at_a_time(monkeypatch):
    """On PostgreSQL, outside a transaction, facts for the next chunk are read on a second connection meanwhile."""
    policies_install_shipped()
    accounts = [owing(f"{100 + 50 * n}.00") for n in range(5)]
    monkeypatch.setattr(review_module, "_chunk_size", lambda: 2)
    run, summary = review_run(as_of=AS_OF)
    assert run.status == ReviewStatus.COMPLETED and summary.accounts == 5
    by_account = {r.account_id: r.facts["balance"] for r in run.recommendations.all()}
    assert by_account == {account.pk: str(account.balance) for account in accounts}
    monkeypatch.setattr(review_module, "_chunk_size", lambda: 100)
    again, _ = review_run(as_of=AS_OF)
    pairs = lambda r: sorted(r.recommendations.values_list("account_id", "action", "reasons"))  # noqa: E731
    assert pairs(again) == pairs(run)


def test_a_dry_run_shows_how_this_weeks_recommendations_change_under_a_new_version(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from arrears.services import SHIPPED_POLICIES, policy_import

    small, large = owing("150.00"), owing("450.00")
    for account in (small, large):
        case = ArrearsCase.objects.create(account=account, opened_on=AS_OF - timedelta(days=30))
        Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE, occurred_on=AS_OF)
    # A draft that only reminds from 3 weeks' rent (instead of 1).
    text = (SHIPPED_POLICIES / "rentwise-default.yaml").read_text()
    draft_text = text.replace(
        "{greater_of: [10.00, {fact: weekly_rent, times: 1}]}", "{greater_of: [10.00, {fact: weekly_rent, times: 3}]}"
    )
    assert draft_text != text
    draft, _ = policy_import(text=draft_text)
    before = (ReviewRun.objects.count(), Recommendation.objects.count(), LetterRequest.objects.count())
    run, summary = review_run(as_of=AS_OF, dry_run=True, compare=draft)
    assert run is None
    assert (ReviewRun.objects.count(), Recommendation.objects.count(), LetterRequest.objects.count()) == before
    assert summary.compared_with == "rentwise-default version 2"
    assert summary.changes == {"send_reminder_1 → no_action": 1}
    assert summary.changed_cases[0]["payment_reference"] == small.tenancy.payment_reference
    out = StringIO()
    call_command(
        "run_arrears_review", "--dry-run", "--as-of", AS_OF.isoformat(), "--compare", "rentwise-default", stdout=out
    )
    assert "Under rentwise-default version 2 instead of the live version, 1 case changes:" in out.getvalue()
    assert "1  send_reminder_1 → no_action" in out.getvalue()


def test_a_case_opened_meanwhile_by_another_review_is_used_not_opened_twice(monkeypatch):
    account = owing("250.00")
    real = review_module.facts_for_accounts

    def case_opened_after_facts_were_read(**kwargs):
        facts = real(**kwargs)
        ArrearsCase.objects.create(account=account, opened_on=AS_OF)  # another review got there first
        return facts

    monkeypatch.setattr(review_module, "facts_for_accounts", case_opened_after_facts_were_read)
    run, _ = review_run(as_of=AS_OF)
    assert run.status == ReviewStatus.COMPLETED
    case = ArrearsCase.objects.get(account=account)
    assert Recommendation.objects.get(run=run).case == case


def test_a_case_repointed_after_its_facts_were_read_announces_the_change_from_what_it_really_pointed_at():
    """The review knows each case's newest recommendation from when it read the facts; if another review pointed the
    case elsewhere in between, the change announced (for webhooks) is from that one, looked up at the update."""
    from arrears.review_facts import facts_for_accounts
    from arrears.review_writes import _RECOMMENDATION_COLUMNS, _cases_point_at_latest
    from arrears.signals import recommendations_changed
    from tests.factories import signals_caught

    account = owing("250.00")
    review_run(as_of=AS_OF)
    read = facts_for_accounts(account_ids=[account.pk], as_of=AS_OF)[account.pk]["_case"]
    first = latest(account)
    assert (read.latest_recommendation_id, read.latest_action) == (first.pk, first.action)
    review_run(as_of=AS_OF + timedelta(days=7), account_ids=[account.pk], scope="another")
    between = latest(account)
    assert between.pk != first.pk
    Recommendation.objects.filter(pk=between.pk).update(action="an_action_in_between")
    row = dict.fromkeys(_RECOMMENDATION_COLUMNS)
    row.update(id=first.pk, case_id=read.pk, action="the_new_action")

    with signals_caught(recommendations_changed) as sent:
        _cases_point_at_latest([tuple(row.values())], [read])

    assert [kwargs["previous_actions"] for kwargs in sent] == [{read.pk: "an_action_in_between"}]
    assert ArrearsCase.objects.get(pk=read.pk).latest_recommendation_id == first.pk
