"""Staff administration (the site itself is incomeapp.admin_site.RentwiseAdminSite)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .models import LawThreshold, User
from .staff_changes import holds_guarded_power


@admin.register(User)
class StaffAdmin(SimpleHistoryAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "roles", "delegated_authority_limit", "is_active")
    list_filter = ("groups", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal details", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Role and authority", {"fields": ("is_active", "groups", "delegated_authority_limit", "staff_page")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    # Roles, limits, (for people who can move money) email and passwords change only on the staff pages, where a
    # second administrator approves grants (incomeapp/staff_changes.py); here they are shown, not edited.
    readonly_fields = ("last_login", "date_joined", "groups", "delegated_authority_limit", "staff_page")

    @admin.display(description="Roles")
    def roles(self, obj: User) -> str:
        return ", ".join(obj.role_names)

    @admin.display(description="Roles, authority, email and password")
    def staff_page(self, obj: User) -> str:
        if obj.pk is None:
            return "Set them on the staff page once the account is saved."
        return format_html('<a href="{}">Change them on the staff page</a>', reverse("staff:detail", args=[obj.pk]))

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        if obj is not None and holds_guarded_power(obj):
            fields = (*fields, "email")  # a reset link goes to it
        if obj is not None and obj.pk == request.user.pk:
            fields = (*fields, "is_active")
        return fields

    def user_change_password(self, request, id, form_url=""):
        # An administrator's reset goes through the staff page (a second administrator for people who move money).
        return redirect("staff:password", pk=id)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting to an old version would restore an old limit or email without a second administrator.
        if request.method == "POST":
            raise PermissionDenied("Staff accounts cannot be reverted to an earlier version.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(LawThreshold)
class LawThresholdAdmin(SimpleHistoryAdmin):
    """Legal figures by date. A change in the law is a new row with a later start date, never an edit of the old one."""

    list_display = ("key", "value", "unit", "effective_from", "effective_to", "source")
    list_filter = ("key",)
    search_fields = ("key", "meaning", "source")
