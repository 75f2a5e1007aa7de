"""The county court money claim pack for a former tenant's (or a sundry) debt: a letter before claim under the
Pre-Action Protocol for Debt Claims, the figures for the particulars of claim, and the statement of account, as one
PDF kept as a document and linked from the case's diary (docs/debts.md, "The money claim pack")."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from arrears.constants import Ladder
from arrears.models import ArrearsCase
from documents.constants import DeliveryState, DocumentKind
from documents.models import Document
from documents.rendering import pdf_from_html
from documents.services import document_store
from incomeapp.money import ZERO, format_money
from incomeapp.roles import staff_require
from rentaccounts.selectors_debts import debt_positions
from rentaccounts.services.statements import account_statement

from .breathing_space import moratorium_hold
from .recovery import MONEY_CLAIM_PACK, diary_note
from .rereview import case_re_review

REPLY_DAYS = 30  # Pre-Action Protocol for Debt Claims, para 4.1: the debtor replies within 30 days of the letter


@transaction.atomic
def money_claim_pack_make(*, case: ArrearsCase, made_by) -> Document:
    """Makes the pack for the case's recoverable debt. Refused while a Breathing Space protects the debt (no step to
    enforce it, SI 2020/1311 reg 7) and when nothing can be recovered. Interest: none is claimed, and the court fee is
    left for the officer to enter on Money Claim Online (product decisions, docs/debts.md)."""
    staff_require(made_by, "documents.add_document", "make money claim packs")
    staff_require(made_by, "arrears.add_contact", "make money claim packs")
    today = timezone.localdate()
    account = case.account
    tenancy = account.tenancy
    moratorium_hold(tenancy=tenancy, on=today, step="a money claim", rule="R-BS-11")
    position = debt_positions(account_ids=[account.pk], on=today)[account.pk]
    claimed = position.recoverable
    if claimed <= ZERO:
        raise ValidationError("Nothing on this account can be recovered, so there is nothing to claim.")
    people = tenancy.named_tenants()
    provider = tenancy.property.scheme.provider
    context = {
        "case": case,
        "tenancy": tenancy,
        "people": people,
        "recipients": [{"name": person.full_name, "lines": person.postal_lines(_home(tenancy))} for person in people],
        "landlord": provider.letterhead,
        "position": position,
        "claimed": claimed,
        "not_claimed": position.balance - claimed,
        "reply_by": today + timedelta(days=REPLY_DAYS),
        "reply_days": REPLY_DAYS,
        "statement": account_statement(account=account, date_from=tenancy.start_date, date_to=today),
        "debt_kind": case.get_ladder_display(),
        "today": today,
    }
    pdf = pdf_from_html(render_to_string("arrears/money_claim_pack.html", context))
    document = document_store(
        kind=DocumentKind.CLAIM_PACK,
        pdf=pdf,
        title=f"Money claim pack, {tenancy.payment_reference}, {today:%-d %B %Y}",
        reference=tenancy.payment_reference,
        subject_key=f"arrears-case:{case.pk}:money-claim",
        recipient_name=" and ".join(person.full_name for person in people),
        made_by=made_by,
        made_by_run=f"arrears-case:{case.pk}",
        delivery_state=DeliveryState.TO_PRINT,
    )
    diary_note(
        case=case,
        code=MONEY_CLAIM_PACK,
        notes=(
            f"Money claim pack made for {format_money(claimed)}: the letter before claim gives {REPLY_DAYS} days to "
            f"reply (until {context['reply_by']:%-d %B %Y}); no claim may be issued before then. "
            f"Document {document.pk}."
        ),
        on=today,
        recorded_by=made_by,
    )
    case_re_review(case)
    return document


def _home(tenancy) -> list[str] | None:
    # A former tenant's old home is no longer theirs: post to their correspondence (forwarding) address.
    if tenancy.end_date is not None and tenancy.end_date < timezone.localdate():
        forwarding = [line.strip() for line in tenancy.forwarding_address.splitlines() if line.strip()]
        return forwarding or None
    return tenancy.property.address_lines


def money_claim_packs(*, case: ArrearsCase) -> list[Document]:
    """The case's money claim packs, newest first (the diary links them)."""
    return list(Document.objects.filter(subject_key=f"arrears-case:{case.pk}:money-claim").order_by("-id"))


def recovery_panel(*, case: ArrearsCase) -> dict:
    """What the case page's recovery section shows: whether it applies (an ended tenancy, or a former or sundry
    ladder), the case's debt agency referrals and its money claim packs."""
    tenancy = case.account.tenancy
    return {
        "recovery_shown": case.ladder != Ladder.CURRENT or tenancy.end_date is not None,
        "agency_referrals": list(case.agency_referrals.select_related("export").order_by("-pk")),
        "money_claim_packs": money_claim_packs(case=case),
    }
