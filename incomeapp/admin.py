"""Staff administration (the site itself is incomeapp.admin_site.RentwiseAdminSite)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import LawThreshold, User


@admin.register(User)
class StaffAdmin(SimpleHistoryAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "roles", "delegated_authority_limit", "is_active")
    list_filter = ("groups", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal details", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Role and authority", {"fields": ("is_active", "groups", "delegated_authority_limit")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="Roles")
    def roles(self, obj: User) -> str:
        return ", ".join(obj.role_names)

    def get_readonly_fields(self, request, obj=None):
        # Nobody changes their own roles or limit: that would let a person raise their own authority.
        if obj is not None and obj.pk == request.user.pk:
            return (*self.readonly_fields, "groups", "delegated_authority_limit", "is_active")
        return self.readonly_fields


@admin.register(LawThreshold)
class LawThresholdAdmin(SimpleHistoryAdmin):
    """Legal figures by date. A change in the law is a new row with a later start date, never an edit of the old one."""

    list_display = ("key", "value", "unit", "effective_from", "effective_to", "source")
    list_filter = ("key",)
    search_fields = ("key", "meaning", "source")
