"""Former tenants' personal data past the retention schedule (legal-spec §10: R-DP-01, R-DP-02, R-DP-03): found by
`retention_review`, anonymised by `retention_apply` (the `apply_retention` command).

The clock. A person's clock starts on the latest of: the day each tenancy they were named on ended (or the day they
stopped being a named tenant of it), the last ledger line on the accounts of those that ended (final settlement or
write-off; a payment also acknowledges the debt) and the day any legal case on them closed. A category is due when its
rule's period has passed since then.

Who is never touched (R-DP-02, "longer while a debt or claim is live"): a person named now on a current tenancy, and a
person any of whose ended tenancies has an account not at £0.00 (owed either way: arrears to recover or a credit to
refund), an open arrears case, a legal case not closed, a Breathing Space not ended, a live agreement or an adjustment,
refund or write-off awaiting a decision. A tenancy someone left while it continued (succession, assignment) counts
from the day they left, and what happens on it afterwards (its balance, its cases) is the remaining tenants'. People
on no tenancy are not former tenants and are left alone. A merged duplicate record goes with the record it was merged
into.

What changes. Person-level data (their own record, its change history and duplicate records merged into it; contacts
recorded with them; their name and addresses where they appear in their tenancies' events, notices, documents'
addressees and change reasons) is anonymised as soon as they are due. Tenancy-level data (notes that belong to the
tenancy rather than to one tenant, the stored PDFs, the forwarding address) is anonymised once every person ever named
on that former tenancy is done for the category, so a joint tenant's data is never lost early. The ledger is never
touched: every transaction, balance and figure stays, and the reconciliation stays at zero.

Idempotent: each (person, category) is done once (`Anonymisation`, unique); running again finds nothing to do.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.db.models import CharField, F, Max, Q, Value
from django.db.models.functions import Cast, Concat

from arrears.constants import AgreementState, BreathingSpaceKind, CaseStatus, NonPaymentReason
from arrears.models import (
    Agreement,
    ArrearsCase,
    BreathingSpace,
    Contact,
    DirectPaymentRequest,
    Pause,
    Referral,
    VulnerabilityReview,
)
from courts.models import Eviction, GateConfirmation, LegalApproval, LegalCase, Notice, Warrant
from documents.models import Document
from incomeapp.roles import staff_require
from rentaccounts.constants import RequestStatus
from rentaccounts.models import Account, AdjustmentRequest
from tenancies.constants import ContactChannel, TenancyStatus
from tenancies.models import Person, Tenancy, TenancyEvent, TenancyTenant

from .constants import CATEGORY_ORDER, Blocker, RetentionAction, RetentionCategory
from .models import Anonymisation, RetentionRule

ANONYMISE_PERMISSION = "privacy.add_anonymisation"
REMOVED = "[removed under the retention schedule]"
ANONYMISED = "[anonymised]"
ANONYMISED_FIRST_NAME = "Anonymised"


@dataclass(frozen=True)
class RetentionDue:
    """One category of one person's data past its period."""

    person_id: int
    name: str
    category: str
    period_months: int
    clock_started_on: date
    due_on: date


@dataclass
class RetentionReview:
    due: list[RetentionDue] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)  # blocker -> people past the schedule left alone for it


def person_is_anonymised(person: Person) -> bool:
    return Anonymisation.objects.filter(person=person, category=RetentionCategory.IDENTITY).exists()


# ---- finding who is due ---------------------------------------------------------------------------------------------


def _tenancy_blockers(today: date) -> dict[int, set[str]]:
    """Tenancy id -> why the people named on it must be left alone (set-based: one query per reason)."""
    blockers: dict[int, set[str]] = defaultdict(set)
    queries = [
        (Blocker.BALANCE, Account.objects.exclude(balance=0).values_list("tenancy_id", flat=True)),
        (
            Blocker.OPEN_CASE,
            ArrearsCase.objects.filter(status=CaseStatus.OPEN).values_list("account__tenancy_id", flat=True),
        ),
        (
            Blocker.LEGAL_CASE,
            LegalCase.objects.exclude(status=LegalCase.Status.CLOSED).values_list("tenancy_id", flat=True),
        ),
        (
            Blocker.BREATHING_SPACE,
            BreathingSpace.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).values_list(
                "tenancy_id", flat=True
            ),
        ),
        (
            Blocker.AGREEMENT,
            Agreement.objects.filter(state=AgreementState.LIVE).values_list("case__account__tenancy_id", flat=True),
        ),
        (
            Blocker.PENDING_REQUEST,
            AdjustmentRequest.objects.filter(status=RequestStatus.PENDING).values_list(
                "account__tenancy_id", flat=True
            ),
        ),
    ]
    for reason, tenancy_ids in queries:
        for tenancy_id in tenancy_ids.distinct():
            blockers[tenancy_id].add(str(reason))
    return blockers


