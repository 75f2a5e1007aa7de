"""Configuration a System Administrator keeps: providers, schemes and their rent-free weeks, patches.

Tenancies, people and charges are not here: they hold tenants' data, which the administrator role does not see. Homes
are kept on the Homes pages. Providers, schemes and patches are never deleted (tenancies and the ledger point at them
through their homes): they are retired, by giving the day they stopped being used for new work.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incomeapp.admin import StaffAdmin

from .models import Patch, Provider, RentFreeWeek, Scheme, StaffScope


class RetireNotDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Provider)
class ProviderAdmin(RetireNotDeleteAdmin):
    list_display = ("name", "landlord_type", "jurisdiction", "retired_on")


class RentFreeWeekInline(admin.StackedInline):
    """Stacked, not tabular: each box has its own label (a table's column heading is no label to a screen reader)."""

    model = RentFreeWeek
    extra = 1


@admin.register(Scheme)
class SchemeAdmin(RetireNotDeleteAdmin):
    list_display = ("code", "name", "scheme_type", "provider", "retired_on")
    list_filter = ("scheme_type", "provider")
    inlines = [RentFreeWeekInline]


@admin.register(Patch)
class PatchAdmin(RetireNotDeleteAdmin):
    list_display = ("name", "officer", "retired_on")


class StaffScopeInline(admin.StackedInline):
    """Which tenancies a member of staff sees (tenancies.scoping): on their staff page, one landlord, scheme or patch
    a row. No rows: everything, except a Housing or Support Worker, who sees nothing until given one."""

    model = StaffScope
    fields = ("provider", "scheme", "patch")
    extra = 0
    verbose_name = "landlord, scheme or patch whose tenancies this person sees (one a row)"
    verbose_name_plural = (
        "Tenancies seen: none listed means every tenancy, except for a Housing or Support Worker, who sees none "
        "until given a landlord, scheme or patch here"
    )

    # Nobody changes what they themselves may see, as nobody changes their own roles.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _own(request, obj)


def _own(request, user) -> bool:
    return user is not None and user.pk == request.user.pk


# The staff page belongs to incomeapp, which knows no domain app: the scope rows join it from here.
StaffAdmin.inlines = [*StaffAdmin.inlines, StaffScopeInline]


@admin.register(StaffScope)
class StaffScopeAdmin(SimpleHistoryAdmin):
    """Every scope row, read-only, with who changed it and when (simple-history); rows are added and removed on the
    person's staff page."""

    list_display = ("user", "provider", "scheme", "patch", "updated_at")
    list_filter = ("provider", "scheme", "patch")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    fields = ("user", "provider", "scheme", "patch")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
