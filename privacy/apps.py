from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Personal data"

    def ready(self):
        from incomeapp.signals import special_category_viewed

        from .receivers import special_category_access_record

        special_category_viewed.connect(special_category_access_record, dispatch_uid="privacy-special-category-access")
