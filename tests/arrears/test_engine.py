"""The condition language and policy checks, independent of the shipped policies."""

from datetime import date
from decimal import Decimal

import pytest

from arrears.engine import PolicyError, evaluate, policy_check
from arrears.engine.conditions import compiled, explained
from arrears.facts import FactsError, facts_derive, facts_read
from tests.arrears.conftest import facts


def policy(*rules, blockers=None) -> dict:
    return policy_check(
        {
            "name": "test",
            "blockers": blockers or {},
            "rules": [
                {"key": f"r{i}", "when": when, "outcome": {"action": f"a{i}", "label": f"A{i}"}}
                for i, when in enumerate(rules, start=1)
            ],
            "otherwise": {"action": "none", "label": "Nothing", "mode": "none"},
        }
    )


def test_the_first_rule_that_holds_wins_and_earlier_ones_say_why_not():
    p = policy(
        {"fact": "balance", "op": ">=", "value": 500},
        {"fact": "balance", "op": ">=", "value": 100},
    )
    result = evaluate(p, facts(balance="250.00"))
    assert (result.action, result.rule) == ("a2", "r2")
    assert result.reasons == ["balance £250.00 ≥ £100.00"]
    assert result.not_fired == [{"rule": "r1", "because": "balance £250.00 < £500.00"}]


def test_weeks_of_rent_and_greater_of():
    p = policy({"fact": "real_arrears", "op": ">=", "value": {"greater_of": [30, {"fact": "weekly_rent", "times": 4}]}})
    assert evaluate(p, facts(balance="40.00", weekly_rent="5.00")).action == "a1"  # 4 weeks = £20 < £30
    assert evaluate(p, facts(balance="29.99", weekly_rent="5.00")).action == "none"
    result = evaluate(p, facts(balance="400.00", weekly_rent="100.00"))
    assert result.reasons == [
        "real arrears £400.00 ≥ the greater of £30.00 and 4 × weekly rent (£100.00) = £400.00, that is £400.00"
    ]


def test_calendar_months_clamp_at_the_month_end():
    p = policy({"fact": "last_contact_date", "op": "at_least_ago", "value": "1m"})
    # 1 month before 31/03 is 28/02 (clamped), not 03/03.
    assert evaluate(p, {**facts(), "as_of": date(2027, 3, 31), "last_contact_date": date(2027, 2, 28)}).action == "a1"
    assert evaluate(p, {**facts(), "as_of": date(2027, 3, 31), "last_contact_date": date(2027, 3, 1)}).action == "none"


def test_a_missing_fact_never_satisfies_a_comparison():
    p = policy({"fact": "last_payment_date", "op": "at_least_ago", "value": "8d"})
    result = evaluate(p, facts())
    assert result.action == "none"
    assert result.not_fired[0]["because"] == "last payment date is not recorded"


def test_blockers_stop_the_rules_that_name_them():
    p = policy_check(
        {
            "name": "test",
            "blockers": {"paused": {"fact": "paused", "op": "is_true"}},
            "rules": [
                {
                    "key": "letter",
                    "when": {"fact": "balance", "op": ">", "value": 0},
                    "outcome": {"action": "l", "label": "L"},
                },
                {
                    "key": "failed",
                    "blocked_by": [],
                    "when": {"fact": "balance", "op": ">", "value": 0},
                    "outcome": {"action": "f", "label": "F"},
                },
            ],
            "otherwise": {"action": "none", "label": "Nothing"},
        }
    )
    result = evaluate(p, facts(balance="10.00", pause_end_date=date(2027, 1, 1)))
    assert result.action == "f"
    assert result.blocked_by[0].startswith("paused: paused: yes")
    assert result.not_fired == [{"rule": "letter", "because": "blocked (paused)"}]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"name": "x", "rules": []}, "needs a list of rules"),
        (
            {"name": "x", "rules": [{"key": "a", "when": {"fact": "arears", "op": ">", "value": 1}, "outcome": {}}]},
            "unknown fact 'arears'",
        ),
        (
            {"name": "x", "rules": [{"key": "a", "when": {"fact": "balance", "op": "=>", "value": 1}, "outcome": {}}]},
            "unknown op '=>'",
        ),
        (
            {
                "name": "x",
                "rules": [
                    {"key": "a", "when": {"fact": "balance", "op": "at_least_ago", "value": "3m"}, "outcome": {}}
                ],
            },
            "needs a date fact",
        ),
        (
            {
                "name": "x",
                "rules": [{"key": "a", "when": {"fact": "as_of", "op": "at_least_ago", "value": "3 months"}}],
            },
            "is not a duration",
        ),
        (
            {
                "name": "x",
                "rules": [
                    {
                        "key": "a",
                        "when": {"fact": "balance", "op": ">", "value": 1},
                        "outcome": {"action": "a", "label": "A", "mode": "sometimes"},
                    }
                ],
            },
            "mode 'sometimes'",
        ),
    ],
)
def test_a_broken_policy_is_refused_with_a_clear_message(document, message):
    with pytest.raises(PolicyError, match=message):
        policy_check(document)


