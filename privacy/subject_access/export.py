"""Making a subject access export: the README that opens the zip, the permission, and the log row saying who made
it, when and for whom (`subject_access_export_make`)."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require
from privacy.models import SubjectAccessExport
from privacy.services import special_category_access_log
from tenancies.models import Person

from .files import _Builder

EXPORT_PERMISSION = "privacy.add_subjectaccessexport"
EXPORT_PAGE = "subject access export"


@dataclass
class SubjectAccessExportResult:
    export: SubjectAccessExport
    content: bytes
    filename: str


README = """Subject access export from Rentwise
====================================

For: {name} (record {record})
Made: {made} by {made_by}

This is everything Rentwise, the rent income system, holds about you, made in answer to a subject access request
(UK GDPR Article 15). Each file is JSON (open it in any text editor). Amounts of money are in pounds as text with two
decimal places ("-12.50" is a credit). Dates are year-month-day; times are UK time. A positive amount is money owed
to the landlord; a negative amount is a payment or credit.

Files
-----
person.json            Your details as held: name, date of birth, contact details, how you prefer to be contacted,
                       support and communication needs, vulnerability and health notes, and any duplicate record of
                       you that was merged into this one.
tenancies.json         Each tenancy you have been named on: the home, the dates you were named, the other named
                       tenants, the rent and charges, what happened to the tenancy (sign-up, changes, ending), direct
                       debits, and Housing Benefit or Universal Credit records.
ledger/                One file per rent or other account: every transaction while you were a named tenant, with the
                       running balance, and any adjustment, refund or write-off requested on it.
cases.json             Arrears cases on your accounts, with pauses, referrals and vulnerability reviews.
contacts.json          The contact diary: calls, visits, letters, texts and emails with you or about your account.
complaints.json        Your complaints: what each was about, when it was received, each stage with the dates its
                       acknowledgement and response were due, and the response.
messages.json          Every text message and email we sent you, with whether it was delivered, and your replies.
recommendations.json   What the weekly arrears review recommended for your account each time, and why.
agreements.json        Arrangements to pay and court orders' terms, with when each was kept or broken.
breathing_spaces.json  Debt respite (Breathing Space) moratoria recorded for you or your tenancy.
legal.json             Notices served, possession claims, hearings, warrants and evictions.
documents/             The letters, notices, statements and court papers stored as PDFs; documents/index.json lists
                       them (title, date, who it was to, and the file name).
audit.json             The change history of these records: what changed, when, by whom and why.

Not included: information about other people (letters addressed only to another named tenant, contacts recorded with
another person); the landlord's internal legal advice. Ask if anything seems missing.
"""


@transaction.atomic
def subject_access_export_make(*, person: Person, by, request_note: str = "") -> SubjectAccessExportResult:
    """Everything held about `person` as a zip (see the package's docstring), and a log row saying who made it, when
    and for whom. Making it shows the maker any special-category data in it, so that is logged too."""
    staff_require(by, EXPORT_PERMISSION, "make a subject access export")
    now = timezone.now()
    builder = _Builder(person)
    readme = README.format(
        name=person.full_name,
        record=person.pk,
        made=timezone.localtime(now).strftime("%d/%m/%Y %H:%M"),
        made_by=(by.get_full_name() or by.username) if by is not None else "the system",
    )
    content = builder.build(readme)
    export = SubjectAccessExport.objects.create(
        person_record=person.pk,
        made_by=by,
        request_note=request_note.strip()[:200],
        file_count=len(builder.files) + 1,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    if builder.special and by is not None:
        special_category_access_log(
            user=by, shown={person.pk: sorted(builder.special)}, path=EXPORT_PAGE, view_name="privacy:export"
        )
    filename = f"subject-access-record-{person.pk}-{timezone.localtime(now):%Y-%m-%d}.zip"
    return SubjectAccessExportResult(export=export, content=content, filename=filename)
