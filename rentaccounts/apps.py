from django.apps import AppConfig


class RentaccountsConfig(AppConfig):
    name = "rentaccounts"
    verbose_name = "Rent accounts"
