"""Personal data pages. Thin: the services check permissions and log; the selectors read."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from incomeapp.signals import SpecialCategory
from tenancies.models import Person
from tenancies.scoping import assert_can_see_person

from .forms import SubjectAccessExportForm
from .models import RetentionRule
from .schedule import LIMITATION
from .selectors import access_log_staff, special_category_accesses, subject_access_exports_recent, with_people
from .subject_access import subject_access_export_make

# The personal data pages are an income manager's; a System Administrator reads the schedule in Admin.
PAGE_PERMISSIONS = (
    "privacy.add_subjectaccessexport",
    "privacy.view_subjectaccessexport",
    "privacy.view_specialcategoryaccess",
)


def index(request):
    user = request.user
    if not any(user.has_perm(permission) for permission in PAGE_PERMISSIONS):
        raise PermissionDenied("Personal data pages are for income managers.")
    context = {
        "exports": subject_access_exports_recent() if user.has_perm("privacy.view_subjectaccessexport") else None,
    }
    return render(request, "privacy/index.html", context)


@permission_required("privacy.add_subjectaccessexport", raise_exception=True)
def export(request, pk):
    person = get_object_or_404(Person, pk=pk)
    assert_can_see_person(request.user, person)  # a manager scoped to some landlords answers only for their tenants
    form = SubjectAccessExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = subject_access_export_make(
            person=person, by=request.user, request_note=form.cleaned_data["request_note"]
        )
        response = HttpResponse(result.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "privacy/export.html", {"person": person, "form": form}, status=status)


def _int_or_none(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


@permission_required("privacy.view_specialcategoryaccess", raise_exception=True)
def access_log(request):
    staff_id = _int_or_none(request.GET.get("staff"))
    person_id = _int_or_none(request.GET.get("person"))
    category = request.GET.get("category", "")
    if category not in SpecialCategory.values:
        category = ""
    rows = special_category_accesses(viewed_by_id=staff_id, person_id=person_id, category=category)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = with_people(list(page.object_list))
    filters = {"staff": staff_id or "", "person": person_id or "", "category": category}
    context = {
        "page": page,
        "filters": filters,
        "person_text": request.GET.get("person", ""),
        "person_unreadable": bool((request.GET.get("person") or "").strip()) and person_id is None,
        "staff": access_log_staff(),
        "categories": SpecialCategory.choices,
        "query_string": urlencode({key: value for key, value in filters.items() if value}),
    }
    return render(request, "privacy/access_log.html", context)


@permission_required("privacy.view_retentionrule", raise_exception=True)
def retention_schedule(request):
    context = {"rules": RetentionRule.objects.all(), "limitation": LIMITATION}
    return render(request, "privacy/retention.html", context)
