from django.apps import AppConfig


class ArrearsConfig(AppConfig):
    name = "arrears"
    verbose_name = "Arrears"

    def ready(self):
        from rentaccounts.signals import payments_imported

        from .receivers import re_review_after_import

        payments_imported.connect(re_review_after_import, dispatch_uid="arrears-re-review-after-import")

        from documents.preview import provider_register

        from .letters import preview_context

        provider_register(preview_context)
