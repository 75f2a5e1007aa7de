"""Reads for legal action: the rent lawfully due and unpaid on a date (only rent counts for possession grounds), a
notice's last day for proceedings as moved by any Breathing Space (R-BS-14, with the moratoria from
`arrears.selectors`), and Universal Credit awaited (for the Renters' Rights Act disregard)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from arrears.benefits import ClaimTerms, expected_benefit
from arrears.constants import (
    REACHED_OUTCOMES,
    AgreementState,
    ClaimStatus,
    ContactKind,
    ContactOutcome,
    ReferralKind,
)
from arrears.models import (
    Agreement,
    ArrearsCase,
    BenefitClaim,
    Contact,
    DirectPaymentRequest,
    LetterRequest,
    Referral,
    VulnerabilityReview,
)
from arrears.moratorium import deadline_moved
from arrears.selectors import moratoria, moratorium_law, moratorium_on
from documents.models import Document
from incomeapp.money import ZERO
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from tenancies.models import Charge, Tenancy

from .models import GroundRule, Notice
from .protocol import GateFacts

# Debits in a rent account that are not rent (R-AST-01: court costs, rechargeable repairs and sundry debts are not rent
# arrears). Charge debits count only when their charge is reserved as rent (Charge.counts_as_rent). A Housing Benefit
# overpayment recovered from us is on the rent account and in its balance, but not counted as rent arrears for a
# notice or the serious-arrears ground: treating it as rent is open to challenge (R-HB-03), and overstated arrears
# lose a claim (docs/debts.md, "Housing Benefit overpayments").
NOT_RENT = (
    TransactionType.COURT_COSTS,
    TransactionType.RECHARGE,
    TransactionType.SUNDRY,
    TransactionType.HB_OVERPAYMENT,
)


@dataclass
class RentPosition:
    on: date
    rent_period: str
    rent_per_period: Decimal
    balance: Decimal
    rent_arrears: Decimal
    excluded: list[dict] = field(default_factory=list)  # the non-rent debits left out, with their amounts


def rent_per_period(*, tenancy: Tenancy, on: date) -> Decimal:
    """The rent lawfully due each period on a date: the charges in effect that count as rent."""
    charges = Charge.objects.in_effect(on).counting_as_rent().filter(tenancy=tenancy)
    return sum((charge.amount for charge in charges), ZERO)


def rent_position(*, tenancy: Tenancy, on: date) -> RentPosition:
    """The rent account's balance on a date and the part of it that is rent lawfully due.

    Payments are taken to clear the oldest debts first (the landlord's default appropriation, legal-spec R-CRT-01), so
    what is unpaid is made of the newest debits: walking back from the date until they add up to the balance, every
    debit that is not rent is left out. Debits later reversed are skipped (their reversal already cut the balance)."""
    account = Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT)
    lines = account.transactions.filter(effective_date__lte=on)
    balance = sum(lines.values_list("amount", flat=True), ZERO)
    position = RentPosition(
        on=on,
        rent_period=tenancy.rent_period,
        rent_per_period=rent_per_period(tenancy=tenancy, on=on),
        balance=balance,
        rent_arrears=max(balance, ZERO),
    )
    if balance <= 0:
        return position
    not_rent_charges = set(tenancy.charges.filter(counts_as_rent=False).values_list("id", flat=True))
    reversed_ids = set(
        Transaction.objects.filter(account=account, reverses__isnull=False, effective_date__lte=on).values_list(
            "reverses_id", flat=True
        )
    )
    unpaid, excluded = balance, ZERO
    debits = lines.filter(amount__gt=0).order_by("-effective_date", "-id")
    for debit in debits.iterator(chunk_size=200):
        if unpaid <= 0:
            break
        if debit.pk in reversed_ids:
            continue
        part = min(debit.amount, unpaid)
        unpaid -= part
        if _is_rent(debit, not_rent_charges):
            continue
        excluded += part
        position.excluded.append(
            {
                "date": debit.effective_date,
                "what": debit.description or debit.get_transaction_type_display(),
                "amount": part,
            }
        )
    position.rent_arrears = max(balance - excluded, ZERO)
    return position


def _is_rent(debit: Transaction, not_rent_charges: set[int]) -> bool:
    if debit.transaction_type in NOT_RENT:
        return False
    if debit.transaction_type == TransactionType.CHARGE_DEBIT and debit.idempotency_key.startswith("charge:"):
        charge_id = debit.idempotency_key.rsplit(":", 1)[1]
        return not (charge_id.isdigit() and int(charge_id) in not_rent_charges)
    return True


def grounds_for_arrears(*, rule_id: int | None, codes: list[str]) -> bool:
    """Whether a notice relies on a rent-arrears ground (`GroundRule.for_arrears`): a notice on such grounds is barred,
    and void if served, during a Breathing Space (R-BS-12). A section 21 notice has no grounds, so it is not one."""
    return GroundRule.objects.filter(notice_rule_id=rule_id, code__in=codes, for_arrears=True).exists()


def notice_for_arrears(notice: Notice) -> bool:
    return grounds_for_arrears(rule_id=notice.notice_rule_id, codes=[ground.get("code") for ground in notice.grounds])


def notice_lapse(notice: Notice, on: date | None = None) -> tuple[date | None, str]:
    """The last day for proceedings on a notice as it stands now, and why it moved ("" when it did not). R-BS-14: a
    lapse date inside a Breathing Space moves to 8 weeks after it ends, and again when the end is recorded or changes
    (worked out each time from `Notice.lapses_on`, the statutory date, which is never rewritten). None with a reason:
    the moratorium's end is not yet known; None without one: no statutory limit. Only a notice on rent-arrears grounds
    is a step to enforce the moratorium debt, so a section 21 notice keeps its own date. The figures are the law in
    force on `on` (default: the date of service)."""
    if notice.lapses_on is None or not notice_for_arrears(notice):
        return notice.lapses_on, ""
    return deadline_moved(notice.lapses_on, moratoria(tenancy=notice.tenancy), moratorium_law(on or notice.served_on))


def uc_awaited(*, tenancy: Tenancy, on: date) -> Decimal:
    """Universal Credit housing costs for days already passed that have not been paid yet (one cycle at most), for
    the Renters' Rights Act's Ground 8 disregard. Counted whether UC is paid to the tenant or to the landlord."""
    account = Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT)
    last = (
        account.transactions.filter(
            Q(transaction_type=TransactionType.UC_MANAGED_PAYMENT), amount__lt=0, effective_date__lte=on
        )
        .order_by("-effective_date", "-id")
        .first()
    )
    paid_up_to = (last.period_end or last.effective_date) if last else None
    return sum(
        (
            expected_benefit(
                ClaimTerms(claim.benefit, claim.status, claim.weekly_amount, True, claim.started_on),
                paid_up_to=paid_up_to,
                as_of=on,
            )
            for claim in BenefitClaim.objects.filter(tenancy=tenancy, benefit="uc")
        ),
        ZERO,
    )


SPOKEN_KINDS = (ContactKind.CALL, ContactKind.VISIT, ContactKind.SURGERY)
WRITTEN_KINDS = (ContactKind.LETTER, ContactKind.EMAIL, ContactKind.SMS)


def tenants_reached(*, person_ids: list[int], cases, reference: str) -> set[int]:
    """R-PAP-10, judged per named tenant: who was reached. Only what reached the person counts (REACHED_OUTCOMES): a
    call, visit or surgery when they were spoken to; a letter, email or text once sent, not queued, failed, withheld
    or returned (a text or email is "sent" only once the provider reports it delivered); a reply by text or email
    from the tenant counts for them, and no returned letter cancels it. A letter an automatic request made counts for
    the tenant it was made out to (its document), while its request's contact says sent and the document did not
    fail. Each returned letter recorded for a tenant cancels the
    latest letter to them on or before that date. A contact with no person named counts (and a returned letter with
    no person cancels) for a sole tenant; on a joint tenancy it reaches nobody, but its return cancels for everyone."""
    sole = person_ids[0] if len(person_ids) == 1 else None
    reached: set[int] = set()
    letters: dict[int, list[date]] = {person_id: [] for person_id in person_ids}
    returned: dict[int, list[date]] = {person_id: [] for person_id in person_ids}
    requests = {
        request_id: (outcome, person_id, on)
        for request_id, outcome, person_id, on in LetterRequest.objects.filter(case__in=cases).values_list(
            "pk", "contact__outcome", "contact__person_id", "contact__occurred_on"
        )
    }
    contacts = Contact.objects.filter(case__in=cases, letterrequest__isnull=True)
    for person_id, kind, outcome, on in contacts.values_list("person_id", "kind", "outcome", "occurred_on"):
        who = person_id if person_id is not None else sole
        if kind == ContactKind.LETTER and outcome == ContactOutcome.RETURNED:
            for tenant in [who] if who is not None else person_ids:
                if tenant in returned:
                    returned[tenant].append(on)
            continue
        if kind in WRITTEN_KINDS and outcome == ContactOutcome.REPLIED and who in letters:
            # A reply by text or email is the tenant writing to us: they were reached (whatever came back by post).
            reached.add(who)
            continue
        if who not in letters or outcome not in REACHED_OUTCOMES:
            continue
        if kind in SPOKEN_KINDS and outcome == ContactOutcome.SPOKE:
            reached.add(who)
        elif kind in WRITTEN_KINDS and outcome == ContactOutcome.SENT:
            letters[who].append(on)
    documented = set()
    for key, made_on in (
        Document.objects.filter(reference=reference, subject_key__startswith="letter-request:")
        .exclude(delivery_state="failed")
        .values_list("subject_key", "created_at__date")
    ):
        parts = key.split(":")  # letter-request:<request id>:person:<person id>
        if len(parts) != 4 or not (parts[1].isdigit() and parts[3].isdigit()) or int(parts[1]) not in requests:
            continue
        documented.add(int(parts[1]))
        if requests[int(parts[1])][0] == ContactOutcome.SENT and int(parts[3]) in letters:
            letters[int(parts[3])].append(made_on)
    for request_id, (outcome, person_id, on) in requests.items():  # a sent request with no document on record
        who = person_id if person_id is not None else sole
        if request_id not in documented and outcome == ContactOutcome.SENT and who in letters:
            letters[who].append(on)
    for tenant, sent in letters.items():
        remaining = sorted(sent)
        for returned_on in sorted(returned[tenant]):
            before = [day for day in remaining if day <= returned_on]
            if before:
                remaining.remove(before[-1])
        if remaining:
            reached.add(tenant)
    return reached


def gate_facts(*, legal_case, today: date):
    """What the record shows for the protocol gate: contacts and letters per named tenant, statements, referrals,
    benefit claims and requests, agreements, the vulnerability review, Breathing Space and the notice."""
    tenancy = legal_case.tenancy
    notice = legal_case.notice
    people = [(person.pk, person.full_name) for person in tenancy.named_tenants()]
    cases = ArrearsCase.objects.filter(account__tenancy=tenancy)
    contacted = tenants_reached(
        person_ids=[person_id for person_id, _ in people], cases=cases, reference=tenancy.payment_reference
    )
    statement = (
        Document.objects.filter(
            reference=tenancy.payment_reference, kind="statement", created_at__date__gte=today - timedelta(weeks=13)
        )
        .exclude(delivery_state="failed")
        .order_by("-created_at")
        .first()
    )
    referrals = Referral.objects.filter(case__in=cases)
    benefit_help = referrals.filter(kind=ReferralKind.BENEFITS_ADVICE).order_by("-made_on").first()
    claims = list(BenefitClaim.objects.filter(tenancy=tenancy))
    first_claim = min((c.started_on for c in claims), default=None)
    debt_advice = referrals.filter(kind=ReferralKind.DEBT_ADVICE).order_by("-made_on").first()
    direct = DirectPaymentRequest.objects.filter(tenancy=tenancy).exclude(status="refused").order_by("-requested_on")
    agreements = Agreement.objects.filter(case__in=cases).exclude(state=AgreementState.CANCELLED)
    first_agreement = agreements.order_by("starts_on").first()
    review = VulnerabilityReview.objects.filter(case__in=cases).order_by("-reviewed_on").first()
    lapses_on, lapse_note = notice_lapse(notice)  # R-BS-14: the moved last day for proceedings
    return GateFacts(
        today=today,
        tenants=people,
        contacted_person_ids=contacted,
        statement_sent_on=statement.created_at.date() if statement else None,
        benefit_help_on=benefit_help.made_on if benefit_help else first_claim,
        benefit_claim=bool(claims),
        direct_payment_requested_on=direct.first().requested_on if direct.exists() else None,
        debt_advice_on=debt_advice.made_on if debt_advice else None,
        agreement_offered_on=first_agreement.starts_on if first_agreement else None,
        agreement_being_kept=agreements.filter(state=AgreementState.LIVE).exists(),
        vulnerability_reviewed_on=review.reviewed_on if review else None,
        pending_claim_with_evidence=any(c.status == ClaimStatus.PENDING and c.evidence_complete for c in claims),
        breathing_space=moratorium_on(tenancy=tenancy, on=today) is not None,  # R-BS-03: a joint tenant's too
        notice_label=notice.label,
        notice_proceedings_after=notice.earliest_proceedings_on,
        notice_lapses_on=lapses_on,
        notice_original_lapses_on=notice.lapses_on,
        notice_lapse_note=lapse_note,
        notice_void_reason=notice.void_reason or ("Void." if notice.voided_on else ""),
        mandatory_ground=notice.notice_type == "s21" or any(g.get("kind") == "mandatory" for g in notice.grounds),
        part3_letter_on=legal_case.part3_letter_on,
        assessment=legal_case.assessment,
        confirmations=dict(legal_case.confirmations.values_list("key", "note")),
        review_by=notice.review_by,
        review_requested_on=notice.review_requested_on,
        review_decision_on=notice.review_decision_on,
        review_upheld=notice.review_upheld,
    )
