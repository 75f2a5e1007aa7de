"""The files exchanged with a debt collection agency (docs/debts.md, "Recovery actions"): the export file of the debts
referred to it, and its return file of what it collected and the cases it gives back.

A return file is read once (refused by its SHA-256); each amount collected is posted to the referral's account as a
payment collected by the agency, under a key made from the row, so the same row in a later file posts nothing; a bad
row is reported in plain words and every good row still counts."""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.constants import ReferralStatus
from arrears.models import DebtAgencyExport, DebtAgencyReferral, DebtAgencyReturn
from incomeapp.csvsafe import SafeCsvWriter
from incomeapp.money import ZERO, format_money
from incomeapp.roles import staff_require
from rentaccounts.constants import TransactionType
from rentaccounts.models import Transaction
from rentaccounts.services.ledger import Posting, transactions_post
from tenancies.constants import PaymentMethod

from .recovery import AGENCY_RETURNED, debt_agencies, diary_note
from .rereview import re_review

EXPORT_COLUMNS = [
    "our_reference",
    "payment_reference",
    "debt_kind",
    "amount_referred",
    "tenancy_end_date",
    "debtor_1_name",
    "debtor_1_date_of_birth",
    "debtor_2_name",
    "debtor_2_date_of_birth",
    "other_debtors",
    "last_known_address",
    "forwarding_address",
    "referred_on",
]
RETURN_COLUMNS = ["our_reference", "agency_reference", "amount_collected", "collected_on", "status", "note"]
RETURN_STATUSES = {"collecting": None, "paid": ReferralStatus.PAID, "returned": ReferralStatus.RETURNED}
_LIVE = (ReferralStatus.REFERRED, ReferralStatus.SENT)
_REFERENCE = re.compile(r"^(?P<payment>.+)-(?P<pk>\d+)$")


def referral_reference(referral: DebtAgencyReferral) -> str:
    """Our reference for a referral in both files: the payment reference and the referral's number."""
    return f"{referral.case.account.tenancy.payment_reference}-{referral.pk}"


def _one_line(text: str) -> str:
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def _export_row(referral: DebtAgencyReferral) -> list:
    tenancy = referral.case.account.tenancy
    people = tenancy.named_tenants()
    first, second = [*people, None, None][:2]
    forwarding = next((p.correspondence_address for p in people if p.correspondence_address.strip()), "")
    return [
        referral_reference(referral),
        tenancy.payment_reference,
        referral.case.get_ladder_display(),
        f"{referral.amount_referred:.2f}",
        tenancy.end_date.isoformat() if tenancy.end_date else "",
        first.full_name if first else "",
        first.date_of_birth.isoformat() if first and first.date_of_birth else "",
        second.full_name if second else "",
        second.date_of_birth.isoformat() if second and second.date_of_birth else "",
        "; ".join(p.full_name for p in people[2:]),
        tenancy.property.one_line_address,
        _one_line(forwarding or tenancy.forwarding_address),
        referral.referred_on.isoformat(),
    ]


@transaction.atomic
def agency_export_make(*, agency: str, made_by) -> DebtAgencyExport:
    """The export file of every referral to `agency` not yet sent, kept for audit; those referrals are then sent.
    Making it again sends nothing twice: with nothing waiting it is refused."""
    staff_require(made_by, "arrears.add_debtagencyexport", "make debt agency export files")
    if agency not in debt_agencies():
        raise ValidationError("Choose one of the debt collection agencies we use.")
    referrals = list(
        DebtAgencyReferral.objects.select_for_update(of=("self",))
        .filter(agency=agency, status=ReferralStatus.REFERRED)
        .select_related("case__account__tenancy__property")
        .order_by("pk")
    )
    if not referrals:
        raise ValidationError(f"No referrals to {agency} are waiting to be sent, so there is nothing to export.")
    handle = io.StringIO()
    writer = SafeCsvWriter(handle)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(_export_row(referral) for referral in referrals)
    now = timezone.localtime()
    export = DebtAgencyExport.objects.create(
        agency=agency,
        file_name=f"referrals-{_slug(agency)}-{now:%Y%m%d-%H%M%S}.csv",
        content=handle.getvalue().encode("utf-8"),
        made_by=made_by,
    )
    for referral in referrals:
        referral.status, referral.export = ReferralStatus.SENT, export
        referral.save(update_fields=["status", "export", "updated_at"])
    return export


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "agency"


@dataclass
class _Row:
    number: int
    reference: str
    referral: DebtAgencyReferral | None = None
    agency_reference: str = ""
    amount: Decimal = ZERO
    collected_on: date | None = None
    status: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        # From the row's own content: the same collection in a later file finds this key and posts nothing.
        return f"agency:{self.referral.pk}:{self.agency_reference}:{self.collected_on:%Y%m%d}:{self.amount:.2f}"


