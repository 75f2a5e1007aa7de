"""Staff accounts for the System Administrator, and staff changes for a second administrator or an Income Manager to
decide. The services (incomeapp.staff_changes) make every check; these pages show and ask."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .constants import API_CLIENT_USERNAME_PREFIX, StaffChangeKind, StaffChangeState
from .forms_staff import (
    StaffAuthorityLimitForm,
    StaffChangeDecisionForm,
    StaffEmailForm,
    StaffPasswordResetForm,
    StaffRolesForm,
)
from .models import StaffChangeRequest, User
from .staff_changes import (
    SELF_CHANGE,
    holds_guarded_power,
    staff_authority_limit_change,
    staff_change_approve,
    staff_change_decide_problem,
    staff_change_describe,
    staff_change_refuse,
    staff_change_withdraw,
    staff_changes_for,
    staff_changes_pending,
    staff_email_change,
    staff_password_reset,
    staff_roles_change,
)

CHANGES = StaffChangeRequest.objects.select_related("target", "requested_by", "decided_by")


def _message(error: ValidationError | PermissionDenied) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


def _site(request) -> dict:
    return {"domain": request.get_host(), "use_https": request.is_secure()}


def _described(changes):
    for change in changes:
        change.was, change.to_be = staff_change_describe(change)
    return changes


@permission_required("incomeapp.use_admin", raise_exception=True)
def index(request):
    people = (
        User.objects.exclude(username__startswith=API_CLIENT_USERNAME_PREFIX)
        .prefetch_related("groups")
        .order_by("first_name", "last_name", "username")
    )
    waiting = {change.target_id for change in staff_changes_pending()}
    page = Paginator(people, 100).get_page(request.GET.get("page"))
    for person in page:
        person.has_waiting_change = person.pk in waiting
    context = {"page": page, "waiting_count": staff_changes_pending().count()}
    return render(request, "incomeapp/staff/index.html", context)


@permission_required("incomeapp.use_admin", raise_exception=True)
def detail(request, pk):
    person = get_object_or_404(
        User.objects.exclude(username__startswith=API_CLIENT_USERNAME_PREFIX).prefetch_related("groups"), pk=pk
    )
    created = person.history.order_by("history_date", "history_id").select_related("history_user").first()
    context = {
        "person": person,
        "is_self": person.pk == request.user.pk,
        "self_change": SELF_CHANGE,
        "guarded": holds_guarded_power(person),
        "created": created,
        "changes": _described(list(staff_changes_for(person))),
    }
    return render(request, "incomeapp/staff/detail.html", context)


CHANGE_PAGES = {
    StaffChangeKind.ROLES: (StaffRolesForm, "Change roles"),
    StaffChangeKind.AUTHORITY_LIMIT: (StaffAuthorityLimitForm, "Change delegated authority"),
    StaffChangeKind.EMAIL: (StaffEmailForm, "Change email address"),
    StaffChangeKind.PASSWORD_RESET: (StaffPasswordResetForm, "Reset password"),
}
MADE_MESSAGES = {
    StaffChangeKind.ROLES: "Roles changed for {person}.",
    StaffChangeKind.AUTHORITY_LIMIT: "Delegated authority changed for {person}.",
    StaffChangeKind.EMAIL: "Email address changed for {person}.",
    StaffChangeKind.PASSWORD_RESET: "Password reset for {person}: their old password no longer works, and a link to "
    "choose a new one has gone to their email address.",
}


def _initial(person: User, kind: str) -> dict:
    if kind == StaffChangeKind.ROLES:
        return {"roles": list(person.groups.all())}
    if kind == StaffChangeKind.AUTHORITY_LIMIT:
        return {"limit": person.delegated_authority_limit}
    if kind == StaffChangeKind.EMAIL:
        return {"email": person.email}
    return {}


def _ask(request, person: User, kind: str, data: dict):
    reason = data["reason"]
    if kind == StaffChangeKind.ROLES:
        return staff_roles_change(by=request.user, target=person, roles=data["roles"], reason=reason)
    if kind == StaffChangeKind.AUTHORITY_LIMIT:
        return staff_authority_limit_change(by=request.user, target=person, limit=data["limit"], reason=reason)
    if kind == StaffChangeKind.EMAIL:
        return staff_email_change(by=request.user, target=person, email=data["email"], reason=reason)
    return staff_password_reset(by=request.user, target=person, reason=reason, site=_site(request))


@permission_required("incomeapp.use_admin", raise_exception=True)
@permission_required("incomeapp.add_staffchangerequest", raise_exception=True)
def change(request, pk, kind):
    person = get_object_or_404(User, pk=pk)
    if person.pk == request.user.pk:
        raise PermissionDenied(SELF_CHANGE)
    form_class, title = CHANGE_PAGES[StaffChangeKind(kind)]
    form = form_class(request.POST or None, initial=_initial(person, kind))
    if request.method == "POST" and form.is_valid():
        try:
            asked = _ask(request, person, kind, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _message(error))
        else:
            if asked.state == StaffChangeState.PENDING:
                messages.success(
                    request,
                    f"Sent for approval. {person} can move money or vouch for staff changes, so another administrator "
                    "or an Income Manager must approve this before it takes effect.",
                )
            else:
                messages.success(request, MADE_MESSAGES[StaffChangeKind(kind)].format(person=person))
            return redirect("staff:detail", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "title": title,
        "kind": kind,
        "guarded": holds_guarded_power(person),
    }
    return render(request, "incomeapp/staff/change.html", context)


@permission_required("incomeapp.view_staffchangerequest", raise_exception=True)
def changes(request):
    pending = _described(list(staff_changes_pending().select_related("decided_by").order_by("created_at", "id")))
    for item in pending:
        item.problem = staff_change_decide_problem(item, request.user)
    past = CHANGES.exclude(state=StaffChangeState.PENDING).order_by("-created_at", "-id")
    page = Paginator(past, 50).get_page(request.GET.get("page"))
    _described(page.object_list)
    return render(request, "incomeapp/staff/changes.html", {"pending": pending, "page": page})


@permission_required("incomeapp.view_staffchangerequest", raise_exception=True)
def change_detail(request, pk, form=None):
    item = get_object_or_404(CHANGES, pk=pk)
    _described([item])
    target = item.target
    created = target.history.order_by("history_date", "history_id").select_related("history_user").first()
    problem = staff_change_decide_problem(item, request.user)
    context = {
        "item": item,
        "target": target,
        "target_roles": target.role_names,
        "guarded": holds_guarded_power(target),
        "created": created,
        "form": form or StaffChangeDecisionForm(),
        "can_decide": problem is None,
        "problem": problem,
        "is_own": item.requested_by_id == request.user.pk,
        "history": item.history.select_related("history_user").order_by("history_date", "history_id"),
    }
    return render(request, "incomeapp/staff/change_detail.html", context)


@require_POST
@permission_required("incomeapp.change_staffchangerequest", raise_exception=True)
def change_decide(request, pk):
    item = get_object_or_404(StaffChangeRequest, pk=pk)
    form = StaffChangeDecisionForm(request.POST)
    if not form.is_valid():
        return change_detail(request, pk, form=form)
    try:
        if "approve" in request.POST:
            staff_change_approve(change=item, by=request.user, reason=form.cleaned_data["reason"], site=_site(request))
            messages.success(request, f"Approved. The change to {item.target} has been made.")
        else:
            staff_change_refuse(change=item, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"Refused. Nothing about {item.target} has changed.")
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, _message(error))
        return change_detail(request, pk, form=form)
    return redirect("staff:change_detail", pk=pk)


@require_POST
@permission_required("incomeapp.add_staffchangerequest", raise_exception=True)
def change_withdraw(request, pk):
    item = get_object_or_404(StaffChangeRequest, pk=pk)
    try:
        staff_change_withdraw(change=item, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, f"Withdrawn. Nothing about {item.target} has changed.")
    return redirect("staff:change_detail", pk=pk)
