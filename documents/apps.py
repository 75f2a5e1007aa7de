from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        from incomeapp.panels import register_tenancy_panel

        from .panels import documents_panel

        register_tenancy_panel(40, documents_panel)
