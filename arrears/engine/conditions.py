"""Evaluating a policy's conditions over a case's facts: every test records what it compared, so the result explains
itself ("arrears after grace £412.50 ≥ 4 × weekly rent (£100.00) = £400.00")."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from arrears.facts import FACTS, MONEY
from incomeapp.money import format_money

from .checks import _AGE, _COMPARE, _LIST, _SYMBOL, _duration


def _show(fact: str, value) -> str:
    if value is None:
        return "not recorded"
    if FACTS.get(fact) and FACTS[fact].kind == MONEY:
        return format_money(value)
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _label(fact: str) -> str:
    return fact.replace("_", " ").replace("nosp", "NOSP")


def _resolve(value, facts: dict, explain: bool = True) -> tuple[object, str]:
    """A test's right-hand side and (when `explain`) how to say it."""
    if not explain:
        return _value_of(value, facts), ""
    if isinstance(value, dict) and "greater_of" in value:
        parts = [_resolve(part, facts) for part in value["greater_of"]]
        present = [(v, text) for v, text in parts if v is not None]
        if not present:
            return None, "nothing recorded"
        best = max(present, key=lambda part: part[0])
        return best[0], f"the greater of {' and '.join(text for _, text in parts)}, that is {_money_or(best[0])}"
    if isinstance(value, dict):
        fact_value = facts.get(value["fact"])
        times = value.get("times")
        if times is None:
            return fact_value, f"{_label(value['fact'])} ({_show(value['fact'], fact_value)})"
        if fact_value is None:
            return None, f"{times} × {_label(value['fact'])} (not recorded)"
        product = (Decimal(str(times)) * fact_value).quantize(Decimal("0.01"))
        return product, f"{times} × {_label(value['fact'])} ({_show(value['fact'], fact_value)}) = {_money_or(product)}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value)), _money_or(Decimal(str(value)))
    return value, str(value)


def _value_of(value, facts: dict):
    if isinstance(value, dict) and "greater_of" in value:
        present = [v for v in (_value_of(part, facts) for part in value["greater_of"]) if v is not None]
        return max(present) if present else None
    if isinstance(value, dict):
        fact_value = facts.get(value["fact"])
        if value.get("times") is None or fact_value is None:
            return fact_value
        return (Decimal(str(value["times"])) * fact_value).quantize(Decimal("0.01"))
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _money_or(value) -> str:
    return format_money(value) if isinstance(value, Decimal) else str(value)


def _ago(today: date, amount: int, unit: str) -> date:
    if unit == "d":
        return today - timedelta(days=amount)
    if unit == "w":
        return today - timedelta(weeks=amount)
    return today - relativedelta(months=amount if unit == "m" else amount * 12)


_UNIT = {"d": "days", "w": "weeks", "m": "calendar months", "y": "years"}


def _test(condition: dict, facts: dict, explain: bool = True) -> tuple[bool, str]:
    """Whether one test holds and, when `explain`, how to say it (the text is the slow part, so it is built only for
    the reasons that are kept)."""
    fact, op = condition["fact"], condition["op"]
    value = facts.get(fact)
    if op in ("is_set", "is_not_set"):
        holds = (value is not None) == (op == "is_set")
        if not explain:
            return holds, ""
        return holds, f"{_label(fact)} is {f'recorded ({_show(fact, value)})' if value is not None else 'not recorded'}"
    if op in ("is_true", "is_false"):
        holds = bool(value) if op == "is_true" else not value
        return holds, (f"{_label(fact)}: {'yes' if value else 'no'}" if explain else "")
    if op in ("in_future", "not_in_future"):
        future = value is not None and value > facts["as_of"]
        holds = future == (op == "in_future")
        if not explain:
            return holds, ""
        if value is None:
            return holds, f"{_label(fact)} is not recorded"
        said = "after" if future else "not after"
        return holds, f"{_label(fact)} {_show(fact, value)} is {said} the review date"
    if op in _LIST:
        options = [str(option) for option in condition["value"]]
        inside = value is not None and str(value) in options
        holds = inside if op == "in" else not inside
        if not explain:
            return holds, ""
        return holds, f"{_label(fact)} ({_show(fact, value)}) is {'one' if inside else 'none'} of {', '.join(options)}"
    if op in _AGE:
        if value is None:
            return False, (f"{_label(fact)} is not recorded" if explain else "")
        amount, unit = _duration(condition["value"], fact)
        cutoff = _ago(facts["as_of"], amount, unit)
        if op == "at_most_ago":  # "not more than N ago": on or after the cut-off
            holds = value >= cutoff
            said = "not more than" if holds else "more than"
        else:
            old_enough = value <= cutoff
            holds = old_enough if op == "at_least_ago" else not old_enough
            said = "at least" if old_enough else "less than"
        if not explain:
            return holds, ""
        age = (facts["as_of"] - value).days
        return holds, f"{_label(fact)} {_show(fact, value)} ({age} days ago) is {said} {amount} {_UNIT[unit]} old"
    right, right_text = _resolve(condition["value"], facts, explain)
    if value is None or right is None:
        return False, (f"{_label(fact)} ({_show(fact, value)}) cannot be compared with {right_text}" if explain else "")
    holds = _COMPARE[op](value, right)
    if not explain:
        return holds, ""
    if op in ("==", "!=") and isinstance(right, str) and not isinstance(condition["value"], dict):
        equal = value == right
        return holds, f"{_label(fact)} is {_show(fact, value)}" + ("" if equal else f", not {right}")
    symbol = _SYMBOL[op] if holds else _NEGATED[_SYMBOL[op]]
    return holds, f"{_label(fact)} {_show(fact, value)} {symbol} {right_text}"


