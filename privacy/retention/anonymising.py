"""Anonymising what `retention_review` finds due (`retention_apply`): person-level data as soon as a person is due,
tenancy-level data once every person ever named on the former tenancy is done for the category, and never the ledger
(see the package's docstring)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import models, transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat

from arrears.constants import BreathingSpaceKind, NonPaymentReason
from arrears.models import (
    BreathingSpace,
    Contact,
    DirectPaymentRequest,
    Pause,
    Referral,
    VulnerabilityReview,
)
from complaints.models import Complaint, ComplaintStage
from courts.models import Eviction, GateConfirmation, LegalApproval, LegalCase, Notice, Warrant
from documents.models import Document
from incomeapp.roles import staff_require
from messaging.models import InboundMessage, Message
from privacy.constants import CATEGORY_ORDER, RetentionCategory
from privacy.models import Anonymisation
from rentaccounts.models import AdjustmentRequest
from tenancies.constants import ContactChannel, TenancyStatus
from tenancies.models import Person, Tenancy, TenancyEvent, TenancyTenant

from .review import RetentionDue, retention_review

ANONYMISE_PERMISSION = "privacy.add_anonymisation"
REMOVED = "[removed under the retention schedule]"
ANONYMISED = "[anonymised]"
ANONYMISED_FIRST_NAME = "Anonymised"


def _blank(model_field: models.Field):
    return None if model_field.null else ""


def _replace(model, queryset, values: dict) -> None:
    """Sets `values` on every row of `queryset` where the field is not already blank, and on the same records' change
    history (simple-history rows), which would otherwise keep the old values. Writes no new history row."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    history = model.history.filter(id__in=ids) if hasattr(model, "history") else None
    for name, replacement in values.items():
        blank = _blank(model._meta.get_field(name))
        skip = {f"{name}__isnull": True} if blank is None else {name: blank}
        model._default_manager.filter(pk__in=ids).exclude(**skip).update(**{name: replacement})
        if history is not None:
            history.exclude(**skip).update(**{name: replacement})


