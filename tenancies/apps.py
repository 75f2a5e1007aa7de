from django.apps import AppConfig


class TenanciesConfig(AppConfig):
    name = "tenancies"
    verbose_name = "Tenancies"

    def ready(self):
        from incomeapp.visibility import visibility_register

        from .scoping import is_scoped, payment_reference_visible

        visibility_register(reference_visible=payment_reference_visible, is_scoped=is_scoped)

        from messaging.signals import address_suppressed

        from .receivers_messaging import person_mobile_suppressed

        address_suppressed.connect(person_mobile_suppressed, dispatch_uid="tenancies-person-mobile-suppressed")
