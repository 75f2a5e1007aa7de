"""The arrears policy engine: an ordered list of rules over case facts; the first rule that holds wins.

Pure: plain data in, plain data out, no database. A policy is a dict (read from YAML or JSON, stored as JSON):

    name, title, description, source
    blockers: {name: condition}            # e.g. paused, breathing space; each rule says which apply to it
    rules: [ {key, label, when: condition, blocked_by: all | [names], outcome: {...}} ]
    otherwise: {outcome}                   # when no rule holds

A condition is `{all: [...]}`, `{any: [...]}`, `{not: condition}` or a test `{fact, op, value}`; a value is a literal,
`{fact: name}`, `{fact: name, times: n}` or `{greater_of: [value, value]}`. Every test records what it compared, so
the result explains itself: "arrears after grace £412.50 ≥ 4 × weekly rent (£100.00) = £400.00". See
docs/arrears-policy.md for the whole language with examples.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from incomeapp.money import ZERO, format_money
from tenancies.constants import WeeksBasis

from .facts import DATE, FACTS, MONEY, facts_derive
from .moratorium import debt_split

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
    contact_first_days: int = 0  # a call or visit attempt within this many days must come before the letter
    severity: int = 0  # 0–100, for worklist priority


@dataclass
class Recommendation:
    action: str
    label: str
    mode: str
    letter: str
    severity: int
    rule: str  # the rule that fired ("" when none did)
    reasons: list[str]  # why it fired, with the values compared
    blocked_by: list[str] = field(default_factory=list)  # blockers that held, and what they stopped
    not_fired: list[dict] = field(default_factory=list)  # rules before the winner, with the first test that failed
    policy: str = ""
    version: int | None = None
    arrears_weeks: Decimal = Decimal("0")  # real arrears in weeks, on the policy's weeks basis, for the worklist

    def as_dict(self) -> dict:
        return {
            "policy": self.policy,
            "version": self.version,
            "action": self.action,
            "label": self.label,
            "mode": self.mode,
            "letter": self.letter,
            "severity": self.severity,
            "rule": self.rule,
            "reasons": self.reasons,
            "blocked_by": self.blocked_by,
            "not_fired": self.not_fired,
        }


# ---- reading a policy -----------------------------------------------------------------------------------------------


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
    unknown = set(data) - {"action", "label", "mode", "letter", "contact_first_days", "severity"}
    if unknown:
        raise PolicyError(f"{where}: unknown outcome fields {', '.join(sorted(unknown))}.")
    return Outcome(
        action=str(data["action"]),
        label=str(data["label"]),
        mode=mode,
        letter=str(data.get("letter", "")),
        contact_first_days=int(data.get("contact_first_days", 0)),
        severity=int(data.get("severity", 0)),
    )


def weeks_basis(policy: dict) -> str:
    """What the policy's weeks of rent are counted on (tenancies.constants.WeeksBasis). A policy written before the
    setting existed was evaluated on gross weekly charges, so that stays its basis."""
    return policy.get("weeks_basis", WeeksBasis.GROSS)


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


# ---- evaluating ------------------------------------------------------------------------------------------------------


def _show(fact: str, value) -> str:
    if value is None:
        return "not recorded"
    if FACTS.get(fact) and FACTS[fact].kind == MONEY:
        return format_money(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
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


def evaluate(policy: dict, facts: dict, *, version: int | None = None, explain_all: bool = True) -> Recommendation:
    """The recommendation for one case. `facts` are the input facts (see arrears.facts.facts_read).

    The winning rule's reasons and the blockers that held are always explained; `explain_all=False` (the weekly review)
    skips saying why each earlier rule did not fire, which is most of the work.

    A Breathing Space is held here, whatever the policy says (a policy with no rule for it, like hackney-2020, is held
    all the same): see `_under_moratorium`.
    """
    if facts.get("breathing_space"):
        return _under_moratorium(policy, facts, version=version, explain_all=explain_all)
    return _evaluate_policy(policy, facts, version=version, explain_all=explain_all)


HOLD_ACTION = "breathing_space_hold"
NEW_ARREARS_PREFIX = "New arrears since the Breathing Space: "


def _under_moratorium(policy: dict, facts: dict, *, version: int | None, explain_all: bool) -> Recommendation:
    """SI 2020/1311 (legal-spec §6). The moratorium debt (what was owed at the start) is held: no contact about it, no
    letter, no step to enforce it (R-BS-10, R-BS-11). Arrears above it built up since the start and may be acted on
    (R-BS-21), so the policy is asked about those alone, as if there were no moratorium; but a step needing approval
    (a notice, a claim, a warrant in every shipped policy) waits until it ends (R-BS-12, R-BS-13: the cautious
    reading). When the moratorium debt is not given, the whole balance is taken as held (the cautious reading)."""
    balance = facts.get("balance") or ZERO
    debt = facts.get("moratorium_debt")
    if debt is None:
        debt = max(balance, ZERO)
    held, new_arrears = debt_split(balance=balance, moratorium_debt=debt)
    start, end = facts.get("moratorium_start_date"), facts.get("moratorium_end_date")
    began = f" began on {start:%d/%m/%Y} and" if start else ""
    until = f"{end:%d/%m/%Y}" if end else "its end is recorded (a crisis one: 30 days after the treatment ends)"
    protects = f"a Breathing Space{began} protects the moratorium debt of {format_money(debt)} until {until} (R-BS-10)"
    if new_arrears <= 0:
        derived = facts_derive(facts, grace_weeks=Decimal(str(policy.get("grace_weeks", 1))))
        return _with_weeks(
            Recommendation(
                action=HOLD_ACTION,
                label="Breathing Space: no contact or action about the moratorium debt",
                mode="none",
                letter="",
                severity=0,
                rule="R-BS-10",
                reasons=[
                    protects,
                    f"the balance of {format_money(balance)} is moratorium debt still owed ({format_money(held)}); "
                    "no new arrears since it began (R-BS-21)",
                    "no letter, call or visit about that debt and no notice, claim or warrant on it: speak to the debt "
                    "adviser; current rent is still due (R-BS-11, R-BS-20)",
                ],
                blocked_by=[f"breathing_space: {protects}"],
                policy=policy["name"],
                version=version,
            ),
            derived,
        )
    left_out = (
        f"the policy looked only at the new arrears of {format_money(new_arrears)} since the Breathing Space began: "
        f"the moratorium debt of {format_money(held)} is left out (R-BS-21)"
    )
    seen = {**facts, "balance": new_arrears, "breathing_space": False}
    result = _evaluate_policy(policy, seen, version=version, explain_all=explain_all)
    if result.mode == "approval":
        waits = (
            f"{result.label} (rule {result.rule or 'otherwise'}) waits until the Breathing Space ends: no rent-arrears "
            "notice, possession claim or warrant while it lasts, even on new arrears (R-BS-12, R-BS-13)"
        )
        result.reasons = [left_out, protects, waits, *result.reasons]
        result.blocked_by = [*result.blocked_by, f"breathing_space: {waits}"]
        result.action, result.mode, result.letter = HOLD_ACTION, "none", ""
        result.label = "Breathing Space: legal steps wait until it ends (new arrears may be chased)"
        result.rule, result.severity = "R-BS-12, R-BS-13", 0
        return result
    result.reasons = [left_out, *result.reasons]
    result.blocked_by = [*result.blocked_by, f"breathing_space: {protects}"]
    result.label = (NEW_ARREARS_PREFIX + result.label)[:150]
    return result


def _evaluate_policy(policy: dict, facts: dict, *, version: int | None, explain_all: bool) -> Recommendation:
    """The policy's own answer: blockers, then the first rule that holds, else `otherwise`."""
    derived = facts_derive(facts, grace_weeks=Decimal(str(policy.get("grace_weeks", 1))))
    blockers = {}
    for name, condition in (policy.get("blockers") or {}).items():
        if _evaluate(condition, derived, explain=False)[0]:
            blockers[name] = _evaluate(condition, derived)[1]
    not_fired: list[dict] = []
    stopped: list[str] = []
    for rule in policy["rules"]:
        applies = list(policy.get("blockers") or {}) if rule.get("blocked_by", "all") == "all" else rule["blocked_by"]
        holds, why = _evaluate(rule["when"], derived, explain=explain_all)
        active = [name for name in applies if name in blockers]
        if holds and active:
            stopped.append(f"{rule['outcome']['label']}: stopped by {', '.join(active)}")
            not_fired.append({"rule": rule["key"], "because": f"blocked ({', '.join(active)})"})
            continue
        if not holds:
            if explain_all:
                not_fired.append({"rule": rule["key"], "because": "; ".join(why)})
            continue
        if not explain_all:
            why = _evaluate(rule["when"], derived)[1]
        outcome = _outcome(rule["outcome"], rule["key"])
        return _recommend(policy, version, outcome, rule["key"], why, blockers, stopped, not_fired, derived)
    outcome = _outcome(policy["otherwise"], "otherwise")
    return _recommend(policy, version, outcome, "", ["no rule holds"], blockers, stopped, not_fired, derived)