def _with_merged(person_ids: Iterable[int]) -> set[int]:
    """The people and every duplicate record merged into them (however many merges deep)."""
    found = set(person_ids)
    frontier = set(found)
    while frontier:
        frontier = set(Person.objects.filter(merged_into_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def _address_forms(text: str) -> set[str]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return set()
    forms = {"\n".join(lines), ", ".join(lines), text.strip()}
    if len(lines[0]) >= 6:
        forms.add(lines[0])
    return forms


def _personal_strings(person_ids: set[int], tenancy_ids: set[int]) -> list[str]:
    """The person's names, email, phone and addresses as they have ever been recorded (their history included), and
    the forwarding addresses of their tenancies: what to look for in free text. Longest first."""
    fields = ("title", "first_name", "last_name", "email", "phone", "correspondence_address")
    rows = [
        *Person.history.filter(id__in=person_ids).values(*fields),
        *Person.objects.filter(pk__in=person_ids).values(*fields),
    ]
    strings: set[str] = set()
    for row in rows:
        first, last = row["first_name"].strip(), row["last_name"].strip()
        if first and last:
            strings.add(f"{first} {last}")
            if row["title"].strip():
                strings.add(f"{row['title'].strip()} {first} {last}")
        strings |= {value.strip() for value in (row["email"], row["phone"]) if len(value.strip()) >= 6}
        strings |= _address_forms(row["correspondence_address"])
    forwarding = [
        *Tenancy.history.filter(id__in=tenancy_ids).values_list("forwarding_address", flat=True),
        *Tenancy.objects.filter(pk__in=tenancy_ids).values_list("forwarding_address", flat=True),
    ]
    for address in forwarding:
        strings |= _address_forms(address)
    return sorted((s for s in strings if s), key=len, reverse=True)


def _scrubbed(value, strings: list[str]):
    """`value` (text, or JSON: lists and dicts of text) with every personal string replaced by '[anonymised]'."""
    if isinstance(value, str):
        for string in strings:
            if string in value:
                value = value.replace(string, ANONYMISED)
        return value
    if isinstance(value, list):
        return [_scrubbed(item, strings) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, strings) for key, item in value.items()}
    return value


def _scrub_rows(queryset, names: tuple[str, ...], strings: list[str]) -> None:
    """Replaces the personal strings in these fields of these rows (live or historical), row by row."""
    for row in queryset.only("pk", *names):
        changed = {name: _scrubbed(getattr(row, name), strings) for name in names}
        changed = {name: value for name, value in changed.items() if value != getattr(row, name)}
        if changed:
            type(row)._default_manager.filter(pk=row.pk).update(**changed)


def _identity_people(person_ids: set[int], tenancy_ids: set[int]) -> None:
    strings = _personal_strings(person_ids, tenancy_ids)
    references = list(Tenancy.objects.filter(pk__in=tenancy_ids).values_list("payment_reference", flat=True))
    if strings:
        _scrub_rows(TenancyEvent.objects.filter(tenancy_id__in=tenancy_ids), ("detail", "reason"), strings)
        _scrub_rows(Notice.objects.filter(tenancy_id__in=tenancy_ids), ("tenant_names", "proof_of_service"), strings)
        notice_ids = Notice.objects.filter(tenancy_id__in=tenancy_ids).values("id")
        _scrub_rows(Notice.history.filter(id__in=notice_ids), ("tenant_names", "proof_of_service"), strings)
        _scrub_rows(Document.objects.filter(reference__in=references), ("recipient_name",), strings)
        reasons = Q(history_change_reason__isnull=False) & ~Q(history_change_reason="")
        _scrub_rows(Tenancy.history.filter(reasons, id__in=tenancy_ids), ("history_change_reason",), strings)
        _scrub_rows(Person.history.filter(reasons, id__in=person_ids), ("history_change_reason",), strings)
    person_values = {
        "title": "",
        "first_name": Value(ANONYMISED_FIRST_NAME),
        "last_name": Concat(Value("person "), Cast(F("id"), output_field=CharField())),
        "date_of_birth": None,
        "email": "",
        "phone": "",
        "correspondence_address": "",
        "preferred_language": "",
        "communication_adjustments": "",
        "support_worker": "",
        "source_reference": "",
    }
    person_values |= {
        "mobile": "",
        "texts_allowed": False,
        "emails_allowed": False,
        "consent_recorded_on": None,
        "mobile_wrong_on": None,
    }
    Person.objects.filter(pk__in=person_ids).update(preferred_contact=ContactChannel.LETTER, **person_values)
    Person.history.filter(id__in=person_ids).update(preferred_contact=ContactChannel.LETTER, **person_values)
    # The texts and emails sent to them and their replies: who and where to. (A STOP stays on the number itself, in
    # messaging's suppression list, so whoever has the number next is not texted against their wish.)
    _messages_of(person_ids).update(to="", recipient_name=ANONYMISED)
    _replies_of(person_ids).update(from_address="", to_address="")


def _messages_of(person_ids: set[int]):
    return Message.objects.filter(contact__person_id__in=person_ids)


def _replies_of(person_ids: set[int]):
    return InboundMessage.objects.filter(contacts__person_id__in=person_ids)


def _people_level(category: str, person_ids: set[int], tenancy_ids: set[int]) -> None:
    contacts = Contact.objects.filter(person_id__in=person_ids)
    if category == RetentionCategory.SPECIAL_CATEGORY:
        _replace(Person, Person.objects.filter(pk__in=person_ids), {"vulnerability_notes": "", "health_notes": ""})
        contacts.filter(non_payment_reason=NonPaymentReason.HEALTH).update(non_payment_reason="")
    elif category == RetentionCategory.CONTACT_DIARY:
        _replace(Contact, contacts, {"notes": REMOVED})
        _replace(Message, _messages_of(person_ids), {"body": REMOVED, "subject": ""})
        _replace(InboundMessage, _replies_of(person_ids), {"body": REMOVED})
        complaints = Complaint.objects.filter(person_id__in=person_ids)
        _replace(Complaint, complaints, {"summary": REMOVED})
        _replace(
            ComplaintStage,
            ComplaintStage.objects.filter(complaint__in=complaints),
            {"response_summary": REMOVED, "extension_reason": REMOVED},
        )
    elif category == RetentionCategory.IDENTITY:
        _identity_people(person_ids, tenancy_ids)


def _tenancy_level(category: str, tenancy_ids: list[int]) -> None:
    if not tenancy_ids:
        return
    on_tenancy = {"tenancy_id__in": tenancy_ids}
    on_case = {"case__account__tenancy_id__in": tenancy_ids}
    on_account = {"account__tenancy_id__in": tenancy_ids}
    on_legal_case = {"legal_case__tenancy_id__in": tenancy_ids}
    if category == RetentionCategory.SPECIAL_CATEGORY:
        _replace(
            VulnerabilityReview,
            VulnerabilityReview.objects.filter(**on_case),
            {"notes": REMOVED, "adjustments": REMOVED},
        )
        _replace(LegalCase, LegalCase.objects.filter(**on_tenancy), {"assessment": REMOVED})
        crisis = BreathingSpace.objects.filter(kind=BreathingSpaceKind.MENTAL_HEALTH_CRISIS, **on_tenancy)
        _replace(BreathingSpace, crisis, {"adviser_name": "", "adviser_organisation": "", "adviser_contact": ""})
        Contact.objects.filter(non_payment_reason=NonPaymentReason.HEALTH, **on_case).update(non_payment_reason="")
    elif category == RetentionCategory.CONTACT_DIARY:
        _replace(Contact, Contact.objects.filter(person__isnull=True, **on_case), {"notes": REMOVED})
        _replace(Referral, Referral.objects.filter(**on_case), {"notes": REMOVED, "to_whom": REMOVED})
        _replace(Pause, Pause.objects.filter(**on_case), {"comment": REMOVED})
        _replace(DirectPaymentRequest, DirectPaymentRequest.objects.filter(**on_tenancy), {"notes": REMOVED})
        _replace(BreathingSpace, BreathingSpace.objects.filter(**on_tenancy), {"review_grounds": REMOVED})
        _replace(
            AdjustmentRequest,
            AdjustmentRequest.objects.filter(**on_account),
            {"reason": REMOVED, "decision_reason": REMOVED},
        )
        _replace(LegalApproval, LegalApproval.objects.filter(**on_legal_case), {"notes": REMOVED})
        _replace(GateConfirmation, GateConfirmation.objects.filter(**on_legal_case), {"note": REMOVED})
        _replace(Warrant, Warrant.objects.filter(**on_legal_case), {"reason": REMOVED, "decision_notes": REMOVED})
        _replace(Eviction, Eviction.objects.filter(**on_tenancy), {"notes": REMOVED})
    elif category == RetentionCategory.DOCUMENTS:
        references = Tenancy.objects.filter(pk__in=tenancy_ids).values_list("payment_reference", flat=True)
        documents = Document.objects.filter(reference__in=list(references)).exclude(pdf="")
        storage = Document._meta.get_field("pdf").storage
        names = list(documents.values_list("pdf", flat=True))
        documents.update(pdf="")
        # The files go only once the database says so: a run that fails and rolls back deletes nothing.
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
    elif category == RetentionCategory.IDENTITY:
        _replace(Tenancy, Tenancy.objects.filter(pk__in=tenancy_ids), {"forwarding_address": ""})
        _replace(
            BreathingSpace, BreathingSpace.objects.filter(**on_tenancy), {"adviser_name": "", "adviser_contact": ""}
        )


def _former_tenancies_complete(category: str, tenancy_ids: set[int]) -> list[int]:
    """Of these tenancies, the former ones every person ever named on which is now done for `category`."""
    rows = list(
        TenancyTenant.every_row.filter(tenancy_id__in=tenancy_ids, tenancy__status=TenancyStatus.FORMER).values_list(
            "tenancy_id", "person_id"
        )
    )
    done = set(
        Anonymisation.objects.filter(category=category, person_id__in={p for _, p in rows}).values_list(
            "person_id", flat=True
        )
    )
    people = defaultdict(set)
    for tenancy_id, person_id in rows:
        people[tenancy_id].add(person_id)
    return sorted(tenancy_id for tenancy_id, named in people.items() if named <= done)


@transaction.atomic
def retention_apply(*, today: date, by=None) -> dict[str, int]:
    """Anonymises every category `retention_review` finds due on `today` (see the package's docstring). Returns how
    many people were anonymised for each category. `by` None is the system (the command); no role holds the
    permission, so only an operator running the command does this."""
    staff_require(by, ANONYMISE_PERMISSION, "anonymise personal data under the retention schedule")
    review = retention_review(today=today)
    by_category: dict[str, list[RetentionDue]] = defaultdict(list)
    for item in review.due:
        by_category[item.category].append(item)
    counts: dict[str, int] = {}
    touched: dict[int, list[str]] = defaultdict(list)
    for category in CATEGORY_ORDER:
        items = by_category.get(category, [])
        if not items:
            continue
        person_ids = _with_merged(item.person_id for item in items)
        tenancy_ids = set(TenancyTenant.every_row.filter(person_id__in=person_ids).values_list("tenancy_id", flat=True))
        _people_level(category, person_ids, tenancy_ids)
        Anonymisation.objects.bulk_create(
            [
                Anonymisation(
                    person_id=item.person_id,
                    category=category,
                    period_months=item.period_months,
                    clock_started_on=item.clock_started_on,
                    due_on=item.due_on,
                    done_by=by,
                )
                for item in items
            ]
        )
        _tenancy_level(category, _former_tenancies_complete(category, tenancy_ids))
        counts[str(category)] = len(items)
        for person_id in person_ids:
            touched[person_id].append(RetentionCategory(category).label.lower())
    for person in Person.objects.filter(pk__in=touched):
        # One change-history row per person saying what was anonymised and why (its values are the anonymised ones).
        person._history_user = by
        person._change_reason = f"Anonymised under the retention schedule: {'; '.join(touched[person.pk])}"
        person.save(update_fields=["updated_at"])
    return counts
