import pytest

from complaints.handling_code import complaint_rules_install
from incomeapp.constants import Role
from tests.factories import user_with_role


@pytest.fixture(autouse=True)
def rules():
    complaint_rules_install()  # the data migration's rows (a transactional test's flush would remove them)


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


@pytest.fixture
def manager():
    return user_with_role(Role.INCOME_MANAGER)
