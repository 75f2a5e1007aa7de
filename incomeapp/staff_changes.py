"""Changes to staff accounts: no one alone can give a person the power to move money.

An administrator asks for a change to someone's roles, delegated authority limit, email address or password. When the
person holds a guarded permission (roles.GUARDED_PERMISSIONS: they can ask for or decide money moves, or vouch for
staff changes) before or after the change, it waits for a second person (another System Administrator or an Income
Manager: `incomeapp.change_staffchangerequest`), never the one who asked and never the person changed. Other changes
are made at once. Taking power away (removing roles, lowering a limit) is always made at once. Every change, made or
refused, is a StaffChangeRequest row with its history.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .constants import API_CLIENT_USERNAME_PREFIX, Role, StaffChangeKind, StaffChangeState
from .models import StaffChangeRequest, User
from .money import ZERO, format_money, to_money
from .roles import GUARDED_PERMISSIONS, staff_require

ASK_PERMISSION = "incomeapp.add_staffchangerequest"
DECIDE_PERMISSION = "incomeapp.change_staffchangerequest"
SELF_CHANGE = "Nobody changes their own roles, authority, email or password here: ask another administrator."
OWN_REQUEST = "You asked for this change, so another administrator or an Income Manager must decide it."
OWN_ACCOUNT = "This change is to your own account, so someone else must decide it."


def _guarded_filter() -> Q:
    pairs = [name.split(".", 1) for name in GUARDED_PERMISSIONS]
    query = Q()
    for app_label, codename in pairs:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return query


def holds_guarded_power(user: User, *, groups=None) -> bool:
    """Whether `user` (with `groups` instead of their own, when given) can move money or vouch for staff changes."""
    if user.is_superuser:
        return True
    group_ids = [g.pk for g in (user.groups.all() if groups is None else groups)]
    held = Q(group__in=group_ids) | Q(user=user) if user.pk else Q(group__in=group_ids)
    return Permission.objects.filter(_guarded_filter()).filter(held).exists()


def _describe(kind: str, value: dict) -> str:
    if kind == StaffChangeKind.ROLES:
        return ", ".join(value.get("roles", [])) or "No role"
    if kind == StaffChangeKind.AUTHORITY_LIMIT:
        return format_money(Decimal(value["limit"])) if "limit" in value else ""
    if kind == StaffChangeKind.EMAIL:
        return value.get("email", "") or "No email address"
    return "A link to set a new password, sent to their email address" if value else ""


def staff_change_describe(change: StaffChangeRequest) -> tuple[str, str]:
    """(what it was, what it is to be), in words for the pages."""
    return _describe(change.kind, change.previous_value), _describe(change.kind, change.requested_value)


def _current_value(target: User, kind: str) -> dict:
    if kind == StaffChangeKind.ROLES:
        return {"roles": sorted(target.groups.values_list("name", flat=True))}
    if kind == StaffChangeKind.AUTHORITY_LIMIT:
        return {"limit": str(target.delegated_authority_limit)}
    if kind == StaffChangeKind.EMAIL:
        return {"email": target.email}
    return {}


def _needs_approval(target: User, kind: str, previous: dict, requested: dict) -> bool:
    """A grant to a guarded person needs a second administrator; taking power away never waits."""
    guarded_now = holds_guarded_power(target)
    if kind == StaffChangeKind.ROLES:
        added = set(requested["roles"]) - set(previous["roles"])
        if not added:
            return False
        after = Group.objects.filter(name__in=requested["roles"])
        return guarded_now or holds_guarded_power(target, groups=after)
    if kind == StaffChangeKind.AUTHORITY_LIMIT:
        return guarded_now and Decimal(requested["limit"]) > Decimal(previous["limit"])
    return guarded_now


def _ask(*, by, target: User, kind: str, requested: dict, reason: str, site: dict | None) -> StaffChangeRequest:
    if by is None:
        raise ValidationError("A staff change is asked for by a person, so that someone else can approve it.")
    staff_require(by, ASK_PERMISSION, "change staff accounts")
    if target.pk == by.pk:
        raise PermissionDenied(SELF_CHANGE)
    if target.username.startswith(API_CLIENT_USERNAME_PREFIX):
        raise ValidationError("This is an API client, not a member of staff: change its scopes on its API client page.")
    if not (reason or "").strip():
        raise ValidationError("Give the reason for the change: the person who approves it needs it, and it is kept.")
    target = User.objects.select_for_update().get(pk=target.pk)
    previous = _current_value(target, kind)
    if kind != StaffChangeKind.PASSWORD_RESET and previous == requested:
        raise ValidationError(f"That is what {target} already has: there is nothing to change.")
    needs_approval = _needs_approval(target, kind, previous, requested)
    # Taking power away never waits, even behind another change (which then cannot be approved as it stands).
    pending = StaffChangeRequest.objects.filter(target=target, kind=kind, state=StaffChangeState.PENDING)
    if needs_approval and pending.exists():
        raise ValidationError(
            f"A change to {target}'s {StaffChangeKind(kind).label.lower()} is already waiting for approval. "
            "It must be approved, refused or withdrawn first."
        )
    change = StaffChangeRequest(
        kind=kind,
        target=target,
        previous_value=previous,
        requested_value=requested,
        reason=reason.strip(),
        requested_by=by,
        needs_approval=needs_approval,
        state=StaffChangeState.PENDING if needs_approval else StaffChangeState.MADE,
    )
    if not needs_approval:
        _make(change, by=by, site=site)
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as error:  # two administrators asked at the same moment
        raise ValidationError(f"A change to {target} is already waiting for approval.") from error
    return change


def _make(change: StaffChangeRequest, *, by: User, site: dict | None) -> None:
    target = User.objects.select_for_update().get(pk=change.target_id)
    target._history_user = by
    target._change_reason = f"{change.get_kind_display()} changed: asked by {change.requested_by}" + (
        f", approved by {by}" if by.pk != change.requested_by_id else ""
    )
    if change.kind == StaffChangeKind.ROLES:
        # Group membership has no history of its own: the change row is its audit.
        target.groups.set(Group.objects.filter(name__in=change.requested_value["roles"]))
    elif change.kind == StaffChangeKind.AUTHORITY_LIMIT:
        target.delegated_authority_limit = Decimal(change.requested_value["limit"])
        target.save(update_fields=["delegated_authority_limit"])
    elif change.kind == StaffChangeKind.EMAIL:
        target.email = change.requested_value["email"]
        target.save(update_fields=["email"])
    else:
        # The old password stops working (and every session with it); only the person, at their own email address,
        # can choose the next one, so the administrators never know it. A random one rather than none keeps the
        # person's own "forgotten password" page working if the link expires.
        target.set_password(secrets.token_urlsafe(32))
        target.save(update_fields=["password"])
        site = site or {}
        transaction.on_commit(lambda: _password_link_send(target, **site))
    change.made_at = timezone.now()


def _password_link_send(user: User, *, domain: str = "", use_https: bool = True) -> None:
    domain = domain or next((host for host in settings.ALLOWED_HOSTS if host and "*" not in host), "localhost")
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    body = render_to_string(
        "incomeapp/staff/password_reset_email.txt",
        {"user": user, "link": f"{'https' if use_https else 'http'}://{domain}{path}"},
    )
    send_mail("Choose a new Rentwise password", body, None, [user.email])


# ---- asking ------------------------------------------------------------------------------------------------------


@transaction.atomic
def staff_roles_change(*, by, target: User, roles, reason: str) -> StaffChangeRequest:
    """Sets the person's roles to exactly `roles` (groups or role names)."""
    names = sorted({role.name if isinstance(role, Group) else str(role) for role in roles})
    unknown = set(names) - set(Role.values)
    if unknown:
        raise ValidationError(f"{', '.join(sorted(unknown))} is not a Rentwise role.")
    return _ask(by=by, target=target, kind=StaffChangeKind.ROLES, requested={"roles": names}, reason=reason, site=None)