_NEGATED = {"≥": "<", ">": "≤", "≤": ">", "<": "≥", "is": "is not", "is not": "is"}


def _evaluate(condition: dict, facts: dict, explain: bool = True) -> tuple[bool, list[str]]:
    """Whether the condition holds, with the reasons (when `explain`): for a hold, every test on the path that made it
    hold; for a failure, the first test that failed."""
    if "all" in condition:
        reasons = []
        for part in condition["all"]:
            holds, why = _evaluate(part, facts, explain)
            if not holds:
                return False, why
            reasons += why
        return True, reasons
    if "any" in condition:
        failures = []
        for part in condition["any"]:
            holds, why = _evaluate(part, facts, explain)
            if holds:
                return True, why
            failures += why
        return False, (["none of: " + "; ".join(failures)] if explain else [])
    if "not" in condition:
        holds, why = _evaluate(condition["not"], facts, explain)
        return not holds, (["not (" + "; ".join(why) + ")"] if holds and explain else why)
    holds, why = _test(condition, facts, explain)
    return holds, ([why] if explain else [])


# ---- compiled: whether a condition holds, without the explanation ---------------------------------------------------
# The weekly review asks each rule of a policy about every account; most do not hold and need no explanation. Reading
# the condition's structure again for each account was most of the review's time, so each condition is turned once
# into a Python function that answers as `_evaluate(condition, facts, explain=False)` does (a property test holds the
# two to the same answer). The winning rule's reasons are still built by `_evaluate`.


def compiled(condition: dict) -> Callable[[dict], bool]:
    """The condition as a function of the facts that says whether it holds."""
    if "all" in condition:
        parts = [compiled(part) for part in condition["all"]]
        return lambda facts: all(part(facts) for part in parts)
    if "any" in condition:
        parts = [compiled(part) for part in condition["any"]]
        return lambda facts: any(part(facts) for part in parts)
    if "not" in condition:
        inner = compiled(condition["not"])
        return lambda facts: not inner(facts)
    return _compiled_test(condition)


def _compiled_test(condition: dict) -> Callable[[dict], bool]:
    fact, op = condition["fact"], condition["op"]
    if op in ("is_set", "is_not_set"):
        wanted = op == "is_set"
        return lambda facts: (facts.get(fact) is not None) == wanted
    if op == "is_true":
        return lambda facts: bool(facts.get(fact))
    if op == "is_false":
        return lambda facts: not facts.get(fact)
    if op in ("in_future", "not_in_future"):
        wanted = op == "in_future"

        def in_future(facts):
            value = facts.get(fact)
            return (value is not None and value > facts["as_of"]) == wanted

        return in_future
    if op in _LIST:
        options, wanted = frozenset(str(option) for option in condition["value"]), op == "in"

        def listed(facts):
            value = facts.get(fact)
            return (value is not None and str(value) in options) == wanted

        return listed
    if op in _AGE:
        amount, unit = _duration(condition["value"], fact)

        def aged(facts):
            value = facts.get(fact)
            if value is None:
                return False
            cutoff = _ago(facts["as_of"], amount, unit)
            if op == "at_most_ago":
                return value >= cutoff
            return (value <= cutoff) == (op == "at_least_ago")

        return aged
    right, compare = _compiled_value(condition["value"]), _COMPARE[op]

    def compared(facts):
        value = facts.get(fact)
        if value is None:
            return False
        other = right(facts)
        return other is not None and compare(value, other)

    return compared


def _compiled_value(value) -> Callable[[dict], object]:
    """A test's right-hand side as a function of the facts (as `_value_of`)."""
    if isinstance(value, dict) and "greater_of" in value:
        parts = [_compiled_value(part) for part in value["greater_of"]]

        def greatest(facts):
            present = [found for found in (part(facts) for part in parts) if found is not None]
            return max(present) if present else None

        return greatest
    if isinstance(value, dict):
        name, times = value["fact"], value.get("times")
        if times is None:
            return lambda facts: facts.get(name)
        factor = Decimal(str(times))

        def product(facts):
            found = facts.get(name)
            return None if found is None else (factor * found).quantize(Decimal("0.01"))

        return product
    if isinstance(value, float | int) and not isinstance(value, bool):
        constant = Decimal(str(value))
        return lambda facts: constant
    return lambda facts: value
