from django.apps import AppConfig


class RentaccountsConfig(AppConfig):
    name = "rentaccounts"
    verbose_name = "Rent accounts"

    def ready(self):
        from incomeapp.panels import register_tenancy_panel

        from .panels import account_panel

        register_tenancy_panel(10, account_panel)