def test_facts_are_checked_and_derived():
    with pytest.raises(FactsError, match=r"Unknown facts: arrears_after_grace .derived facts are computed"):
        facts_read({"as_of": "2026-11-30", "arrears_after_grace": "10"})
    with pytest.raises(FactsError, match=r"'balance' is 'lots'; expected an amount"):
        facts_read({"as_of": "2026-11-30", "balance": "lots"})
    with pytest.raises(FactsError, match=r"'as_of' .* is required"):
        facts_read({"balance": "1"})
    derived = facts_derive(
        facts(balance="150.00", net_since_monday="-100.00", paid_this_week="100.00", weekly_rent="100.00")
    )
    assert (derived["collectable_arrears"], derived["grace"], derived["arrears_after_grace"]) == (50, 0, 50)
    assert derived["arrears_weeks"] == pytest.approx(1.5)


@pytest.mark.parametrize("policy_name", ["rentwise-default", "hackney-2020"])
def test_the_reviews_fast_path_recommends_and_explains_exactly_as_the_full_one(policy_name, shipped):
    """The weekly review skips explaining rules that did not fire; nothing else may differ."""
    from datetime import timedelta

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tests.arrears.conftest import TODAY

    money = st.decimals(min_value=-500, max_value=3000, places=2).map(str)
    day = st.integers(min_value=0, max_value=900).map(lambda n: (TODAY - timedelta(days=n)).isoformat())
    maybe = lambda strategy: st.none() | strategy  # noqa: E731
    case = st.fixed_dictionaries(
        {
            "balance": money,
            "weekly_rent": st.sampled_from(["0.00", "5.00", "100.00", "137.45"]),
            "net_since_monday": money,
            "paid_this_week": money,
            "expected_benefit": money,
            "last_payment_date": maybe(day),
            "last_contact_code": maybe(
                st.sampled_from(
                    [
                        "sms",
                        "letter_1",
                        "letter_2",
                        "reminder_1",
                        "final_warning",
                        "court_warning_letter",
                        "informal_breach_letter",
                    ]
                )
            ),
            "last_contact_date": maybe(day),
            "last_contact_attempt_date": maybe(day),
            "nosp_served_date": maybe(day),
            "court_date": maybe(
                st.integers(min_value=-60, max_value=900).map(lambda n: (TODAY - timedelta(days=n)).isoformat())
            ),
            "court_outcome": maybe(st.sampled_from(["suspended_possession", "outright_possession_forthwith"])),
            "agreement_state": maybe(st.sampled_from(["live", "breached", "completed"])),
            "agreement_type": maybe(st.sampled_from(["informal", "court"])),
            "agreement_start_date": maybe(day),
            "breathing_space": st.booleans(),
            "last_letter_failed": st.booleans(),
            "vulnerability_review_due": st.booleans(),
            "benefit_claim_pending": st.booleans(),
        }
    )

    @settings(max_examples=300, deadline=None)
    @given(case)
    def check(given_facts):
        f = facts_read({"as_of": TODAY.isoformat(), **{k: v for k, v in given_facts.items() if v is not None}})
        full = evaluate(shipped[policy_name], f)
        fast = evaluate(shipped[policy_name], f, explain_all=False)
        assert (fast.action, fast.rule, fast.reasons, fast.blocked_by, fast.arrears_weeks) == (
            full.action,
            full.rule,
            full.reasons,
            full.blocked_by,
            full.arrears_weeks,
        )
        # Each condition, and each part of it, compiled says what the explaining evaluation says.
        derived = facts_derive(f, grace_weeks=Decimal(str(policy.get("grace_weeks", 1))))
        for condition in _conditions_and_parts(policy):
            assert compiled(condition)(derived) == explained(condition)(derived)[0], condition

    policy = shipped[policy_name]
    check()


def _conditions_and_parts(policy: dict) -> list[dict]:
    found, waiting = [], [*(policy.get("blockers") or {}).values(), *(rule["when"] for rule in policy["rules"])]
    while waiting:
        condition = waiting.pop()
        found.append(condition)
        waiting += (
            condition.get("all", []) + condition.get("any", []) + ([condition["not"]] if "not" in condition else [])
        )
    return found


@pytest.mark.parametrize("op", ["at_least_ago", "less_than_ago", "at_most_ago", "in_future", "not_in_future"])
@pytest.mark.parametrize("days_ago", [-1, 0, 13, 14, 15, None])
def test_compiled_date_tests_answer_as_the_explaining_ones_on_each_side_of_the_line(op, days_ago):
    from datetime import timedelta

    as_of = date(2026, 11, 30)
    condition = {"fact": "last_payment_date", "op": op, **({"value": "14d"} if op.endswith("_ago") else {})}
    given = {"as_of": as_of, "last_payment_date": None if days_ago is None else as_of - timedelta(days=days_ago)}
    assert compiled(condition)(given) == explained(condition)(given)[0]