@transaction.atomic
def staff_authority_limit_change(*, by, target: User, limit: Decimal, reason: str) -> StaffChangeRequest:
    limit = to_money(limit)
    if limit < ZERO:
        raise ValidationError("Enter a limit of £0.00 or more.")
    return _ask(
        by=by,
        target=target,
        kind=StaffChangeKind.AUTHORITY_LIMIT,
        requested={"limit": str(limit)},
        reason=reason,
        site=None,
    )


@transaction.atomic
def staff_email_change(*, by, target: User, email: str, reason: str) -> StaffChangeRequest:
    """A password reset link goes to this address, so changing it for a guarded person is a grant too."""
    email = (email or "").strip()
    if email:
        validate_email(email)
    return _ask(by=by, target=target, kind=StaffChangeKind.EMAIL, requested={"email": email}, reason=reason, site=None)


@transaction.atomic
def staff_password_reset(*, by, target: User, reason: str, site: dict | None = None) -> StaffChangeRequest:
    """Ends the person's password and emails them a link to choose a new one (after approval, when guarded).
    `site` is {"domain": ..., "use_https": ...} for the link; the person's own "forgotten password" page is apart."""
    if not target.email:
        raise ValidationError(f"{target} has no email address for the link. Add one first.")
    return _ask(
        by=by,
        target=target,
        kind=StaffChangeKind.PASSWORD_RESET,
        requested={"link_to": target.email},
        reason=reason,
        site=site,
    )


