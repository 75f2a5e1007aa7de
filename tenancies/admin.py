"""Configuration a System Administrator keeps: providers, schemes and their rent-free weeks, patches.

Tenancies, people and charges are not here: they hold tenants' data, which the administrator role does not see.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Patch, Provider, RentFreeWeek, Scheme


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "landlord_type", "jurisdiction")


class RentFreeWeekInline(admin.TabularInline):
    model = RentFreeWeek
    extra = 1


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "scheme_type", "provider")
    list_filter = ("scheme_type", "provider")
    inlines = [RentFreeWeekInline]


@admin.register(Patch)
class PatchAdmin(SimpleHistoryAdmin):
    list_display = ("name", "officer")
