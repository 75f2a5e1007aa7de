"""Evaluating a policy's conditions over a case's facts: every test records what it compared, so the result explains
itself ("arrears after grace £412.50 ≥ 4 × weekly rent (£100.00) = £400.00")."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from arrears.facts import FACTS, MONEY
from incomeapp.money import format_money

from .checks import _AGE, _COMPARE, _LIST, _SYMBOL, _duration


def _label(fact: str) -> str:
    return fact.replace("_", " ").replace("nosp", "NOSP")


def _money_or(value) -> str:
    return format_money(value) if isinstance(value, Decimal) else str(value)


def _ago(today: date, amount: int, unit: str) -> date:
    if unit == "d":
        return today - timedelta(days=amount)
    if unit == "w":
        return today - timedelta(weeks=amount)
    return today - relativedelta(months=amount if unit == "m" else amount * 12)


_UNIT = {"d": "days", "w": "weeks", "m": "calendar months", "y": "years"}
_NEGATED = {"≥": "<", ">": "≤", "≤": ">", "<": "≥", "is": "is not", "is not": "is"}

Explained = Callable[[dict], tuple[bool, list[str]]]


# ---- explained: whether a condition holds, and why ------------------------------------------------------------------
# Each condition is turned once into a Python function of the facts (as `compiled` below, which says only whether it
# holds): a hold gives every test on the path that made it hold; a failure, the first test that failed. The words for
# each fact are worked out once, when the condition is turned into a function, not for every account.


def explained(condition: dict) -> Explained:
    """The condition as a function of the facts that says whether it holds and why."""
    if "all" in condition:
        parts = [explained(part) for part in condition["all"]]

        def every(facts):
            reasons = []
            for part in parts:
                holds, why = part(facts)
                if not holds:
                    return False, why
                reasons += why
            return True, reasons

        return every
    if "any" in condition:
        parts = [explained(part) for part in condition["any"]]

        def one_of(facts):
            failures = []
            for part in parts:
                holds, why = part(facts)
                if holds:
                    return True, why
                failures += why
            return False, ["none of: " + "; ".join(failures)]

        return one_of
    if "not" in condition:
        inner = explained(condition["not"])

        def negated(facts):
            holds, why = inner(facts)
            return not holds, (["not (" + "; ".join(why) + ")"] if holds else why)

        return negated
    test = _explained_test(condition)

    def single(facts):
        holds, why = test(facts)
        return holds, [why]

    return single


def _shower(fact: str) -> Callable[[object], str]:
    """How a value of `fact` is said: money as £, dates in words, flags as yes or no."""
    money = bool(FACTS.get(fact) and FACTS[fact].kind == MONEY)

    def show(value) -> str:
        if value is None:
            return "not recorded"
        if money:
            return format_money(value)
        if isinstance(value, date):
            return f"{value:%-d %B %Y}"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return show


def _explained_test(condition: dict) -> Callable[[dict], tuple[bool, str]]:
    fact, op = condition["fact"], condition["op"]
    label, show = _label(fact), _shower(fact)
    if op in ("is_set", "is_not_set"):
        wanted = op == "is_set"

        def is_set(facts):
            value = facts.get(fact)
            recorded = value is not None
            return recorded == wanted, f"{label} is {f'recorded ({show(value)})' if recorded else 'not recorded'}"

        return is_set
    if op in ("is_true", "is_false"):
        wanted = op == "is_true"

        def flag(facts):
            value = facts.get(fact)
            return bool(value) == wanted, f"{label}: {'yes' if value else 'no'}"

        return flag
    if op in ("in_future", "not_in_future"):
        wanted = op == "in_future"

        def in_future(facts):
            value = facts.get(fact)
            future = value is not None and value > facts["as_of"]
            if value is None:
                return future == wanted, f"{label} is not recorded"
            return future == wanted, f"{label} {show(value)} is {'after' if future else 'not after'} the review date"

        return in_future
    if op in _LIST:
        options = [str(option) for option in condition["value"]]
        listed, wanted, said = frozenset(options), op == "in", ", ".join(options)

        def in_list(facts):
            value = facts.get(fact)
            inside = value is not None and str(value) in listed
            return inside == wanted, f"{label} ({show(value)}) is {'one' if inside else 'none'} of {said}"

        return in_list
    if op in _AGE:
        amount, unit = _duration(condition["value"], fact)
        span = f"{amount} {_UNIT[unit]} old"

        def aged(facts):
            value = facts.get(fact)
            if value is None:
                return False, f"{label} is not recorded"
            cutoff = _ago(facts["as_of"], amount, unit)
            if op == "at_most_ago":  # "not more than N ago": on or after the cut-off
                holds = value >= cutoff
                said = "not more than" if holds else "more than"
            else:
                old_enough = value <= cutoff
                holds = old_enough if op == "at_least_ago" else not old_enough
                said = "at least" if old_enough else "less than"
            age = (facts["as_of"] - value).days
            return holds, f"{label} {show(value)} ({age} days ago) is {said} {span}"

        return aged
    right, compare = _explained_value(condition["value"]), _COMPARE[op]
    by_name = op in ("==", "!=") and not isinstance(condition["value"], dict)
    symbol = _SYMBOL[op]
    negated = _NEGATED[symbol]

    def compared(facts):
        value = facts.get(fact)
        other, other_text = right(facts)
        if value is None or other is None:
            return False, f"{label} ({show(value)}) cannot be compared with {other_text}"
        holds = compare(value, other)
        if by_name and isinstance(other, str):
            return holds, f"{label} is {show(value)}" + ("" if value == other else f", not {other}")
        return holds, f"{label} {show(value)} {symbol if holds else negated} {other_text}"

    return compared


def _explained_value(value) -> Callable[[dict], tuple[object, str]]:
    """A test's right-hand side as a function of the facts, with how to say it."""
    if isinstance(value, dict) and "greater_of" in value:
        parts = [_explained_value(part) for part in value["greater_of"]]

        def greatest(facts):
            found = [part(facts) for part in parts]
            present = [(v, text) for v, text in found if v is not None]
            if not present:
                return None, "nothing recorded"
            best = max(present, key=lambda part: part[0])[0]
            return best, f"the greater of {' and '.join(text for _, text in found)}, that is {_money_or(best)}"

        return greatest
    if isinstance(value, dict):
        name, times = value["fact"], value.get("times")
        label, show = _label(name), _shower(name)
        if times is None:
            return lambda facts: (facts.get(name), f"{label} ({show(facts.get(name))})")
        factor = Decimal(str(times))

        def product(facts):
            found = facts.get(name)
            if found is None:
                return None, f"{times} × {label} (not recorded)"
            result = (factor * found).quantize(Decimal("0.01"))
            return result, f"{times} × {label} ({show(found)}) = {_money_or(result)}"

        return product
    if isinstance(value, float | int) and not isinstance(value, bool):
        constant = Decimal(str(value))
        text = _money_or(constant)
        return lambda facts: (constant, text)
    text = str(value)
    return lambda facts: (value, text)


# ---- compiled: whether a condition holds, without the explanation ---------------------------------------------------
# The weekly review asks each rule of a policy about every account; most do not hold and need no explanation, so each
# condition is also turned into a function that only answers (a property test holds it to `explained`'s answer).


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
