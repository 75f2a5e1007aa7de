import pytest

from incomeapp.constants import Role
from tests.factories import user_with_role


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER, first_name="Priya", last_name="Shah")
