"""Reading an arrears policy: the language a policy is written in (facts, ops, durations, outcomes) and
`policy_check`, which refuses a policy that cannot be used and says which rule and what to change."""

import re
from dataclasses import dataclass

from arrears.facts import DATE, FACTS
from tenancies.constants import WeeksBasis

MODES = ("automatic", "officer", "approval", "none")
_COMPARE = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "is", "!=": "is not"}
_NO_VALUE = ("is_set", "is_not_set", "is_true", "is_false", "in_future", "not_in_future")
_AGE = ("at_least_ago", "less_than_ago", "at_most_ago")
_LIST = ("in", "not_in")
OPS = tuple(_COMPARE) + _NO_VALUE + _AGE + _LIST
_DURATION = re.compile(r"^(\d+)([dwmy])$")


class PolicyError(ValueError):
    """A policy that cannot be used; the message says which rule and what to change."""


@dataclass(frozen=True)
class Outcome:
    action: str
    label: str
    mode: str = "officer"  # automatic, officer, approval or none
    letter: str = ""  # the letter template key, when the action sends one
    message: str = ""  # text or email template keys, comma-separated, when the step sends a message (one per person)
    contact_first_days: int = 0  # a call or visit attempt within this many days must come before the letter
    severity: int = 0  # 0–100, for worklist priority


def _duration(text: str, where: str) -> tuple[int, str]:
    match = _DURATION.match(str(text))
    if not match:
        raise PolicyError(f"{where}: '{text}' is not a duration; write 14d, 8w, 3m (calendar months) or 6y.")
    return int(match.group(1)), match.group(2)


def _check_value(value, where: str) -> None:
    if isinstance(value, dict):
        if "greater_of" in value:
            for part in value["greater_of"]:
                _check_value(part, where)
            return
        if set(value) - {"fact", "times"} or "fact" not in value:
            raise PolicyError(f"{where}: a value is a literal, {{fact, times}} or {{greater_of: [...]}}.")
        if value["fact"] not in FACTS:
            raise PolicyError(f"{where}: unknown fact '{value['fact']}'.")


def _check_condition(condition, where: str) -> None:
    if not isinstance(condition, dict):
        raise PolicyError(f"{where}: a condition must be a mapping, not {condition!r}.")
    if "all" in condition or "any" in condition:
        parts = condition.get("all", condition.get("any"))
        if not isinstance(parts, list) or not parts:
            raise PolicyError(f"{where}: 'all' and 'any' take a non-empty list of conditions.")
        for part in parts:
            _check_condition(part, where)
        return
    if "not" in condition:
        _check_condition(condition["not"], where)
        return
    fact, op = condition.get("fact"), condition.get("op")
    if fact not in FACTS:
        raise PolicyError(f"{where}: unknown fact '{fact}'. The facts are listed in docs/arrears-policy.md.")
    if op not in OPS:
        raise PolicyError(f"{where}: unknown op '{op}' on '{fact}'. Use one of: {', '.join(OPS)}.")
    if op in _AGE:
        if FACTS[fact].kind != DATE:
            raise PolicyError(f"{where}: '{op}' needs a date fact; '{fact}' is a {FACTS[fact].kind}.")
        _duration(condition.get("value"), where)
    elif op in _LIST:
        if not isinstance(condition.get("value"), list):
            raise PolicyError(f"{where}: '{op}' takes a list of values.")
    elif op not in _NO_VALUE:
        if "value" not in condition:
            raise PolicyError(f"{where}: '{fact} {op}' needs a value.")
        _check_value(condition["value"], where)


def _outcome(data: dict, where: str) -> Outcome:
    if not isinstance(data, dict) or not data.get("action") or not data.get("label"):
        raise PolicyError(f"{where}: an outcome needs an action and a label.")
    mode = data.get("mode", "officer")
    if mode not in MODES:
        raise PolicyError(f"{where}: mode '{mode}' must be one of {', '.join(MODES)}.")
    unknown = set(data) - {"action", "label", "mode", "letter", "message", "contact_first_days", "severity"}
    if unknown:
        raise PolicyError(f"{where}: unknown outcome fields {', '.join(sorted(unknown))}.")
    return Outcome(
        action=str(data["action"]),
        label=str(data["label"]),
        mode=mode,
        letter=str(data.get("letter", "")),
        message=_message_keys(data.get("message", ""), where),
        contact_first_days=int(data.get("contact_first_days", 0)),
        severity=int(data.get("severity", 0)),
    )


