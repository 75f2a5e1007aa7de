"""The "Complaints" section of a tenancy's page (a registered panel) and of a person's page (the template tag
`person_complaints_panel`): pages that belong to `tenancies`, which knows nothing of complaints."""

from django.urls import reverse
from django.utils import timezone

from incomeapp.panels import Panel

from .selectors import person_complaints, tenancy_complaints

TEMPLATE = "complaints/panel.html"


def tenancy_complaints_panel(request, tenancy) -> Panel | None:
    if not request.user.has_perm("complaints.view_complaint"):
        return None
    can_record = request.user.has_perm("complaints.add_complaint")
    return Panel(
        TEMPLATE,
        {
            "rows": tenancy_complaints(tenancy=tenancy, today=timezone.localdate()),
            "caption": f"Complaints about tenancy {tenancy.payment_reference}, newest first",
            "show_person": True,
            "whose": f"about tenancy {tenancy.payment_reference}",
            "record_url": reverse("complaints:record_tenancy", args=[tenancy.payment_reference]) if can_record else "",
        },
    )


def person_complaints_context(user, person) -> dict | None:
    if not user.has_perm("complaints.view_complaint"):
        return None
    can_record = user.has_perm("complaints.add_complaint") and person.merged_into_id is None
    return {
        "rows": person_complaints(person=person, today=timezone.localdate()),
        "caption": f"Complaints from {person.full_name}, newest first",
        "show_person": False,
        "whose": f"from {person.full_name}",
        "record_url": reverse("complaints:record_person", args=[person.pk]) if can_record else "",
    }
