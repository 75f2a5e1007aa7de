"""Every debt on its own ladder (issue 16): former tenants' arrears and rechargeable repairs and sundry debts, worked by
the weekly review under the shipped `former-tenants` and `sundry-debts` policies, step by step."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest

from arrears import review_facts_ladders
from arrears.constants import BreathingSpaceKind, CaseStatus, ContactKind, ContactOutcome, Ladder, ReferralStatus
from arrears.letters import letter_requests_render
from arrears.models import ArrearsCase, BreathingSpace, Contact, DebtAgencyReferral, LetterRequest, Recommendation
from arrears.review import review_run
from arrears.services import policies_install_shipped
from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, InsolvencyKind, InvoiceKind, TransactionType
from rentaccounts.models import InsolvencyOrder, Invoice
from rentaccounts.selectors_debts import DebtPosition
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenancyStatus
from tenancies.models import TenancyTenant
from tests.arrears.conftest import tenancy_in_patch_of
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 30)  # a Monday
FORWARDING = "Flat 2, 9 Canal Street\nLeeds\nLS1 4AB"


@pytest.fixture(autouse=True)
def installed():
    policies_install_shipped()


def _debit(account, amount: str, days_ago: int, kind=TransactionType.RENT_DEBIT):
    transactions_post(
        postings=[
            Posting(account.pk, kind, Decimal(amount), AS_OF - timedelta(days=days_ago), f"d:{account.pk}:{days_ago}")
        ]
    )


def _pay(account, amount: str, days_ago: int):
    transactions_post(
        postings=[
            Posting(
                account.pk,
                TransactionType.PAYMENT,
                -Decimal(amount),
                AS_OF - timedelta(days=days_ago),
                f"p:{account.pk}:{days_ago}",
            )
        ]
    )


def former(amount="300.00", *, ended_days_ago=30, forwarding=FORWARDING, officer=None, person=None):
    """An ended tenancy whose rent account owes `amount`; lifecycle made the forwarding address the lead tenant's
    correspondence address when it ended."""
    tenancy = tenancy_in_patch_of(
        officer,
        end_date=AS_OF - timedelta(days=ended_days_ago),
        status=TenancyStatus.FORMER,
        forwarding_address=forwarding,
        lead_tenant=person,
    )
    if forwarding and person is None:
        lead = tenancy.tenancy_tenants.get().person
        lead.correspondence_address = forwarding
        lead.save()
    account = account_get_or_create(tenancy=tenancy)
    _debit(account, amount, ended_days_ago + 10)
    account.refresh_from_db()
    return account


def on_ladder(account, ladder=Ladder.FORMER, *, step=None, days_ago=0, outcome=ContactOutcome.SENT):
    """The account's open case on a ladder, with its latest step (a letter or a contact code) taken `days_ago`."""
    case = ArrearsCase.objects.create(account=account, ladder=ladder, opened_on=AS_OF - timedelta(days=90))
    if step:
        Contact.objects.create(
            case=case,
            kind=ContactKind.LETTER if "letter" in step or "reminder" in step else ContactKind.NOTE,
            code=step,
            outcome=outcome,
            occurred_on=AS_OF - timedelta(days=days_ago),
        )
    return case


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap where the page is full: compare words


def action_of(account) -> Recommendation:
    return Recommendation.objects.filter(account=account).latest("run_id")


def _positions(monkeypatch, by_account: dict):
    """debt_positions (rentaccounts.selectors_debts, interface fixed) answering with the positions given."""
    real = review_facts_ladders.debt_positions

    def answer(*, account_ids, on):
        found = real(account_ids=account_ids, on=on)
        found.update({pk: position for pk, position in by_account.items() if pk in account_ids})
        return found

    monkeypatch.setattr(review_facts_ladders, "debt_positions", answer)


# ---- the former tenants' ladder -----------------------------------------------------------------------------------