_TEMPLATE_KEY = re.compile(r"^[-a-zA-Z0-9_]+$")


def _message_keys(value, where: str) -> str:
    """A step's message templates: one key, or several comma-separated (one per channel: a text and an email)."""
    keys = [key.strip() for key in str(value or "").split(",") if key.strip()]
    for key in keys:
        if not _TEMPLATE_KEY.match(key):
            raise PolicyError(f"{where}: '{key}' is not a message template key; write one like payment_missed_text.")
    if len(",".join(keys)) > 60:
        raise PolicyError(f"{where}: the message template keys are too long together (60 characters at most).")
    return ",".join(keys)


def message_keys(outcome_message: str) -> list[str]:
    """The template keys of a step's `message` (comma-separated), in order."""
    return [key for key in (outcome_message or "").split(",") if key]


def weeks_basis(policy: dict) -> str:
    """What the policy's weeks of rent are counted on (tenancies.constants.WeeksBasis). A policy written before the
    setting existed was evaluated on gross weekly charges, so that stays its basis."""
    return policy.get("weeks_basis", WeeksBasis.GROSS)


AGREEMENT_MAX_WEEKS_DEFAULT = 104  # two years: the product's default where a policy names no limit (docs/agreements.md)


def agreement_max_weeks(policy: dict) -> int:
    """The longest an arrangement to pay should take to clear the arrears, in weeks, before the agreement form warns.
    A policy written before the setting existed gets the product's default."""
    return int(policy.get("agreement_max_weeks", AGREEMENT_MAX_WEEKS_DEFAULT))


def policy_check(policy: dict) -> dict:
    """Checks a policy's shape, facts, ops and outcomes. Returns it unchanged, or raises PolicyError."""
    if not isinstance(policy, dict) or not policy.get("name"):
        raise PolicyError("A policy needs a name.")
    grace = policy.get("grace_weeks", 1)
    if isinstance(grace, bool) or not isinstance(grace, int | float) or not 0 <= grace <= 8:
        raise PolicyError(f"grace_weeks must be a number of weeks from 0 to 8, not {grace!r}.")
    if policy.get("weeks_basis", WeeksBasis.GROSS) not in WeeksBasis.values:
        raise PolicyError(
            "weeks_basis must be 'rent' (the charges that count as rent) or 'gross' (rent and all charges), "
            f"not {policy['weeks_basis']!r}."
        )
    longest = policy.get("agreement_max_weeks", AGREEMENT_MAX_WEEKS_DEFAULT)
    if isinstance(longest, bool) or not isinstance(longest, int) or not 1 <= longest <= 520:
        raise PolicyError(
            f"agreement_max_weeks must be a whole number of weeks from 1 to 520 (10 years), not {longest!r}."
        )
    if policy.get("ladder", "current") not in ("current", "former", "sundry"):
        raise PolicyError(
            "ladder must be 'current' (current tenants' rent), 'former' (former tenants' arrears) or 'sundry' "
            f"(rechargeable repairs and sundry debts), not {policy['ladder']!r}."
        )
    applies_to = policy.get("applies_to") or {}
    if not isinstance(applies_to, dict) or set(applies_to) - {"tenures", "schemes"}:
        raise PolicyError("applies_to takes 'tenures' (tenure codes) and 'schemes' (scheme codes), each a list.")
    for key in ("tenures", "schemes"):
        if not isinstance(applies_to.get(key, []), list):
            raise PolicyError(f"applies_to.{key} must be a list.")
    blockers = policy.get("blockers", {}) or {}
    for name, condition in blockers.items():
        _check_condition(condition, f"blocker '{name}'")
    rules = policy.get("rules")
    if not isinstance(rules, list) or not rules:
        raise PolicyError("A policy needs a list of rules.")
    keys = set()
    for index, rule in enumerate(rules, start=1):
        where = f"rule {index} ('{rule.get('key', '?')}')"
        if not rule.get("key") or rule["key"] in keys:
            raise PolicyError(f"{where}: every rule needs a key of its own.")
        keys.add(rule["key"])
        _check_condition(rule.get("when"), where)
        blocked_by = rule.get("blocked_by", "all")
        if blocked_by != "all" and (not isinstance(blocked_by, list) or set(blocked_by) - set(blockers)):
            raise PolicyError(f"{where}: blocked_by is 'all' or a list of the policy's blockers.")
        _outcome(rule.get("outcome"), where)
    _outcome(policy.get("otherwise") or {}, "otherwise")
    return policy
