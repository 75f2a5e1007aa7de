from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API for the landlord's other systems"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (domain events become webhook deliveries)
