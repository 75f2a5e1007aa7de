"""Policies stored as versions: install, import, publish, export, and classify_case for policy authors."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from arrears.constants import PolicyVersionStatus
from arrears.models import ArrearsPolicy, ArrearsPolicyVersion
from arrears.services import SHIPPED_POLICIES, policies_install_shipped, policy_import, policy_version_publish
from incomeapp.constants import Role
from incomeapp.roles import roles_setup
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_installing_the_shipped_policies_twice_makes_each_once_and_live():
    policies_install_shipped()
    policies_install_shipped()
    assert sorted(ArrearsPolicyVersion.objects.values_list("policy__name", "number", "status")) == [
        ("former-tenants", 1, "live"),
        ("hackney-2020", 1, "live"),
        ("rentwise-default", 1, "live"),
        ("sundry-debts", 1, "live"),
    ]
    assert ArrearsPolicy.objects.get(is_default=True).name == "rentwise-default"
    assert dict(ArrearsPolicy.objects.values_list("name", "ladder")) == {
        "former-tenants": "former",
        "hackney-2020": "current",
        "rentwise-default": "current",
        "sundry-debts": "sundry",
    }


def test_a_changed_policy_is_a_new_draft_until_published_and_the_old_version_is_kept(tmp_path):
    policies_install_shipped()
    text = (SHIPPED_POLICIES / "hackney-2020.yaml").read_text().replace("value: 10.00}", "value: 20.00}")
    changed = tmp_path / "hackney.yaml"
    changed.write_text(text)
    assert run("arrears_policy", "import", str(changed)) == "hackney-2020: imported as version 2.\n"
    assert ArrearsPolicyVersion.objects.get(policy__name="hackney-2020", number=1).status == PolicyVersionStatus.LIVE
    assert (
        run("arrears_policy", "import", str(changed), "--publish") == "hackney-2020: unchanged (version 2), now live.\n"
    )
    statuses = dict(ArrearsPolicyVersion.objects.filter(policy__name="hackney-2020").values_list("number", "status"))
    assert statuses == {1: "retired", 2: "live"}
    assert "value: 20.00}" in run("arrears_policy", "export", "hackney-2020")


def test_export_then_import_round_trips_without_a_new_version(tmp_path):
    policies_install_shipped()
    out = tmp_path / "default.yaml"
    run("arrears_policy", "export", "rentwise-default", "--output", str(out))
    assert run("arrears_policy", "import", str(out)) == "rentwise-default: unchanged (version 1).\n"


def test_a_bad_policy_file_is_refused_with_the_rule_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: mine\nrules:\n  - key: one\n    when: {fact: arrears, op: '>=', value: 10}\n")
    with pytest.raises(CommandError, match=r"rule 1 .'one'.: unknown fact 'arrears'"):
        run("arrears_policy", "import", str(bad))
    assert not ArrearsPolicy.objects.filter(name="mine").exists()


def test_only_a_manager_may_change_or_publish_a_policy():
    roles_setup()
    officer = user_with_role(Role.INCOME_OFFICER)
    manager = user_with_role(Role.INCOME_MANAGER)
    text = (SHIPPED_POLICIES / "rentwise-default.yaml").read_text()
    with pytest.raises(PermissionDenied):
        policy_import(text=text, imported_by=officer)
    version, _ = policy_import(text=text, imported_by=manager)
    with pytest.raises(PermissionDenied):
        policy_version_publish(version=version, published_by=officer)
    assert policy_version_publish(version=version, published_by=manager).status == PolicyVersionStatus.LIVE


def test_a_retired_version_cannot_be_published_again():
    policies_install_shipped()
    first = ArrearsPolicyVersion.objects.get(policy__name="rentwise-default")
    text = (SHIPPED_POLICIES / "rentwise-default.yaml").read_text().replace("severity: 30", "severity: 31")
    second, _ = policy_import(text=text)
    policy_version_publish(version=second)
    with pytest.raises(ValidationError, match="was retired"):
        policy_version_publish(version=first)


def test_classify_case_by_policy_name_and_by_file(tmp_path):
    policies_install_shipped()
    facts = tmp_path / "case.json"
    facts.write_text(
        json.dumps(
            {
                "as_of": "2026-11-30",
                "balance": "500.00",
                "weekly_rent": "100.00",
                "last_contact_code": "letter_2",
                "last_contact_date": "2026-11-23",
            }
        )
    )
    result = json.loads(run("classify_case", "--facts", str(facts), "--policy", "hackney-2020", "--json"))
    assert (result["action"], result["rule"], result["version"]) == ("send_nosp", "send_nosp", 1)
    assert "arrears after grace £400.00 ≥ 4 × weekly rent (£100.00) = £400.00" in result["reasons"]
    text = run("classify_case", "--facts", str(facts), "--policy", str(SHIPPED_POLICIES / "rentwise-default.yaml"))
    assert text.startswith("Call or visit before: Send a friendly reminder and offer help")


def test_classify_case_explains_bad_input(tmp_path):
    facts = tmp_path / "case.json"
    facts.write_text('{"as_of": "2026-11-30", "balanse": "1"}')
    with pytest.raises(CommandError, match="Unknown facts: balanse"):
        run("classify_case", "--facts", str(facts), "--policy", "hackney-2020")
    facts.write_text('{"as_of": "2026-11-30"}')
    with pytest.raises(CommandError, match="no policy called 'nope'"):
        run("classify_case", "--facts", str(facts), "--policy", "nope")


def test_the_policy_docs_list_every_fact():
    from pathlib import Path

    from arrears.facts import FACTS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "arrears-policy.md").read_text()
    assert [name for name in FACTS if f"| `{name}` |" not in doc] == []


def test_a_policy_can_apply_to_a_tenure_and_a_scheme_and_every_tenancy_follows_one(tmp_path):
    from datetime import date, timedelta
    from decimal import Decimal

    from arrears.models import Recommendation
    from arrears.review import review_run
    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post
    from tests.factories import SchemeFactory, TenancyFactory

    policies_install_shipped()
    text = (SHIPPED_POLICIES / "hackney-2020.yaml").read_text() + "\napplies_to: {tenures: [LICENCE]}\n"
    version, _ = policy_import(text=text)
    policy_version_publish(version=version)
    assert ArrearsPolicy.objects.get(name="hackney-2020").tenure_types == ["LICENCE"]
    as_of = date(2026, 11, 30)
    accounts = {}
    for tenure in ("LICENCE", "ASSURED"):
        account = account_get_or_create(tenancy=TenancyFactory(tenure_type=tenure))
        transactions_post(
            postings=[
                Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), as_of - timedelta(days=9), tenure)
            ]
        )
        accounts[tenure] = account
    review_run(as_of=as_of)
    used = dict(Recommendation.objects.values_list("account__tenancy__tenure_type", "policy_version__policy__name"))
    assert used == {"LICENCE": "hackney-2020", "ASSURED": "rentwise-default"}
    SchemeFactory(code="SUP1")
    clash = (SHIPPED_POLICIES / "rentwise-default.yaml").read_text() + "\napplies_to: {tenures: [LICENCE]}\n"
    clashing, _ = policy_import(text=clash)
    with pytest.raises(ValidationError, match="LICENCE already follows the policy"):
        policy_version_publish(version=clashing)
    bad, _ = policy_import(
        text=(SHIPPED_POLICIES / "rentwise-default.yaml").read_text() + "\napplies_to: {schemes: [NOPE]}\n"
    )
    with pytest.raises(ValidationError, match="No scheme has the code NOPE"):
        policy_version_publish(version=bad)


def test_grace_is_set_per_policy():
    from datetime import date

    from arrears.engine import evaluate
    from arrears.facts import facts_read
    from arrears.services import policy_read

    text = (SHIPPED_POLICIES / "hackney-2020.yaml").read_text()
    one_week, two_weeks = policy_read(text), policy_read(text + "\ngrace_weeks: 2\n")
    facts = facts_read({"as_of": date(2026, 11, 30).isoformat(), "balance": "150.00", "weekly_rent": "100.00"})
    assert evaluate(one_week, facts).action == "send_letter_1"  # 150 − 100 grace = 50 ≥ 10
    assert evaluate(two_weeks, facts).action == "no_action"  # 150 − 200 grace < 10
    with pytest.raises(ValidationError, match="grace_weeks must be a number of weeks from 0 to 8"):
        policy_read(text + "\ngrace_weeks: lots\n")