# ---- deciding -----------------------------------------------------------------------------------------------------


def staff_change_decide_problem(change: StaffChangeRequest, user) -> str | None:
    """Why `user` may not decide `change`, in words; None when they may."""
    if user is None or not user.has_perm(DECIDE_PERMISSION):
        return "You do not have permission to decide staff changes."
    if change.requested_by_id == user.pk:
        return OWN_REQUEST
    if change.target_id == user.pk:
        return OWN_ACCOUNT
    if change.state != StaffChangeState.PENDING:
        return f"This change is {change.get_state_display().lower()}: there is nothing to decide."
    return None


def _decidable(change: StaffChangeRequest, by, reason: str) -> StaffChangeRequest:
    if by is None:
        raise ValidationError("A staff change is decided by a person.")
    staff_require(by, DECIDE_PERMISSION, "decide staff changes")
    change = StaffChangeRequest.objects.select_for_update().get(pk=change.pk)
    problem = staff_change_decide_problem(change, by)
    if problem in (OWN_REQUEST, OWN_ACCOUNT):
        raise PermissionDenied(problem)
    if problem:
        raise ValidationError(problem)
    if not (reason or "").strip():
        raise ValidationError("Give the reason for your decision: it is kept with the change.")
    return change


@transaction.atomic
def staff_change_approve(
    *, change: StaffChangeRequest, by, reason: str, site: dict | None = None
) -> StaffChangeRequest:
    change = _decidable(change, by, reason)
    target = User.objects.select_for_update().get(pk=change.target_id)
    if change.kind != StaffChangeKind.PASSWORD_RESET and _current_value(target, change.kind) != change.previous_value:
        raise ValidationError(
            f"{target}'s {change.get_kind_display().lower()} changed after this was asked for. Refuse it and ask again."
        )
    if change.kind == StaffChangeKind.PASSWORD_RESET and not target.email:
        raise ValidationError(f"{target} has no email address for the link. Refuse it, add one and ask again.")
    change.state = StaffChangeState.APPROVED
    change.decided_by, change.decided_at, change.decision_reason = by, timezone.now(), reason.strip()
    _make(change, by=by, site=site)
    change.save()
    return change


@transaction.atomic
def staff_change_refuse(*, change: StaffChangeRequest, by, reason: str) -> StaffChangeRequest:
    change = _decidable(change, by, reason)
    change.state = StaffChangeState.REFUSED
    change.decided_by, change.decided_at, change.decision_reason = by, timezone.now(), reason.strip()
    change.save()
    return change


@transaction.atomic
def staff_change_withdraw(*, change: StaffChangeRequest, by) -> StaffChangeRequest:
    """The person who asked takes it back before anyone decides."""
    change = StaffChangeRequest.objects.select_for_update().get(pk=change.pk)
    if by is None or change.requested_by_id != by.pk:
        raise PermissionDenied("Only the person who asked for a change can withdraw it.")
    if change.state != StaffChangeState.PENDING:
        raise ValidationError(f"This change is {change.get_state_display().lower()}: it cannot be withdrawn.")
    change.state, change.decided_at = StaffChangeState.WITHDRAWN, timezone.now()
    change.save()
    return change


# ---- reading ------------------------------------------------------------------------------------------------------


def staff_changes_pending():
    return StaffChangeRequest.objects.filter(state=StaffChangeState.PENDING).select_related("target", "requested_by")


def staff_changes_for(user: User):
    return StaffChangeRequest.objects.filter(target=user).select_related("requested_by", "decided_by")
