from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def ready(self):
        from incomeapp.panels import register_tenancy_panel

        from .panels import tenancy_complaints_panel

        register_tenancy_panel(50, tenancy_complaints_panel)
