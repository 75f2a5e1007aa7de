from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    """A tenancy's life in Rentwise: sign-up, charge changes and the annual rent change, ending, transfers, and loading
    a landlord's records from its housing management system. Sits above `arrears` (it records benefit claims at
    sign-up and asks for re-reviews) and below `courts` (an eviction ends a tenancy through it)."""

    name = "lifecycle"
    verbose_name = "Tenancy lifecycle"

    def ready(self):
        from incomeapp.panels import register_tenancy_actions

        from . import actions

        for order, provider in actions.PROVIDERS:
            register_tenancy_actions(order, provider)

        # The template editor's preview: the lifecycle letters' values on top of the arrears case's (arrears is
        # ready first: it comes before lifecycle in INSTALLED_APPS).
        from functools import partial

        from arrears.selectors import case_letter_preview
        from documents.preview import provider_register

        from .preview import lifecycle_preview_context

        provider_register(partial(lifecycle_preview_context, case_context=case_letter_preview))
