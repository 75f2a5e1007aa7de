from django.apps import AppConfig


class CourtsConfig(AppConfig):
    name = "courts"
    verbose_name = "Legal action"

    def ready(self) -> None:
        from arrears.signals import breathing_space_changed

        from .receivers import breathing_space_changed_receiver

        # A Breathing Space recorded, or its dates changed, voids the notices served during it (R-BS-12).
        breathing_space_changed.connect(breathing_space_changed_receiver, dispatch_uid="courts.notices_void")
