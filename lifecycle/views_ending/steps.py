"""What every ending screen shares: the permissions, the tenancy (within the user's scope), the steps (the form,
check your answers, confirm), a service's messages beside their fields, and previews rolled back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from tenancies.constants import TenancyStatus
from tenancies.models import Tenancy
from tenancies.scoping import assert_can_see_tenancy
from tenancies.services_people import person_create

END = "tenancies.end_tenancy"
ASK = "rentaccounts.add_adjustmentrequest"
TEMPLATES = "lifecycle/ending"
_NOT_ANSWERS = {"csrfmiddlewaretoken", "confirm", "edit", "submit"}


def _tenancy(payment_reference: str, user) -> Tenancy:
    tenancy = (
        Tenancy.objects.select_related("property__scheme", "property__patch__officer")
        .filter(payment_reference=payment_reference.upper())
        .first()
    )
    assert_can_see_tenancy(user, tenancy)  # 404 when there is none, or it is outside the user's scope
    return tenancy


def _ended_redirect(request, tenancy: Tenancy, message: str, to: str = "tenancies:detail"):
    """For a screen that needs a current tenancy: once it has ended, `message` and the page `to`; else None."""
    if tenancy.status == TenancyStatus.CURRENT:
        return None
    messages.info(request, message)
    return redirect(to, tenancy.payment_reference)


def _posted(request):
    """The answers sent, for the form; None on a first visit."""
    return request.POST if request.method == "POST" else None


def _answers(request) -> list[tuple[str, str]]:
    """The answers as posted, carried through the check page in hidden fields (nothing is saved before)."""
    return [(name, value) for name, values in request.POST.lists() if name not in _NOT_ANSWERS for value in values]


def _stage(request) -> str:
    """'form' (first visit, or 'change my answers'), 'check' (answers sent: show the check page) or 'confirm'."""
    if request.method != "POST" or "edit" in request.POST:
        return "form"
    return "confirm" if "confirm" in request.POST else "check"


_FIELD_WORDS = {
    "last_day": ("last day", "future", "started on"),
    "reason": ("reason", "licence", "why the tenancy"),
    "on": ("date", "before the tenancy started"),
    "start_date": ("start date", "already has a tenancy", "on or after"),
}


def _service_errors(form, error: ValidationError) -> None:
    """A service's plain-English messages, each shown beside the field it is about where one is clear."""
    for message in error.messages:
        field = next(
            (
                name
                for name, words in _FIELD_WORDS.items()
                if name in form.fields and any(word in message.lower() for word in words)
            ),
            None,
        )
        form.add_error(field, message)


def _service_result(request, form, work, *, rolled_back: bool = False):
    """What the service gives for the answers on the check step (a preview) or the confirm step (for real): None on the
    form step, while the answers need correcting, or when the service refuses (its messages then stand beside the
    fields). `work(data, dry_run=...)` calls the service; with `rolled_back`, a service with no dry run is previewed
    by running it in a transaction rolled back."""
    stage = _stage(request)
    if stage == "form" or not form.is_valid():
        return None
    dry_run = stage == "check"
    try:
        if dry_run and rolled_back:
            return _rolled_back(lambda: work(form.cleaned_data, dry_run=True))
        return work(form.cleaned_data, dry_run=dry_run)
    except ValidationError as error:
        _service_errors(form, error)
        return None


def _check_page(request, tenancy: Tenancy, template: str, result, **context):
    """Check your answers: the figures the service worked out, with the answers carried in hidden fields."""
    context = {"tenancy": tenancy, "result": result, "answers": _answers(request), **context}
    return render(request, f"{TEMPLATES}/{template}", context)


class _Preview(Exception):
    """Raised to roll back a preview that had to make records (new people) to work its figures out."""


def _rolled_back(work):
    try:
        with transaction.atomic():
            raise _Preview(work())
    except _Preview as preview:
        return preview.args[0]


def _new_people(by, rows: list[dict]):
    return [
        person_create(
            by=by, first_name=row["first_name"], last_name=row["last_name"], date_of_birth=row.get("date_of_birth")
        )
        for row in rows
    ]