def _parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _read_row(number: int, cells: dict, agency: str, referrals: dict, today: date) -> tuple[_Row, str]:
    """The row read, and what is wrong with it in plain words ("" when nothing is)."""
    row = _Row(number=number, reference=(cells.get("our_reference") or "").strip())
    match = _REFERENCE.match(row.reference)
    referral = referrals.get(int(match["pk"])) if match else None
    if referral is None or referral.case.account.tenancy.payment_reference != match["payment"]:
        return row, f"Our reference “{row.reference}” is not a debt we referred. Check it against the export file."
    if referral.agency != agency:
        return row, f"{row.reference} was referred to {referral.agency}, not to {agency}."
    if referral.status == ReferralStatus.REFERRED:
        return row, f"{row.reference} has not been sent to the agency yet (no export file has held it)."
    row.referral = referral
    row.agency_reference = (cells.get("agency_reference") or "").strip()[:60]
    row.note = (cells.get("note") or "").strip()[:200]
    row.status = (cells.get("status") or "").strip().lower()
    if row.status not in RETURN_STATUSES:
        return row, f"The status “{row.status}” is not one we know: use collecting, paid or returned."
    try:
        row.amount = Decimal((cells.get("amount_collected") or "0").strip().replace("£", "").replace(",", "") or "0")
    except InvalidOperation:
        return row, f"The amount collected “{cells.get('amount_collected')}” is not an amount of money."
    if row.amount < 0 or row.amount != row.amount.quantize(Decimal("0.01")):
        return row, "The amount collected must be zero or more, in pounds and pence (for example 25.50)."
    row.collected_on = _parse_date(cells.get("collected_on") or "")
    if row.collected_on is None:
        return row, "The date collected is missing or not a date: write it as 2026-11-30 or 30/11/2026."
    if row.collected_on > today:
        return row, f"The date collected, {row.collected_on:%-d %B %Y}, is in the future."
    return row, ""


@transaction.atomic
def agency_return_import(*, agency: str, file_name: str, content: bytes, imported_by) -> DebtAgencyReturn:
    """Reads an agency's return file (RETURN_COLUMNS, docs/debts.md): posts each amount collected once, closes each
    referral the agency paid or returned with a diary note, reports every bad row, and asks for a re-review of the
    accounts touched. The same file twice is refused."""
    staff_require(imported_by, "arrears.add_debtagencyreturn", "import debt agency return files")
    if agency not in debt_agencies():
        raise ValidationError("Choose one of the debt collection agencies we use.")
    digest = hashlib.sha256(content).hexdigest()
    earlier = DebtAgencyReturn.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise ValidationError(
            f"This file was already imported on {timezone.localtime(earlier.created_at):%-d %B %Y} "
            f"(“{earlier.file_name}”): nothing was posted again."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            "The file is not a CSV file in UTF-8 text. Save it from the spreadsheet as CSV."
        ) from error
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in RETURN_COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(
            f"The file's first row must name the columns {', '.join(RETURN_COLUMNS)}; it lacks {', '.join(missing)}."
        )
    lines = list(reader)
    pks = {int(m["pk"]) for m in (_REFERENCE.match((c.get("our_reference") or "").strip()) for c in lines) if m}
    referrals = {
        r.pk: r
        for r in DebtAgencyReferral.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("case__account__tenancy")
    }
    today = timezone.localdate()
    good, problems = [], []
    for number, cells in enumerate(lines, start=2):  # row 1 is the header
        row, problem = _read_row(number, cells, agency, referrals, today)
        if problem:
            problems.append({"row": number, "reference": row.reference, "problem": problem})
        else:
            good.append(row)
    paying = [row for row in good if row.amount > 0]
    keys = [row.key for row in paying]
    already = set(Transaction.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    new_rows, not_again = [], []
    for row in paying:
        if row.key in already:
            not_again.append(row.number)
        elif row.referral.status not in _LIVE:  # money for a referral closed before this file: not ours to guess
            closed_on = f"{row.referral.closed_on:%-d %B %Y}" if row.referral.closed_on else "earlier"
            problems.append(
                {
                    "row": row.number,
                    "reference": row.reference,
                    "problem": f"{row.reference} was already closed ({closed_on}): ask the agency about this money.",
                }
            )
        else:
            already.add(row.key)
            new_rows.append(row)
    transactions_post(
        postings=[
            Posting(
                account_id=row.referral.case.account_id,
                transaction_type=TransactionType.PAYMENT,
                amount=-row.amount,
                effective_date=row.collected_on,
                idempotency_key=row.key,
                payment_method=PaymentMethod.DEBT_AGENCY,
                description=f"Collected by {agency}",
                external_reference=row.agency_reference,
            )
            for row in new_rows
        ],
        posted_by=imported_by,
    )
    for row in new_rows:
        row.referral.collected += row.amount
        row.referral.save(update_fields=["collected", "updated_at"])
    closed = []
    for row in good:
        referral = row.referral
        closing = RETURN_STATUSES[row.status]
        if closing is None or referral.status not in _LIVE:
            continue
        words = "paid in full" if closing == ReferralStatus.PAID else "returned uncollected"
        referral.status, referral.closed_on = closing, row.collected_on
        referral.closed_reason = f"{agency}: {words}" + (f" ({row.note})" if row.note else "")
        referral.save(update_fields=["status", "closed_on", "closed_reason", "updated_at"])
        diary_note(
            case=referral.case,
            code=AGENCY_RETURNED,
            notes=f"{agency} {words}; it collected {format_money(referral.collected)} in all."
            + (f" Its note: {row.note}" if row.note else ""),
            on=today,
            recorded_by=imported_by,
        )
        closed.append(row.reference)
    total = sum((row.amount for row in new_rows), ZERO)
    imported = DebtAgencyReturn.objects.create(
        agency=agency,
        file_name=file_name[:255],
        sha256=digest,
        content=content,
        imported_by=imported_by,
        rows_read=len(lines),
        rows_posted=len(new_rows),
        total_collected=total,
        report={
            "posted": [{"row": r.number, "reference": r.reference, "amount": f"{r.amount:.2f}"} for r in new_rows],
            "already_posted": not_again,
            "closed": closed,
            "problems": sorted(problems, key=lambda problem: problem["row"]),
        },
    )
    re_review(account_ids={row.referral.case.account_id for row in good}, reason=f"agency-return:{imported.pk}")
    return imported
