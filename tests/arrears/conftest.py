from datetime import date

import pytest

from arrears.engine import evaluate
from arrears.services import SHIPPED_POLICIES, policy_read

TODAY = date(2026, 11, 30)  # a Monday


@pytest.fixture(scope="session")
def shipped():
    return {path.stem: policy_read(path.read_text()) for path in SHIPPED_POLICIES.glob("*.yaml")}


def facts(**given) -> dict:
    """Input facts for a case reviewed on TODAY; anything not given is not recorded."""
    from arrears.facts import facts_read

    return facts_read(
        {"as_of": TODAY.isoformat(), **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in given.items()}}
    )


@pytest.fixture
def classify(shipped):
    def run(policy: str, **given):
        return evaluate(shipped[policy], facts(**given))

    return run
