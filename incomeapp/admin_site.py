from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse


class RentwiseAdminSite(admin.AdminSite):
    """Entered by role (System Administrator), not Django's is_staff flag."""

    site_header = "Rentwise administration"
    site_title = "Rentwise administration"
    index_title = "Staff accounts and roles"

    def has_permission(self, request):
        return request.user.is_active and request.user.has_perm("incomeapp.use_admin")

    def login(self, request, extra_context=None):
        # One sign-in page for the whole product; a signed-in person without the role is refused, not asked again.
        if request.user.is_authenticated:
            raise PermissionDenied("Administration is for system administrators.")
        return redirect_to_login(request.get_full_path(), reverse("login"))
