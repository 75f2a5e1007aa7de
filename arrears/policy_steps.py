"""A policy's steps as people edit them in the browser: each rule's wording, what it does, its letter, how long a
call is tried first, and the thresholds inside its conditions (amounts, weeks of rent, how long ago). Pure: reads and
changes plain policy documents (dicts), so the browser edits exactly what the YAML holds.

A threshold is a number or a duration somewhere in a rule's `when`: `{fact: real_arrears, op: ">=", value: 10.00}`,
the `times` of `{fact: weekly_rent, times: 2}`, each part of a `greater_of`, or the `14d` of an `at_least_ago`. Its
place is a path of keys and indexes into the rule, so a change is put back exactly where it was read."""

import copy
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from arrears.facts import FACTS, MONEY

DURATION = re.compile(r"^(\d+)([dwmy])$")
UNITS = {
    "d": ("day", "days"),
    "w": ("week", "weeks"),
    "m": ("calendar month", "calendar months"),
    "y": ("year", "years"),
}
_OPS = {
    ">=": "at least",
    ">": "more than",
    "<=": "at most",
    "<": "less than",
    "==": "exactly",
    "!=": "not",
    "at_least_ago": "at least this long ago",
    "less_than_ago": "less than this long ago",
    "at_most_ago": "at most this long ago",
}
MODE_CHOICES = [
    ("automatic", "Automatic: the review does it (a letter is sent)"),
    ("officer", "Officer: it goes on the officer's worklist"),
    ("approval", "Approval: an officer proposes it, a manager approves it"),
    ("none", "No action: the case is left alone"),
]


@dataclass(frozen=True)
class Threshold:
    path: tuple  # keys and indexes from the rule to the value
    kind: str  # "money", "times" (how many of a fact, such as weeks of rent), "number" or "duration"
    label: str
    value: object
    hint: str = ""

    @property
    def shown(self) -> str:
        return threshold_show(self.kind, self.value)


_FACT_WORDS = {"last_stage_date": "last letter or notice sent"}


def fact_label(fact: str) -> str:
    text = _FACT_WORDS.get(fact) or fact.replace("_", " ").replace("nosp", "NOSP")
    return text[:1].upper() + text[1:]


def threshold_show(kind: str, value) -> str:
    if kind == "money":
        return f"£{Decimal(str(value)):,.2f}"
    if kind == "duration":
        amount, unit = DURATION.match(str(value)).groups()
        return f"{amount} {UNITS[unit][0 if amount == '1' else 1]}"
    return _number(value)


def _number(value) -> str:
    number = Decimal(str(value))
    return f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}"


def _times_label(fact: str) -> str:
    return "weeks of rent" if fact == "weekly_rent" else f"times {fact_label(fact).lower()}"


def _leaf(condition: dict, path: tuple, found: list) -> None:
    fact, op, value = condition.get("fact"), condition.get("op"), condition.get("value")
    words = f"{fact_label(fact)} {_OPS.get(op, op)}"
    if op in ("at_least_ago", "less_than_ago", "at_most_ago") and DURATION.match(str(value)):
        found.append(Threshold((*path, "value"), "duration", words, str(value)))
        return
    _value(value, (*path, "value"), words, fact, found)


def _value(value, path: tuple, words: str, fact: str, found: list, hint: str = "") -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        kind = "money" if FACTS.get(fact) and FACTS[fact].kind == MONEY else "number"
        unit = " (£)" if kind == "money" else ""
        found.append(Threshold(path, kind, f"{words}{unit}", value, hint))
    elif isinstance(value, dict) and "greater_of" in value:
        hint = "The step is taken at whichever of these is greater for the case."
        for index, part in enumerate(value["greater_of"]):
            _value(part, (*path, "greater_of", index), words, fact, found, hint)
    elif isinstance(value, dict) and "times" in value and isinstance(value["times"], int | float):
        label = f"{words} ({_times_label(value['fact'])})"
        found.append(Threshold((*path, "times"), "times", label, value["times"], hint))


def _walk(condition, path: tuple, found: list) -> None:
    if not isinstance(condition, dict):
        return
    for joiner in ("all", "any"):
        if joiner in condition:
            for index, part in enumerate(condition[joiner]):
                _walk(part, (*path, joiner, index), found)
            return
    if "not" in condition:
        return  # a "not" turns a threshold around; it is left to the YAML rather than shown the wrong way round
    if "fact" in condition:
        _leaf(condition, path, found)


def step_thresholds(rule: dict) -> list[Threshold]:
    """The thresholds a rule tests, in the order they are written."""
    found: list[Threshold] = []
    _walk(rule.get("when"), ("when",), found)
    return found