def test_letter_1_goes_to_the_forwarding_address_once_a_week_on_a_new_former_ladder_case(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    templates_install_shipped()
    account = former("300.00")
    _, summary = review_run(as_of=AS_OF)
    case = ArrearsCase.objects.get(account=account, status=CaseStatus.OPEN)
    assert case.ladder == Ladder.FORMER and summary.cases_opened == 1
    recommendation = action_of(account)
    assert (recommendation.action, recommendation.letter) == ("former_letter_1", "former_tenant_letter_1")
    assert recommendation.policy_version.policy.name == "former-tenants"
    assert recommendation.facts["forwarding_address_known"] is True
    assert recommendation.arrears_weeks == 0  # never weeks of rent
    review_run(as_of=AS_OF + timedelta(days=2))  # the same week: not queued again
    request = LetterRequest.objects.get(case=case)
    assert request.letter == "former_tenant_letter_1" and request.contact.code == "former_tenant_letter_1"
    assert letter_requests_render(request_ids=[request.pk]) == {ContactOutcome.SENT: 1}
    text = _pdf_text(Document.objects.get().pdf.read())
    assert "Flat 2, 9 Canal Street Leeds LS1 4AB" in text  # the forwarding address
    assert "£300.00" in text and "StepChange" in text and "not paid before the tenancy ended" in text


def test_a_tenancy_still_settling_its_final_account_is_not_worked_yet():
    account = former("300.00", ended_days_ago=5)
    review_run(as_of=AS_OF)
    assert not ArrearsCase.objects.filter(account=account).exists()
    assert not Recommendation.objects.filter(account=account).exists()


def test_an_ended_tenancys_current_case_is_closed_and_a_former_ladder_case_opened():
    account = former("300.00")
    current = ArrearsCase.objects.create(account=account, opened_on=AS_OF - timedelta(days=200))
    Contact.objects.create(
        case=current, kind=ContactKind.LETTER, code="final_warning", outcome="sent", occurred_on=AS_OF - timedelta(50)
    )
    _, summary = review_run(as_of=AS_OF)
    current.refresh_from_db()
    assert current.status == CaseStatus.CLOSED and current.closed_on == AS_OF
    assert "former-tenant arrears" in current.contacts.get(kind=ContactKind.NOTE).notes
    new = ArrearsCase.objects.get(account=account, status=CaseStatus.OPEN)
    assert new.ladder == Ladder.FORMER and new.pk != current.pk
    # The closed case's steps (a final warning) are not the former ladder's: it starts at letter 1.
    assert action_of(account).action == "former_letter_1" and action_of(account).case_id == new.pk
    assert (summary.cases_closed, summary.cases_opened) == (1, 1)


def test_letter_2_fourteen_days_after_letter_1():
    account = former()
    case = on_ladder(account, step="former_tenant_letter_1", days_ago=13)
    review_run(as_of=AS_OF)
    assert action_of(account).action == "no_action"
    review_run(as_of=AS_OF + timedelta(days=1))
    assert action_of(account).action == "former_letter_2"
    assert LetterRequest.objects.get(case=case).letter == "former_tenant_letter_2"


def test_a_payment_since_the_letter_holds_the_ladder():
    account = former("300.00")
    on_ladder(account, step="former_tenant_letter_1", days_ago=20)
    _pay(account, "20.00", 3)
    stopped = former("300.00")
    on_ladder(stopped, step="former_tenant_letter_1", days_ago=50)
    _pay(stopped, "20.00", 45)  # paid after the letter, then nothing for 5 weeks: the ladder moves on
    review_run(as_of=AS_OF)
    assert action_of(account).action == "former_paying"
    assert action_of(stopped).action == "former_letter_2"


@pytest.mark.parametrize(
    ("forwarding", "returned", "expected"),
    [("", False, "trace_former_tenant"), (FORWARDING, True, "trace_former_tenant"), (FORWARDING, False, "x")],
)
def test_trace_when_no_forwarding_address_or_the_last_letter_came_back(forwarding, returned, expected):
    account = former(forwarding=forwarding)
    if returned:
        on_ladder(account, step="former_tenant_letter_1", days_ago=5, outcome=ContactOutcome.RETURNED)
    review_run(as_of=AS_OF)
    got = action_of(account).action
    assert got == expected if expected != "x" else got == "former_letter_1"


def test_traced_means_a_new_letter_and_not_traced_means_consider_a_write_off():
    traced = former()
    on_ladder(traced, step="trace_found", days_ago=2)
    lost = former(forwarding="")
    on_ladder(lost, step="trace_not_found", days_ago=2)
    review_run(as_of=AS_OF)
    assert action_of(traced).action == "former_letter_1"
    assert action_of(lost).action == "consider_write_off"
    assert "not traced" in action_of(lost).label


def test_a_former_tenant_with_a_current_tenancy_elsewhere_is_found_and_the_transfer_recommended():
    person = PersonFactory(first_name="Ada", last_name="Mover")
    account = former("300.00", person=person, forwarding="")
    now = TenancyFactory(payment_reference="RW990001", lead_tenant=person)
    review_run(as_of=AS_OF)
    recommendation = action_of(account)
    assert recommendation.action == "transfer_to_current_tenancy"
    assert recommendation.facts["current_tenancy_elsewhere"] is True
    assert recommendation.facts["current_tenancy_elsewhere_reference"] == now.payment_reference


def test_refer_to_the_agency_28_days_after_letter_2_with_no_payment_then_agency_collecting():
    account = former("300.00")
    case = on_ladder(account, step="former_tenant_letter_2", days_ago=27)
    review_run(as_of=AS_OF)
    assert action_of(account).action == "no_action"
    review_run(as_of=AS_OF + timedelta(days=1))
    assert action_of(account).action == "refer_to_agency"
    DebtAgencyReferral.objects.create(
        case=case, agency="Collect Ltd", referred_on=AS_OF, amount_referred=Decimal("300.00"), status="sent"
    )
    review_run(as_of=AS_OF + timedelta(days=7))
    assert (action_of(account).action, action_of(account).mode) == ("agency_collecting", "none")


def test_a_small_balance_after_letter_2_is_uneconomic_and_a_tiny_one_is_a_small_balance():
    small = former("40.00")
    on_ladder(small, step="former_tenant_letter_2", days_ago=30)
    tiny = former("6.50")
    review_run(as_of=AS_OF)
    assert action_of(small).action == "consider_write_off" and "uneconomic" in action_of(small).label
    assert action_of(tiny).action == "consider_write_off"


@pytest.mark.parametrize(("amount", "expected"), [("900.00", "prepare_money_claim"), ("300.00", "consider_write_off")])
def test_returned_by_the_agency_unpaid_a_money_claim_at_500_or_more(amount, expected):
    account = former(amount)
    case = on_ladder(account, step="agency_returned", days_ago=3)
    DebtAgencyReferral.objects.create(
        case=case,
        agency="Collect Ltd",
        referred_on=AS_OF - timedelta(days=120),
        amount_referred=Decimal(amount),
        status=ReferralStatus.RETURNED,
    )
    review_run(as_of=AS_OF)
    assert action_of(account).action == expected


def test_out_of_time_and_insolvency_parts_are_not_counted(monkeypatch):
    old = former("800.00")  # £790 out of time: £10 left, so no letter is
    mostly_old = former("800.00")  # £795 out of time: below the small-balance figure
    covered = former("500.00")  # all covered by an undischarged order
    _positions(
        monkeypatch,
        {
            old.pk: DebtPosition(balance=Decimal("800.00"), out_of_time=Decimal("790.00")),
            mostly_old.pk: DebtPosition(balance=Decimal("800.00"), out_of_time=Decimal("795.00")),
            covered.pk: DebtPosition(balance=Decimal("500.00"), insolvency_covered=Decimal("500.00")),
        },
    )
    review_run(as_of=AS_OF)
    assert action_of(old).action == "former_letter_1" and action_of(old).facts["recoverable_balance"] == "10.00"
    assert action_of(mostly_old).action == "consider_write_off"
    assert action_of(mostly_old).facts["out_of_time_amount"] == "795.00"
    assert (action_of(covered).action, action_of(covered).mode) == ("insolvency_hold", "none")


def test_a_current_tenants_arrears_covered_by_an_order_are_left_out_of_the_current_ladder(monkeypatch):
    tenancy = TenancyFactory()
    account = account_get_or_create(tenancy=tenancy)
    _debit(account, "250.00", 21)
    InsolvencyOrder.objects.create(
        person=tenancy.tenancy_tenants.get().person, kind=InsolvencyKind.DEBT_RELIEF_ORDER, made_on=AS_OF - timedelta(9)
    )
    untouched = TenancyFactory()
    other = account_get_or_create(tenancy=untouched)
    _debit(other, "250.00", 21)
    _positions(monkeypatch, {account.pk: DebtPosition(balance=Decimal("250.00"), insolvency_covered=Decimal("200"))})
    review_run(as_of=AS_OF)
    recommendation = action_of(account)
    assert recommendation.facts["balance"] == "50.00"  # only what the order does not cover: below a week's rent
    assert recommendation.facts["insolvency_covered_amount"] == "200.00"
    assert recommendation.action == "no_action"
    assert action_of(other).facts["balance"] == "250.00" and action_of(other).action != "no_action"


# ---- the sundry ladder ----------------------------------------------------------------------------------------------


def sundry(amount="120.00", *, invoice_days_ago=15, kind=AccountKind.RECHARGEABLE_REPAIRS, tenancy=None):
    tenancy = tenancy or TenancyFactory()
    account = account_get_or_create(tenancy=tenancy, kind=kind)
    _debit(account, amount, invoice_days_ago, TransactionType.RECHARGE)
    Invoice.objects.create(
        number=f"RCH-{account.pk:06d}",
        account=account,
        kind=InvoiceKind.RECHARGE,
        description="Replacing a kitchen door",
        amount=Decimal(amount),
        dated=AS_OF - timedelta(days=invoice_days_ago),
        raised_by=user_with_role(Role.INCOME_OFFICER),
    )
    account.refresh_from_db()
    return account


def test_a_sundry_reminder_14_days_after_the_invoice_then_a_final_reminder_then_the_agency():
    young = sundry(invoice_days_ago=10)
    due = sundry(invoice_days_ago=14)
    review_run(as_of=AS_OF)
    assert action_of(young).action == "no_action"
    assert (action_of(due).action, action_of(due).letter) == ("sundry_reminder", "sundry_reminder")
    case = ArrearsCase.objects.get(account=due)
    assert case.ladder == Ladder.SUNDRY
    assert LetterRequest.objects.filter(case=case, letter="sundry_reminder").count() == 1
    review_run(as_of=AS_OF + timedelta(days=1))
    assert LetterRequest.objects.filter(case=case).count() == 1  # once a week

    final = sundry(invoice_days_ago=40)
    on_ladder(final, Ladder.SUNDRY, step="sundry_reminder", days_ago=14)
    agency = sundry(invoice_days_ago=80, kind=AccountKind.SUNDRY)
    on_ladder(agency, Ladder.SUNDRY, step="sundry_final_reminder", days_ago=28)
    review_run(as_of=AS_OF + timedelta(days=7))
    assert action_of(final).action == "sundry_final_reminder"
    assert action_of(agency).action == "refer_to_agency"


def test_sundry_holds_write_offs_and_the_rent_ladder_untouched(monkeypatch):
    tenancy = TenancyFactory()
    rent = account_get_or_create(tenancy=tenancy)
    _debit(rent, "250.00", 21)
    recharge = sundry(tenancy=tenancy)
    small = sundry("7.00")
    collecting = sundry(invoice_days_ago=90)
    case = on_ladder(collecting, Ladder.SUNDRY, step="referred_to_agency", days_ago=20)
    DebtAgencyReferral.objects.create(
        case=case, agency="Collect Ltd", referred_on=AS_OF, amount_referred=Decimal("120.00"), status="referred"
    )
    covered = sundry()
    _positions(monkeypatch, {covered.pk: DebtPosition(balance=Decimal("120.00"), insolvency_covered=Decimal(120))})
    review_run(as_of=AS_OF)
    assert action_of(small).action == "consider_write_off"
    assert action_of(collecting).action == "agency_collecting"
    assert action_of(covered).action == "insolvency_hold"
    # The recharge is worked on its own account; the rent account's arrears are the rent alone.
    assert action_of(recharge).action == "sundry_reminder"
    assert action_of(rent).facts["balance"] == "250.00" and action_of(rent).facts["ladder"] == "current"
    assert ArrearsCase.objects.get(account=rent).ladder == Ladder.CURRENT


def test_court_costs_are_not_laddered():
    tenancy = TenancyFactory()
    costs = account_get_or_create(tenancy=tenancy, kind=AccountKind.COURT_COSTS)
    _debit(costs, "355.00", 30, TransactionType.COURT_COSTS)
    review_run(as_of=AS_OF)
    assert not Recommendation.objects.filter(account=costs).exists()


def test_a_joint_former_tenant_letter_goes_to_each_named_tenant_at_their_address(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    templates_install_shipped()
    account = former("300.00")
    TenancyTenant.objects.create(
        tenancy=account.tenancy,
        person=PersonFactory(first_name="Jo", last_name="Joint", correspondence_address="3 Hill Road\nYork"),
    )
    review_run(as_of=AS_OF)
    request = LetterRequest.objects.get()
    letter_requests_render(request_ids=[request.pk])
    assert Document.objects.count() == 2


def test_a_breathing_space_holds_both_ladders_and_no_letter_is_queued(law):
    gone = former("300.00")
    recharge = sundry("120.00", tenancy=TenancyFactory())
    for tenancy in (gone.tenancy, recharge.tenancy):
        BreathingSpace.objects.create(
            tenancy=tenancy,
            kind=BreathingSpaceKind.STANDARD,
            starts_on=AS_OF - timedelta(days=10),
            ends_on=AS_OF + timedelta(days=50),
            debt_covered=Decimal("300.00") if tenancy == gone.tenancy else Decimal("0.00"),
        )
    review_run(as_of=AS_OF)
    assert (action_of(gone).action, action_of(gone).mode) == ("breathing_space_hold", "none")
    # The moratorium recorded the rent debt; the recharge is held whole all the same (the cautious reading).
    assert (action_of(recharge).action, action_of(recharge).mode) == ("breathing_space_hold", "none")
    assert not LetterRequest.objects.exists()


def test_the_sundry_reminder_says_what_it_is_for_and_that_it_is_not_rent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    templates_install_shipped()
    account = sundry("120.00", invoice_days_ago=20)
    review_run(as_of=AS_OF)
    letter_requests_render(request_ids=[LetterRequest.objects.get().pk])
    text = _pdf_text(Document.objects.get().pdf.read())
    assert "This is not rent" in text and "does not affect your rent account" in text
    assert f"£120.00 is still unpaid for Replacing a kitchen door (invoice RCH-{account.pk:06d})" in text
    assert account.tenancy.property.address_lines[0] in text  # a current tenant: posted to the home


def test_the_review_keys_are_every_underscored_fact_on_each_ladder():
    """`_inputs` removes `REVIEW_KEYS` from each account's facts rather than testing every key: so every key the facts
    carry that starts with "_" (the review's own, never a policy's input) must be named there, on every ladder."""
    from arrears.constants import PolicyVersionStatus
    from arrears.models import ArrearsPolicyVersion
    from arrears.review import _inputs
    from arrears.review_facts import REVIEW_KEYS, facts_for_accounts

    live = ArrearsPolicyVersion.objects.filter(status=PolicyVersionStatus.LIVE).first()
    current = account_get_or_create(tenancy=tenancy_in_patch_of(None))
    _debit(current, "250.00", 14)
    accounts = [current, former(), sundry()]
    facts = facts_for_accounts(account_ids=[account.pk for account in accounts], as_of=AS_OF)
    assert {facts[account.pk]["_ladder"] for account in accounts} == {Ladder.CURRENT, Ladder.FORMER, Ladder.SUNDRY}
    for account in accounts:
        assert sorted(key for key in facts[account.pk] if key.startswith("_")) == sorted(REVIEW_KEYS)
        inputs = _inputs(facts[account.pk], live)
        assert not [key for key in inputs if key.startswith("_")]
