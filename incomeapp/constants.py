from django.db import models


class Jurisdiction(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"


class Role(models.TextChoices):
    """The roles of an income team: each is a Django group whose permissions `setup_roles` sets from roles.py."""

    INCOME_OFFICER = "Income Officer", "Income Officer"
    SENIOR_INCOME_OFFICER = "Senior Income Officer", "Senior Income Officer"
    INCOME_MANAGER = "Income Manager", "Income Manager"
    SUPPORT_WORKER = "Housing or Support Worker", "Housing or Support Worker"
    SYSTEM_ADMINISTRATOR = "System Administrator", "System Administrator"


class StaffChangeKind(models.TextChoices):
    """What an administrator changes about a member of staff (incomeapp/staff_changes.py)."""

    ROLES = "roles", "Roles"
    AUTHORITY_LIMIT = "authority_limit", "Delegated authority limit"
    EMAIL = "email", "Email address"
    PASSWORD_RESET = "password_reset", "Password reset"


class StaffChangeState(models.TextChoices):
    PENDING = "pending", "Waiting for a second administrator"
    APPROVED = "approved", "Approved and made"
    MADE = "made", "Made at once"  # the person could neither move money nor vouch for staff changes, before or after
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


# An API client's service user (api.services_clients): it acts for a system, never signs in, and holds exactly its
# client's scopes, so it is not a member of staff: the staff pages do not list it and a staff change cannot touch it.
API_CLIENT_USERNAME_PREFIX = "api-client-"
