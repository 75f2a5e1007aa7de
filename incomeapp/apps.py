from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class IncomeAppConfig(AppConfig):
    default = True
    name = "incomeapp"
    verbose_name = "Rentwise core"

    def ready(self):
        from django.db.models import Field, ForeignObject

        from .lookups import AnyOf, RelatedAnyOf

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(RelatedAnyOf)


class RentwiseAdminConfig(admin_apps.AdminConfig):
    """Django's admin, entered by role rather than the is_staff flag (see incomeapp.admin_site.RentwiseAdminSite)."""

    default = False
    default_site = "incomeapp.admin_site.RentwiseAdminSite"
