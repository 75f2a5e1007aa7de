"""Court costs awarded by an order: posted once to the court costs account from the hearing's outcome, corrected only by
a reversal and a new line, shown on the arrears case, the claim's page and in the court bundle apart from the rent
arrears, which never include them."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from arrears.constants import AgreementState
from arrears.models import Agreement, ArrearsCase
from courts.claims import claim_pack_make
from courts.constants import CourtOutcome
from courts.court import (
    court_costs_post,
    hearing_costs_correct,
    hearing_outcome_record,
    serious_arrears_at,
    warrant_request,
)
from courts.selectors import rent_position
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.selectors_court_costs import court_costs_position
from rentaccounts.services import Posting, transactions_post
from tenancies.constants import PaymentMethod, TenureType
from tests.courts.possession import claim_heard, claim_pack_made, notice_served_by_hand
from tests.factories import TenancyFactory, rent_debited_weekly, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]


def _pdf_text(document) -> str:
    with document.pdf.open("rb") as pdf:
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.read())).pages)


@pytest.fixture
def hearing(settings, tmp_path):
    """A secure tenancy £1,600 in arrears, its NOSP served 10 weeks ago, the claim issued and heard two days ago."""
    settings.MEDIA_ROOT = tmp_path
    tenancy = TenancyFactory(payment_reference="RW980001", tenure_type=TenureType.SECURE)
    account = rent_debited_weekly(tenancy, weeks_ago=range(16))
    today = timezone.localdate()
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = notice_served_by_hand(tenancy, "secure-nosp", today - timedelta(weeks=10), officer, signatory="P. Shah")
    legal_case = claim_pack_made(notice, officer)
    heard = claim_heard(legal_case, officer, issued_on=today - timedelta(weeks=5), hearing_on=today - timedelta(days=2),
                        claim_number="K00BS777", court_name="Bristol County Court")  # fmt: skip
    return {"hearing": heard, "case": legal_case, "officer": officer, "tenancy": tenancy, "account": account}


def _costs_lines(tenancy):
    return list(
        Transaction.objects.filter(account__tenancy=tenancy, account__kind=AccountKind.COURT_COSTS).order_by("id")
    )


def test_costs_in_the_order_are_posted_once_to_the_court_costs_account_and_never_to_the_rent(hearing):
    tenancy, officer, rent = hearing["tenancy"], hearing["officer"], hearing["account"]
    today = timezone.localdate()
    before = rent_position(tenancy=tenancy, on=today)
    serious_before = serious_arrears_at(hearing["case"].notice, today)

    hearing_outcome_record(hearing=hearing["hearing"], outcome=CourtOutcome.SUSPENDED, terms_amount=Decimal("10.00"),
                           costs=Decimal("355.00"), recorded_by=officer)  # fmt: skip

    [line] = _costs_lines(tenancy)
    assert line.transaction_type == TransactionType.COURT_COSTS and line.amount == Decimal("355.00")
    assert line.idempotency_key == f"court-costs:hearing:{hearing['hearing'].pk}"
    assert line.effective_date == hearing["hearing"].hearing_on and "K00BS777" in line.description
    rent.refresh_from_db()
    assert rent.balance == Decimal("1600.00")  # the rent account has no costs line
    after = rent_position(tenancy=tenancy, on=today)
    assert (after.balance, after.rent_arrears) == (before.balance, before.rent_arrears) == (Decimal("1600.00"),) * 2
    assert serious_arrears_at(hearing["case"].notice, today) == serious_before
    position = court_costs_position(tenancy=tenancy)
    assert (position.awarded, position.paid, position.owed) == (Decimal("355.00"), Decimal("0.00"), Decimal("355.00"))

    # The same outcome again posts nothing, whichever way it comes.
    assert court_costs_post(hearing=hearing["hearing"], posted_by=officer) == line
    with pytest.raises(ValidationError, match="already recorded"):
        hearing_outcome_record(hearing=hearing["hearing"], outcome=CourtOutcome.SUSPENDED,
                               terms_amount=Decimal("10.00"), costs=Decimal("355.00"), recorded_by=officer)  # fmt: skip
    assert len(_costs_lines(tenancy)) == 1
    assert balance_differences() == []


def test_no_costs_in_the_order_posts_nothing(hearing):
    hearing_outcome_record(
        hearing=hearing["hearing"], outcome=CourtOutcome.ADJOURNED_TO_ANOTHER_HEARING, recorded_by=hearing["officer"]
    )
    assert _costs_lines(hearing["tenancy"]) == []
    assert not court_costs_position(tenancy=hearing["tenancy"]).any


def test_a_correction_reverses_the_old_line_and_posts_the_new_one_never_an_update(hearing):
    heard, officer, tenancy = hearing["hearing"], hearing["officer"], hearing["tenancy"]
    hearing_outcome_record(hearing=heard, outcome=CourtOutcome.OUTRIGHT_ON_DATE, possession_on=heard.hearing_on
                           + timedelta(days=14), costs=Decimal("355.00"), recorded_by=officer)  # fmt: skip
    original = _costs_lines(tenancy)[0]

    with pytest.raises(ValidationError, match="Say why"):
        hearing_costs_correct(hearing=heard, costs=Decimal("455.00"), reason=" ", corrected_by=officer)
    with pytest.raises(PermissionDenied):
        hearing_costs_correct(hearing=heard, costs=Decimal("455.00"), reason="Order says £455",
                              corrected_by=user_with_role(Role.SUPPORT_WORKER))  # fmt: skip
    done = hearing_costs_correct(hearing=heard, costs=Decimal("455.00"), reason="The sealed order says £455.",
                                 corrected_by=officer)  # fmt: skip
    assert done == "The court costs of £355.00 were reversed and £455.00 posted in their place."
    lines = _costs_lines(tenancy)
    assert [(line.transaction_type, line.amount) for line in lines] == [
        (TransactionType.COURT_COSTS, Decimal("355.00")),
        (TransactionType.REVERSAL, Decimal("-355.00")),
        (TransactionType.COURT_COSTS, Decimal("455.00")),
    ]
    assert lines[1].reverses == original and "The sealed order says £455." in lines[1].description
    original.refresh_from_db()
    assert original.amount == Decimal("355.00")  # the first line is untouched
    heard.refresh_from_db()
    assert heard.costs == Decimal("455.00")
    assert court_costs_position(tenancy=tenancy).awarded == Decimal("455.00")

    # The same amount again changes nothing; then the costs set aside altogether.
    assert hearing_costs_correct(hearing=heard, costs=Decimal("455.00"), reason="Checked again.",
                                 corrected_by=officer).startswith("No change")  # fmt: skip
    assert len(_costs_lines(tenancy)) == 3
    hearing_costs_correct(hearing=heard, costs=Decimal("0"), reason="Costs set aside on appeal.", corrected_by=officer)
    position = court_costs_position(tenancy=tenancy)
    assert (position.awarded, position.owed, position.awards) == (Decimal("0.00"), Decimal("0.00"), [])
    assert court_costs_post(hearing=heard, posted_by=officer) is None  # never posted again after a correction
    assert len(_costs_lines(tenancy)) == 4
    assert hearing["account"].transactions.count() == 16  # nothing ever on the rent account
    assert balance_differences() == []


def test_costs_show_on_the_case_and_the_claim_page_and_in_the_bundle_apart_from_the_rent_arrears(client, hearing):
    heard, officer, tenancy, legal_case = hearing["hearing"], hearing["officer"], hearing["tenancy"], hearing["case"]
    client.force_login(officer)
    url = reverse("courts:legal_case", args=[legal_case.pk])
    page = client.post(url, {"record_outcome": "1", "hearing_id": heard.pk, "outcome": CourtOutcome.SUSPENDED,
                             "terms_amount": "10.00", "costs": "£355.00"}, follow=True).content.decode()  # fmt: skip
    assert "Outcome recorded" in page
    assert "Costs awarded to us: £355.00 (on the court costs account)" in page
    assert "Awarded to us" in page and "Owed" in page

    # A tenant pays £55 towards the costs.
    costs_account = Account.objects.get(tenancy=tenancy, kind=AccountKind.COURT_COSTS)
    payment = Posting(
        costs_account.pk, TransactionType.PAYMENT, Decimal("-55.00"), timezone.localdate(), "cc:pay", PaymentMethod.CARD
    )
    transactions_post(postings=[payment])
    case = ArrearsCase.objects.get(account=hearing["account"])
    case_page = client.get(reverse("arrears:case", args=[case.pk])).content.decode()
    assert "Court costs" in case_page
    for figure in ("£355.00", "£55.00", "£300.00 in arrears"):
        assert figure in case_page

    page = client.get(reverse("courts:hearing_costs", args=[legal_case.pk, heard.pk])).content.decode()
    assert "Correct the court costs" in page
    correct_url = reverse("courts:hearing_costs", args=[legal_case.pk, heard.pk])
    answer = {"costs": "412.50", "reason": "The sealed order says £412.50."}
    page = client.post(correct_url, answer, follow=True).content.decode()
    assert "The court costs of £355.00 were reversed and £412.50 posted in their place." in page
    bad = client.post(reverse("courts:hearing_costs", args=[legal_case.pk, heard.pk]), {"costs": "", "reason": ""})
    assert bad.status_code == 400 and "Enter the costs the order awards" in bad.content.decode()

    # The claim pack: a court costs section of its own; the rent arrears stay the rent.
    text = _pdf_text(claim_pack_make(legal_case=legal_case, made_by=officer))
    rent_part, costs_part = text.split("Court costs (not rent)")
    assert "Rent arrears today £1,600.00" in " ".join(rent_part.split())
    assert "£412.50" not in rent_part and "£355.00" not in rent_part
    costs_words = " ".join(costs_part.split())
    assert "Court costs awarded: £412.50. Paid: £55.00. Owed: £357.50." in costs_words

    # The statement of payments for a warrant (N325A) shows the costs apart from the rent balance.
    Agreement.objects.filter(case=case).update(state=AgreementState.BREACHED)
    heard.refresh_from_db()
    warrant = warrant_request(hearing=heard, reason="No payment since the order; two visits unanswered.",
                              requested_by=user_with_role(Role.SENIOR_INCOME_OFFICER))  # fmt: skip
    statement = _pdf_text(warrant.statement_of_payments)
    rent_part, costs_part = statement.split("Court costs (not rent)")
    assert "£412.50" not in rent_part and "£357.50" not in rent_part
    assert "Owed: £357.50" in " ".join(costs_part.split())
    assert rent_position(tenancy=tenancy, on=timezone.localdate()).rent_arrears == Decimal("1600.00")
    assert balance_differences() == []
