"""People: find, add, change, see every tenancy held, likely duplicates, and merge two records. Thin views: the
services (`services_people`) decide and check; the selectors (`selectors_people`) read."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from incomeapp.signals import history_notes_categories, person_notes_categories, special_category_shown
from messaging.constants import SuppressionReason
from messaging.services import suppressed_addresses

from .forms_people import (
    FIELD_LABELS,
    MergeForm,
    PersonForm,
    PersonSearchForm,
    initial_from,
    merge_differing_fields,
)
from .history import history_entries
from .models import Person
from .scoping import assert_can_see_person, is_scoped, people_visible_to, person_visible, visible_tenancy_rows
from .selectors_people import (
    duplicate_pairs_with_people,
    likely_duplicate_pairs,
    person_detail,
    person_likely_duplicates,
    person_search,
    person_search_rows,
    person_tenancies,
)
from .services_people import SENSITIVE_FIELDS, SENSITIVE_PERMISSION, person_create, person_merge, person_update
from .views import search_context


def _may_see_sensitive(user) -> bool:
    return user.has_perm(SENSITIVE_PERMISSION)


def _listed(labels: list[str]) -> str:
    labels = [label[:1].lower() + label[1:] for label in labels]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


@permission_required("tenancies.view_person", raise_exception=True)
def index(request):
    form = PersonSearchForm(request.GET or None)
    context = search_context(request, form, lambda query: people_visible_to(request.user, person_search(query=query)))
    page = context["page"]
    if page is not None:
        page.object_list = person_search_rows(page.object_list)
        for person in page.object_list:
            person.tenancy_rows = visible_tenancy_rows(request.user, person.tenancy_rows)
    return render(request, "tenancies/people/index.html", context)


@permission_required("tenancies.add_person", raise_exception=True)
def add(request):
    may_see_sensitive = _may_see_sensitive(request.user)
    form = PersonForm(request.POST or None, may_see_sensitive=may_see_sensitive, submit_label="Add person")
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            duplicates = person_likely_duplicates(person=person)
            text = f"Added {person.full_name}."
            if duplicates:
                text += (
                    f" {len(duplicates)} possible duplicate record{'s' if len(duplicates) != 1 else ''} found: "
                    "check them below and merge if they are the same person."
                )
            messages.success(request, text)
            return redirect("people:detail", pk=person.pk)
    return render(request, "tenancies/people/form.html", {"form": form, "person": None})


@permission_required("tenancies.view_person", raise_exception=True)
def detail(request, pk):
    try:
        person = person_detail(pk=pk)
    except Person.DoesNotExist as error:
        raise Http404("No person has that record number.") from error
    user = request.user
    assert_can_see_person(user, person)
    duplicates = [] if person.merged_into_id else person_likely_duplicates(person=person)
    context = {
        "person": person,
        "tenancy_rows": visible_tenancy_rows(user, person_tenancies(person=person)),
        "duplicates": [duplicate for duplicate in duplicates if person_visible(user, duplicate.person)],
        "merged_records": [record for record in person.merged_records.all() if person_visible(user, record)],
        "can_see_sensitive": _may_see_sensitive(user),
        "can_change": user.has_perm("tenancies.change_person") and not person.merged_into_id,
        "can_merge": user.has_perm("tenancies.merge_person"),
        "history_entries": history_entries(obj=person, viewer=user),
        # A STOP from their mobile (messaging's suppression list), said on the page: nobody wonders why texts stopped.
        "mobile_opted_out": person.mobile
        and suppressed_addresses([person.mobile]).get(person.mobile) == SuppressionReason.OPTED_OUT,
    }
    if context["can_see_sensitive"]:  # R-DP-03: the access log hears of every health or vulnerability note shown
        shown = person_notes_categories(person) | history_notes_categories(context["history_entries"])
        special_category_shown(request, {person.pk: shown})
    return render(request, "tenancies/people/detail.html", context)


@permission_required("tenancies.change_person", raise_exception=True)
def change(request, pk):
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    if person.merged_into_id:
        messages.info(request, "That record was merged into this one, so change this one instead.")
        return redirect("people:detail", pk=person.merged_into_id)
    may_see_sensitive = _may_see_sensitive(request.user)
    form = PersonForm(
        request.POST or None,
        may_see_sensitive=may_see_sensitive,
        submit_label="Save changes",
        initial=initial_from(
            person, [name for name in FIELD_LABELS if may_see_sensitive or name not in SENSITIVE_FIELDS]
        ),
    )
    if request.method == "POST" and form.is_valid():
        before = {name: getattr(person, name) for name in form.cleaned_data}
        try:
            changed = person_update(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if changed:
                labels = [FIELD_LABELS[name] for name in before if getattr(person, name) != before[name]]
                messages.success(request, f"Saved {person.full_name}'s details: changed {_listed(labels)}.")
            else:
                messages.success(request, f"Nothing changed: {person.full_name}'s details were already as entered.")
            return redirect("people:detail", pk=person.pk)
    if may_see_sensitive:  # the form shows the notes as they stand
        special_category_shown(request, {person.pk: person_notes_categories(person)})
    return render(request, "tenancies/people/form.html", {"form": form, "person": person})


@require_POST
@permission_required("tenancies.change_person", raise_exception=True)
def mobile_confirm(request, pk):
    """The officer checked a mobile number marked wrong and it is right: texts may go to it again."""
    person = get_object_or_404(people_visible_to(request.user), pk=pk, merged_into__isnull=True)
    if person_update(by=request.user, person=person, mobile_confirmed=True):
        # Say whether texts really can go now: confirming the number lifts neither a STOP nor missing consent.
        if suppressed_addresses([person.mobile]).get(person.mobile) == SuppressionReason.OPTED_OUT:
            then = "but texts still do not go to it, because they replied STOP (a START reply from them lifts it)"
        elif not person.texts_allowed:
            then = "but texts go to it only once they agree to text messages (change their details to record it)"
        else:
            then = "and texts can go to it again"
        messages.success(
            request,
            f"Confirmed {person.mobile} as {person.full_name}'s mobile number: it is no longer marked wrong, {then}.",
        )
    else:
        messages.info(request, f"{person.full_name}'s mobile number was not marked wrong: nothing changed.")
    return redirect("people:detail", pk=person.pk)


@permission_required("tenancies.view_person", raise_exception=True)
def duplicates(request):
    pairs, shared = likely_duplicate_pairs()
    if is_scoped(request.user):
        # Only pairs of people this person may see; the details shared by many records span every landlord.
        ids = {pk for pair in pairs for pk in (pair.first, pair.second)}
        seen = set(people_visible_to(request.user, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        pairs, shared = [pair for pair in pairs if pair.first in seen and pair.second in seen], []
    page = Paginator(pairs, 25).get_page(request.GET.get("page"))
    page.object_list = duplicate_pairs_with_people(list(page.object_list))
    for pair in page.object_list:
        for person in (pair.first, pair.second):
            person.tenancy_rows = visible_tenancy_rows(request.user, person.tenancy_rows)
    context = {"page": page, "shared": shared, "can_merge": request.user.has_perm("tenancies.merge_person")}
    return render(request, "tenancies/people/duplicates.html", context)


def _merge_hidden_fields(request) -> list[tuple[str, str]]:
    return [(name, value) for name, value in request.POST.items() if name not in ("csrfmiddlewaretoken", "check")]


@permission_required("tenancies.merge_person", raise_exception=True)
def merge(request, first, second):
    people = people_visible_to(request.user, Person.objects.select_related("merged_into")).in_bulk([first, second])
    if first not in people or second not in people:
        raise Http404("No person has that record number.")
    first_person, second_person = people[first], people[second]
    may_see_sensitive = _may_see_sensitive(request.user)
    problem = None
    if first == second:
        problem = "A record cannot be merged into itself. Choose two different records."
    elif first_person.merged_into_id or second_person.merged_into_id:
        merged = first_person if first_person.merged_into_id else second_person
        problem = f"{merged.full_name}'s record (record {merged.pk}) was already merged into another one."
    elif not may_see_sensitive and any(
        getattr(first_person, name) != getattr(second_person, name) for name in SENSITIVE_FIELDS
    ):
        problem = (
            "These records have different vulnerability or health notes, which you cannot see. "
            "Ask someone who may see sensitive notes to merge them."
        )
    differing = merge_differing_fields(first_person, second_person, may_see_sensitive)
    form = MergeForm(request.POST or None, first=first_person, second=second_person, differing=differing)
    context = {
        "first": first_person,
        "second": second_person,
        "first_tenancies": visible_tenancy_rows(request.user, person_tenancies(person=first_person)),
        "second_tenancies": visible_tenancy_rows(request.user, person_tenancies(person=second_person)),
        "compare_fields": [
            (FIELD_LABELS[name], name in differing, name)
            for name in FIELD_LABELS
            if may_see_sensitive or name not in SENSITIVE_FIELDS
        ],
        "names_differ": any(name in differing for name in ("title", "first_name", "last_name")),
        "can_see_sensitive": may_see_sensitive,
        "form": form,
        "problem": problem,
    }
    if may_see_sensitive:  # the comparison shows both records' notes
        special_category_shown(request, {p.pk: person_notes_categories(p) for p in (first_person, second_person)})
    if problem or request.method != "POST" or "edit" in request.POST or not form.is_valid():
        return render(request, "tenancies/people/merge.html", context)
    keep, duplicate, values = form.chosen()
    if "confirm" not in request.POST:
        context.update(
            keep=keep,
            duplicate=duplicate,
            kept_values=[(FIELD_LABELS[name], _value_shown(keep, name, values)) for name in differing],
            keep_tenancies=visible_tenancy_rows(request.user, person_tenancies(person=keep)),
            duplicate_tenancies=visible_tenancy_rows(request.user, person_tenancies(person=duplicate)),
            hidden_fields=_merge_hidden_fields(request),
            reason=form.cleaned_data["reason"],
        )
        return render(request, "tenancies/people/merge_check.html", context)
    try:
        kept = person_merge(
            by=request.user, keep=keep, duplicate=duplicate, reason=form.cleaned_data["reason"], values=values
        )
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
        return render(request, "tenancies/people/merge.html", context)
    moved = ", ".join(f"{count} {name}" for name, count in kept.merge_moved.items())
    moved_text = f"Moved {moved} to this record." if moved else f"Nothing else pointed at record {duplicate.pk}."
    messages.success(
        request,
        f"Merged record {duplicate.pk} into {kept.full_name}'s record. {moved_text} "
        f"Record {duplicate.pk} is kept for history, marked as merged into this one.",
    )
    return redirect(reverse("people:detail", kwargs={"pk": kept.pk}))


def _value_shown(keep: Person, name: str, values: dict) -> str:
    value = values.get(name, getattr(keep, name))
    if value in (None, ""):
        return "(blank)"
    if name == "date_of_birth":
        return f"{value:%-d %B %Y}"
    if name == "preferred_contact":
        return dict(Person._meta.get_field("preferred_contact").choices).get(value, value)
    return str(value)