def steps(document: dict) -> list[dict]:
    """Every rule of a policy as a step: key, label, mode, letter, contact first, thresholds."""
    out = []
    for number, rule in enumerate(document.get("rules") or [], start=1):
        outcome = rule.get("outcome") or {}
        out.append(
            {
                "number": number,
                "key": rule["key"],
                "label": outcome.get("label", ""),
                "mode": outcome.get("mode", "officer"),
                "mode_display": dict(MODE_CHOICES).get(outcome.get("mode", "officer"), ""),
                "letter": outcome.get("letter", ""),
                "message": outcome.get("message", ""),
                "contact_first_days": outcome.get("contact_first_days", 0),
                "thresholds": step_thresholds(rule),
            }
        )
    return out


def threshold_parse(kind: str, text: str):
    """A typed threshold as the policy keeps it, or ValueError with what to type."""
    text = (text or "").strip().replace("£", "").replace(",", "")
    if kind == "duration":
        match = DURATION.match(text.replace(" ", "").lower())
        if not match:
            raise ValueError("Enter how long as a number and d, w, m or y, like 14d (14 days) or 3m (3 months)")
        return match.group(0)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(
            "Enter an amount in pounds, like 10.00" if kind == "money" else "Enter a number, like 2 or 2.5"
        ) from None
    if not number.is_finite() or number < 0:
        raise ValueError("Enter 0 or more")
    if kind == "money" and number.as_tuple().exponent < -2:
        raise ValueError("Enter the amount in pounds and pence, like 10.50")
    if number > 100000:
        raise ValueError("Enter a smaller number: 100,000 at most")
    # The value goes back into the policy document, which is YAML (yaml.safe_dump refuses a Decimal), as the shipped
    # policies hold money already (`value: 10.00` loads as a float). It is exact: checked above to at most 2 decimal
    # places and 100,000, and the engine reads money as Decimal(str(value)) (arrears/engine/conditions.py), which
    # gives the typed pounds and pence back.
    return int(number) if number == number.to_integral() and kind != "money" else float(number)


def _set(target, path: tuple, value) -> None:
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def step_change(
    document: dict,
    *,
    key: str,
    label: str,
    mode: str,
    letter: str,
    contact_first_days: int,
    thresholds: list,
    message: str | None = None,
) -> dict:
    """A copy of the policy with one step changed; `thresholds` are the new values in `step_thresholds` order.
    `message`: the step's text or email template keys, comma-separated ("" for none; None leaves them as they are)."""
    changed = copy.deepcopy(document)
    rule = next((rule for rule in changed["rules"] if rule["key"] == key), None)
    if rule is None:
        raise KeyError(key)
    found = step_thresholds(rule)
    if len(found) != len(thresholds):
        raise ValueError("The step's thresholds have changed since the form was shown.")
    for threshold, value in zip(found, thresholds, strict=True):
        _set(rule, threshold.path, value)
    outcome = rule["outcome"]
    outcome["label"], outcome["mode"] = label, mode
    if letter:
        outcome["letter"] = letter
    else:
        outcome.pop("letter", None)
    if message is not None:
        if message:
            outcome["message"] = message
        else:
            outcome.pop("message", None)
    if contact_first_days:
        outcome["contact_first_days"] = contact_first_days
    else:
        outcome.pop("contact_first_days", None)
    return changed


def steps_compare(before: dict, after: dict) -> list[str]:
    """What changed from one version to another, a sentence each, in the order of the steps."""
    old = {step["key"]: step for step in steps(before)}
    lines = []
    for step in steps(after):
        was = old.get(step["key"])
        name = step["label"] or step["key"]
        if was is None:
            lines.append(f"New step: {name}.")
            continue
        if was["label"] != step["label"]:
            lines.append(f"{was['label']}: now reads “{step['label']}”.")
        if was["mode"] != step["mode"]:
            modes = dict(MODE_CHOICES)
            lines.append(f"{name}: who takes it changes from “{modes[was['mode']]}” to “{modes[step['mode']]}”.")
        if was["letter"] != step["letter"]:
            lines.append(f"{name}: the letter changes from {was['letter'] or 'none'} to {step['letter'] or 'none'}.")
        if was["message"] != step["message"]:
            lines.append(f"{name}: the message changes from {was['message'] or 'none'} to {step['message'] or 'none'}.")
        if was["contact_first_days"] != step["contact_first_days"]:
            lines.append(
                f"{name}: the days to try a call or visit first change from {was['contact_first_days']} to "
                f"{step['contact_first_days']}."
            )
        before_thresholds = {t.path: t for t in was["thresholds"]}
        for threshold in step["thresholds"]:
            earlier = before_thresholds.get(threshold.path)
            if earlier is not None and earlier.value != threshold.value:
                lines.append(f"{name}: {threshold.label} changes from {earlier.shown} to {threshold.shown}.")
    gone = set(old) - {step["key"] for step in steps(after)}
    lines += [f"Step removed: {old[key]['label'] or key}." for key in sorted(gone)]
    return lines
