"""The one place tests make records."""

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.roles import roles_setup

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)


def user_with_role(role: Role, **fields) -> User:
    if not Group.objects.filter(name=role.value).exists():
        roles_setup()
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=role.value))
    return user
