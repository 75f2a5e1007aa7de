"""Configuration a System Administrator keeps: providers, schemes and their rent-free weeks, patches.

Tenancies, people and charges are not here: they hold tenants' data, which the administrator role does not see. Homes
are kept on the Homes pages. Providers, schemes and patches are never deleted (tenancies and the ledger point at them
through their homes): they are retired, by giving the day they stopped being used for new work.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Patch, Provider, RentFreeWeek, Scheme


class RetireNotDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Provider)
class ProviderAdmin(RetireNotDeleteAdmin):
    list_display = ("name", "landlord_type", "jurisdiction", "retired_on")


class RentFreeWeekInline(admin.TabularInline):
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
