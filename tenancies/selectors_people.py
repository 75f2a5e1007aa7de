"""Reads of people: search, a person's page, likely duplicates, and finding the record a merged one became.

Duplicates are found with set-based queries (one grouped query per rule, never one query per person), so the list
works at 250,000 people. The comparison keys are computed in SQL with portable functions (Lower, Replace, Substr):

- name and date of birth: first and last name, lower case, spaces removed, and the same date of birth;
- phone: spaces, dashes, brackets and dots removed, +44 or 0044 written as 0 (`services_people.phone_digits`);
- email: lower case, trimmed.

Records already merged into another (`merged_into` set) are left out of searches, choices and duplicates.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Lower, Replace, Substr, Trim

from .models import Person, TenancyTenant
from .references import is_our_shape, payment_reference_normalise
from .services_people import phone_digits

REASON_NAME_AND_BIRTH = "Same name and date of birth"
REASON_PHONE = "Same phone number"
REASON_EMAIL = "Same email address"

# A phone number or email shared by more people than this is a placeholder (a switchboard, "none@none.com"), not a
# sign of one person with two records: such groups are listed once with their size, not paired off.
LARGEST_GROUP_PAIRED = 6


def people_active() -> QuerySet[Person]:
    """People who have not been merged into another record: the ones searches and choices offer."""
    return Person.objects.filter(merged_into__isnull=True)


def name_key():
    """First and last name, lower case, with every space removed."""
    joined = Concat(F("first_name"), Value("|"), F("last_name"), output_field=CharField())
    return Lower(Replace(joined, Value(" "), Value("")))


def phone_key():
    """The phone number as digits with separators removed and +44 / 0044 written as 0 (as `phone_digits`)."""
    compact = F("phone")
    for separator in (" ", "-", "(", ")", "."):
        compact = Replace(compact, Value(separator), Value(""))
    return Case(
        When(**{"phone__startswith": "+44"}, then=Concat(Value("0"), Substr(compact, 4), output_field=CharField())),
        When(**{"phone__startswith": "0044"}, then=Concat(Value("0"), Substr(compact, 5), output_field=CharField())),
        default=compact,
        output_field=CharField(),
    )


def email_key():
    return Lower(Trim(F("email")))


def person_for_source_reference(source_reference: str) -> Person | None:
    """The live record for a key from the housing management system: an unmerged record with that key, or the record
    a merged one was merged into."""
    people = {p.merged_into_id is None: p for p in Person.objects.filter(source_reference=source_reference)}
    if True in people:
        return people[True]
    if False in people:
        return people_active().get(pk=people[False].merged_into_id)
    return None


def people_by_source_reference(source_references: Iterable[str]) -> dict[str, Person]:
    """The live record for each key (two queries however many keys): for the data load."""
    refs = {ref for ref in source_references if ref}
    found: dict[str, Person] = {}
    merged_to: dict[str, int] = {}
    for person in Person.objects.filter(source_reference__in=refs):
        if person.merged_into_id is None:
            found[person.source_reference] = person
        else:
            merged_to.setdefault(person.source_reference, person.merged_into_id)
    missing = {ref: pk for ref, pk in merged_to.items() if ref not in found}
    if missing:
        kept = people_active().in_bulk(set(missing.values()))
        found.update({ref: kept[pk] for ref, pk in missing.items() if pk in kept})
    return found


_DATE = re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{4})$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]{6,}$")


def _as_date(text: str) -> date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def person_search(*, query: str) -> QuerySet[Person]:
    """People matching what was typed: a date of birth (27/03/1980), an email address, a phone number, a payment
    reference, or a name (every word must start a first or last name). Merged records are left out."""
    query = " ".join(query.split())
    people = people_active()
    if not query:
        return people.none()
    reference = payment_reference_normalise(query)
    if is_our_shape(reference):
        return people.filter(
            pk__in=TenancyTenant.objects.filter(tenancy__payment_reference=reference).values("person_id")
        )
    born = _as_date(query)
    if born:
        return people.filter(date_of_birth=born)
    if "@" in query:
        return people.annotate(email_match=email_key()).filter(email_match=query.lower())
    if _PHONE_LIKE.match(query) and len(phone_digits(query)) >= 6:
        return people.annotate(phone_match=phone_key()).filter(phone_match__contains=phone_digits(query))
    by_reference = Q(tenancy__payment_reference__iexact=payment_reference_normalise(query))
    by_name = Q()
    for word in query.split():
        by_name &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    if " " not in query:
        return people.filter(by_name | Q(pk__in=TenancyTenant.objects.filter(by_reference).values("person_id")))
    return people.filter(by_name)


def person_search_rows(people: Iterable[Person]) -> list[Person]:
    """The tenancies of one page of search results, fetched in one query (the rows carry `tenancy_rows`)."""
    people = list(people)
    rows = (
        TenancyTenant.objects.filter(person__in=people)
        .select_related("tenancy__property")
        .order_by("tenancy__status", "-tenancy__start_date")
    )
    by_person: dict[int, list] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    for person in people:
        person.tenancy_rows = by_person.get(person.pk, [])
    return people


def person_detail(*, pk: int) -> Person:
    return Person.objects.select_related("merged_into").get(pk=pk)


def person_tenancies(*, person: Person) -> list[TenancyTenant]:
    """Every tenancy the person has held, current first then the most recent, with whether they were the lead (and
    `left_on` when they stopped being a named tenant while the tenancy went on)."""
    return list(
        TenancyTenant.every_row.filter(person=person)
        .select_related("tenancy__property")
        .prefetch_related(Prefetch("tenancy__tenancy_tenants", queryset=TenancyTenant.objects.select_related("person")))
        .order_by("tenancy__status", "-tenancy__start_date", "tenancy__id")
    )


@dataclass
class LikelyDuplicate:
    person: Person
    reasons: list[str] = field(default_factory=list)


def person_likely_duplicates(*, person: Person) -> list[LikelyDuplicate]:
    """Other unmerged records that are probably the same person: same name and date of birth, same phone number, or
    same email address (each reason listed). Two queries."""
    keys = (
        Person.objects.filter(pk=person.pk)
        .annotate(name_match=name_key(), phone_match=phone_key(), email_match=email_key())
        .values("name_match", "phone_match", "email_match")
        .first()
    )
    if keys is None or person.merged_into_id:
        return []
    rules = []
    if person.date_of_birth:
        rules.append((REASON_NAME_AND_BIRTH, Q(name_match=keys["name_match"], date_of_birth=person.date_of_birth)))
    if keys["phone_match"]:
        rules.append((REASON_PHONE, Q(phone_match=keys["phone_match"])))
    if keys["email_match"]:
        rules.append((REASON_EMAIL, Q(email_match=keys["email_match"])))
    if not rules:
        return []
    condition = Q()
    annotations = {}
    for index, (_, rule) in enumerate(rules):
        condition |= rule
        annotations[f"rule_{index}"] = Case(When(rule, then=Value(True)), default=Value(False))
    candidates = (
        people_active()
        .exclude(pk=person.pk)
        .annotate(name_match=name_key(), phone_match=phone_key(), email_match=email_key())
        .filter(condition)
        .annotate(**annotations)
        .order_by("last_name", "first_name", "pk")
    )
    return [
        LikelyDuplicate(
            person=candidate,
            reasons=[reason for index, (reason, _) in enumerate(rules) if getattr(candidate, f"rule_{index}")],
        )
        for candidate in candidates
    ]


@dataclass
class DuplicatePair:
    first: Person | int
    second: Person | int
    reasons: list[str] = field(default_factory=list)


@dataclass
class SharedDetail:
    """A phone number or email shared by too many records to pair off (probably a placeholder)."""

    reason: str
    value: str
    count: int


def _grouped(key) -> dict[str, list[int]]:
    """Groups of unmerged people sharing a non-blank key: one query (a hash semi-join on the keys held by more than
    one person; no correlated subquery, so it stays linear at 250,000 people)."""
    people = people_active().annotate(match_key=key).exclude(match_key="").exclude(match_key__isnull=True)
    shared = people.values("match_key").annotate(n=Count("id")).filter(n__gt=1).values("match_key")
    rows = people.filter(match_key__in=shared).values_list("match_key", "id").order_by("match_key", "id")
    groups: dict[str, list[int]] = {}
    for match, pk in rows:
        groups.setdefault(match, []).append(pk)
    return groups


def name_and_birth_key():
    """The name key and the date of birth as one value (blank when the date of birth is not known)."""
    return Case(
        When(date_of_birth__isnull=True, then=Value("")),
        default=Concat(name_key(), Value("|"), Cast("date_of_birth", CharField()), output_field=CharField()),
        output_field=CharField(),
    )


def likely_duplicate_pairs() -> tuple[list[DuplicatePair], list[SharedDetail]]:
    """Every pair of unmerged records that are probably the same person, with why (a pair matching on several rules
    is listed once with every reason), most reasons first; and the phone numbers and emails shared by more than
    LARGEST_GROUP_PAIRED records. Three grouped queries, whatever the number of people; the pairs hold ids
    (`duplicate_pairs_with_people` fetches the people of one page)."""
    rules = [
        (REASON_NAME_AND_BIRTH, name_and_birth_key()),
        (REASON_PHONE, phone_key()),
        (REASON_EMAIL, email_key()),
    ]
    pairs: dict[tuple[int, int], list[str]] = {}
    shared: list[SharedDetail] = []
    for reason, key in rules:
        for value, ids in _grouped(key).items():
            if len(ids) > LARGEST_GROUP_PAIRED:
                shared.append(SharedDetail(reason=reason, value=_readable_key(reason, value), count=len(ids)))
                continue
            for pair in combinations(ids, 2):
                pairs.setdefault(pair, []).append(reason)
    ordered = sorted(pairs.items(), key=lambda item: (-len(item[1]), item[0]))
    return [DuplicatePair(first=a, second=b, reasons=reasons) for (a, b), reasons in ordered], shared


def _readable_key(reason: str, value: str) -> str:
    if reason != REASON_NAME_AND_BIRTH:
        return value
    name, _, born = value.partition("|")[2].rpartition("|")
    first = value.split("|", 1)[0]
    return f"{first} {name}, born {date.fromisoformat(born):%-d %B %Y}"


def duplicate_pairs_with_people(pairs: list[DuplicatePair]) -> list[DuplicatePair]:
    """Fills in the people of the given pairs (one page of them) in one query, with their tenancies in another."""
    ids = {pk for pair in pairs for pk in (pair.first, pair.second) if isinstance(pk, int)}
    people = person_search_rows(Person.objects.filter(pk__in=ids))
    by_id = {person.pk: person for person in people}
    return [
        DuplicatePair(first=by_id[pair.first], second=by_id[pair.second], reasons=pair.reasons)
        for pair in pairs
        if pair.first in by_id and pair.second in by_id
    ]


def person_tenancy_counts(person: Person) -> dict[str, int]:
    rows = TenancyTenant.objects.filter(person=person).values("tenancy__status").annotate(n=Count("id"))
    return {row["tenancy__status"]: row["n"] for row in rows}


def people_with_mobile(number: str, *, channel: str = "text"):
    """The people (not merged away) whose mobile number is `number` (+44 form) however it was typed, or for an email
    `channel` whose email address it is: who a reply, a STOP or a wrong-number report is about. The last three digits
    narrow the rows in the database; the rest is compared in full."""
    from messaging.addresses import mobile_or_blank

    people = Person.objects.filter(merged_into__isnull=True)
    if channel == "email":
        return list(people.filter(email__iexact=number))
    if not number:
        return []
    candidates = people.filter(mobile__endswith=number[-3:])
    return [person for person in candidates if mobile_or_blank(person.mobile) == number]