def _last_dates() -> dict[int, date]:
    """Tenancy id -> the latest of its accounts' last ledger line and its legal cases' closing."""
    last: dict[int, date] = {}
    moved = Account.objects.values("tenancy_id").annotate(last=Max("transactions__effective_date"))
    closed = LegalCase.objects.filter(closed_on__isnull=False).values("tenancy_id").annotate(last=Max("closed_on"))
    for row in [*moved, *closed]:
        if row["last"] is not None and (row["tenancy_id"] not in last or row["last"] > last[row["tenancy_id"]]):
            last[row["tenancy_id"]] = row["last"]
    return last


def retention_review(*, today: date) -> RetentionReview:
    """Every category of every former tenant's data past the schedule on `today`, with the rule and the dates; and
    how many people past it are left alone, by reason. Reads only."""
    rules = list(
        RetentionRule.objects.filter(action=RetentionAction.ANONYMISE).exclude(category=RetentionCategory.RENT_ACCOUNT)
    )
    review = RetentionReview()
    if not rules:
        return review
    named = TenancyTenant.every_row.filter(person__merged_into__isnull=True).values_list(
        "person_id", "tenancy_id", "left_on", "tenancy__end_date", "tenancy__status"
    )
    # person -> [(tenancy id, the day they stopped holding it, whether it ended (not continued without them))]
    held_by: dict[int, list[tuple[int, date | None, bool]]] = defaultdict(list)
    current: set[int] = set()
    for person_id, tenancy_id, left_on, end_date, status in named.iterator(chunk_size=5000):
        former = status == TenancyStatus.FORMER
        ended = left_on or (end_date if former else None)
        if ended is None:
            current.add(person_id)
        held_by[person_id].append((tenancy_id, ended, former))
    blockers = _tenancy_blockers(today)
    last = _last_dates()
    done = set(Anonymisation.objects.values_list("person_id", "category"))
    due: list[tuple[int, RetentionRule, date, date]] = []
    held: dict[str, int] = defaultdict(int)
    for person_id, holdings in held_by.items():
        if person_id in current:
            continue
        # A tenancy that continued after they left counts from the day they left; its later life is not theirs.
        clock = max(
            max(ended, last.get(tenancy_id, ended)) if former else ended for tenancy_id, ended, former in holdings
        )
        pending = [
            (rule, clock + relativedelta(months=rule.period_months))
            for rule in rules
            if (person_id, rule.category) not in done and clock + relativedelta(months=rule.period_months) <= today
        ]
        if not pending:
            continue
        reasons = set().union(*(blockers.get(tenancy_id, set()) for tenancy_id, _, former in holdings if former))
        if reasons:
            for reason in reasons:
                held[reason] += 1
            continue
        due.extend((person_id, rule, clock, due_on) for rule, due_on in pending)
    names = {
        person.pk: person.full_name
        for person in Person.objects.filter(pk__in={item[0] for item in due}).only(
            "id", "title", "first_name", "last_name"
        )
    }
    order = {category: position for position, category in enumerate(CATEGORY_ORDER)}
    review.due = sorted(
        (
            RetentionDue(
                person_id=person_id,
                name=names.get(person_id, ""),
                category=rule.category,
                period_months=rule.period_months,
                clock_started_on=clock,
                due_on=due_on,
            )
            for person_id, rule, clock, due_on in due
        ),
        key=lambda item: (item.person_id, order.get(item.category, 99)),
    )
    review.held = dict(held)
    return review


# ---- anonymising ----------------------------------------------------------------------------------------------------


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
    Person.objects.filter(pk__in=person_ids).update(preferred_contact=ContactChannel.LETTER, **person_values)
    Person.history.filter(id__in=person_ids).update(preferred_contact=ContactChannel.LETTER, **person_values)


def _people_level(category: str, person_ids: set[int], tenancy_ids: set[int]) -> None:
    contacts = Contact.objects.filter(person_id__in=person_ids)
    if category == RetentionCategory.SPECIAL_CATEGORY:
        _replace(Person, Person.objects.filter(pk__in=person_ids), {"vulnerability_notes": "", "health_notes": ""})
        contacts.filter(non_payment_reason=NonPaymentReason.HEALTH).update(non_payment_reason="")
    elif category == RetentionCategory.CONTACT_DIARY:
        _replace(Contact, contacts, {"notes": REMOVED})
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
    """Anonymises every category `retention_review` finds due on `today` (see the module's docstring). Returns how
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
