from django.db import models


class Jurisdiction(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"


class Role(models.TextChoices):
    """The roles of an income team: each is a Django group whose permissions `setup_roles` sets from roles.py."""

    INCOME_OFFICER = "Income Officer", "Income Officer"
    SENIOR_INCOME_OFFICER = "Senior Income Officer", "Senior Income Officer"
    INCOME_MANAGER = "Income Manager", "Income Manager"
    SUPPORT_WORKER = "Housing or Support Worker", "Housing or Support Worker"
    SYSTEM_ADMINISTRATOR = "System Administrator", "System Administrator"