def _with_weeks(recommendation: Recommendation, facts: dict) -> Recommendation:
    recommendation.arrears_weeks = facts["arrears_weeks"]
    return recommendation


def _recommend(policy, version, outcome, rule_key, reasons, blockers, stopped, not_fired, facts) -> Recommendation:
    blocked = [f"{name}: {'; '.join(why)}" for name, why in blockers.items()] + stopped
    if outcome.letter and outcome.contact_first_days:
        attempt = facts.get("last_contact_attempt_date")
        window_start = facts["as_of"] - timedelta(days=outcome.contact_first_days)
        if attempt is None or attempt < window_start:
            shown = "none recorded" if attempt is None else f"the last was on {attempt:%d/%m/%Y}"
            return _with_weeks(
                Recommendation(
                    action=f"contact_before_{outcome.action}",
                    label=f"Call or visit before: {outcome.label}",
                    mode="officer",
                    letter="",
                    severity=outcome.severity,
                    rule=rule_key,
                    reasons=[
                        *reasons,
                        f"this policy wants a call or visit attempt in the {outcome.contact_first_days} days "
                        f"before the letter ({shown})",
                    ],
                    blocked_by=blocked,
                    not_fired=not_fired,
                    policy=policy["name"],
                    version=version,
                ),
                facts,
            )
    return _with_weeks(
        Recommendation(
            action=outcome.action,
            label=outcome.label,
            mode=outcome.mode,
            letter=outcome.letter,
            severity=outcome.severity,
            rule=rule_key,
            reasons=reasons,
            blocked_by=blocked,
            not_fired=not_fired,
            policy=policy["name"],
            version=version,
        ),
        facts,
    )
