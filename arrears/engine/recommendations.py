"""The recommendation for one case: the policy's blockers, then the first rule that holds, else `otherwise`; a call or
visit first where the policy wants one before a letter; and the Breathing Space hold, whatever the policy says."""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from arrears.facts import facts_derive
from arrears.moratorium import debt_split
from incomeapp.money import ZERO, format_money

from .checks import _outcome
from .conditions import compiled, explained


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
    message: str = ""  # the step's text or email template keys, comma-separated (automatic steps send them)

    def as_dict(self) -> dict:
        return {
            "policy": self.policy,
            "version": self.version,
            "action": self.action,
            "label": self.label,
            "mode": self.mode,
            "letter": self.letter,
            "message": self.message,
            "severity": self.severity,
            "rule": self.rule,
            "reasons": self.reasons,
            "blocked_by": self.blocked_by,
            "not_fired": self.not_fired,
        }


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
    began = f" began on {start:%-d %B %Y} and" if start else ""
    until = f"{end:%-d %B %Y}" if end else "its end is recorded (a crisis one: 30 days after the treatment ends)"
    protects = f"a Breathing Space{began} protects the moratorium debt of {format_money(debt)} until {until}"
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
                    "no new arrears since it began",
                    "no letter, call or visit about that debt and no notice, claim or warrant on it: speak to the debt "
                    "adviser; current rent is still due",
                ],
                blocked_by=[f"breathing_space: {protects}"],
                policy=policy["name"],
                version=version,
            ),
            derived,
        )
    left_out = (
        f"the policy looked only at the new arrears of {format_money(new_arrears)} since the Breathing Space began: "
        f"the moratorium debt of {format_money(held)} is left out"
    )
    seen = {**facts, "balance": new_arrears, "breathing_space": False}
    result = _evaluate_policy(policy, seen, version=version, explain_all=explain_all)
    if result.mode == "approval":
        waits = (
            f"{result.label} (rule {result.rule or 'otherwise'}) waits until the Breathing Space ends: no rent-arrears "
            "notice, possession claim or warrant while it lasts, even on new arrears"
        )
        result.reasons = [left_out, protects, waits, *result.reasons]
        result.blocked_by = [*result.blocked_by, f"breathing_space: {waits}"]
        result.action, result.mode, result.letter, result.message = HOLD_ACTION, "none", "", ""
        result.label = "Breathing Space: legal steps wait until it ends (new arrears may be chased)"
        result.rule, result.severity = "R-BS-12, R-BS-13", 0
        return result
    result.reasons = [left_out, *result.reasons]
    result.blocked_by = [*result.blocked_by, f"breathing_space: {protects}"]
    result.label = (NEW_ARREARS_PREFIX + result.label)[:150]
    return result


class _Compiled:
    """A policy document's blockers and rules as functions that say whether they hold (`conditions.compiled`), made
    once per document: the weekly review asks the same few documents about every account."""

    def __init__(self, policy: dict):
        self.policy = policy
        blockers = (policy.get("blockers") or {}).items()
        self.blockers = [(name, compiled(condition), explained(condition)) for name, condition in blockers]
        self.rules = [compiled(rule["when"]) for rule in policy["rules"]]
        self.explained = [explained(rule["when"]) for rule in policy["rules"]]
        every_blocker = list(policy.get("blockers") or {})
        self.applies = [
            every_blocker if rule.get("blocked_by", "all") == "all" else rule["blocked_by"] for rule in policy["rules"]
        ]


_COMPILED: OrderedDict[int, _Compiled] = OrderedDict()
_COMPILED_KEPT = 32  # documents: the live versions, and a preview's comparison


_COMPILED_LOCK = threading.Lock()


def _compiled_policy(policy: dict) -> _Compiled:
    with _COMPILED_LOCK:
        found = _COMPILED.get(id(policy))
        if found is None or found.policy is not policy:  # an id is reused only after its document is gone
            found = _COMPILED[id(policy)] = _Compiled(policy)
            while len(_COMPILED) > _COMPILED_KEPT:
                _COMPILED.popitem(last=False)
        _COMPILED.move_to_end(id(policy))
        return found


def _evaluate_policy(policy: dict, facts: dict, *, version: int | None, explain_all: bool) -> Recommendation:
    """The policy's own answer: blockers, then the first rule that holds, else `otherwise`."""
    derived = facts_derive(facts, grace_weeks=Decimal(str(policy.get("grace_weeks", 1))))
    fast = _compiled_policy(policy)
    blockers = {name: why(derived)[1] for name, holds, why in fast.blockers if holds(derived)}
    not_fired: list[dict] = []
    stopped: list[str] = []
    for rule, rule_holds, rule_explained, applies in zip(
        policy["rules"], fast.rules, fast.explained, fast.applies, strict=True
    ):
        if explain_all:
            holds, why = rule_explained(derived)
        else:
            holds, why = rule_holds(derived), []
        if not holds:
            if explain_all:
                not_fired.append({"rule": rule["key"], "because": "; ".join(why)})
            continue
        active = [name for name in applies if name in blockers] if blockers else []
        if active:
            stopped.append(f"{rule['outcome']['label']}: stopped by {', '.join(active)}")
            not_fired.append({"rule": rule["key"], "because": f"blocked ({', '.join(active)})"})
            continue
        if not explain_all:
            why = rule_explained(derived)[1]
        outcome = _outcome(rule["outcome"], rule["key"])
        return _recommend(policy, version, outcome, rule["key"], why, blockers, stopped, not_fired, derived)
    outcome = _outcome(policy["otherwise"], "otherwise")
    return _recommend(policy, version, outcome, "", ["no rule holds"], blockers, stopped, not_fired, derived)


def _with_weeks(recommendation: Recommendation, facts: dict) -> Recommendation:
    recommendation.arrears_weeks = facts["arrears_weeks"]
    return recommendation


def _recommend(policy, version, outcome, rule_key, reasons, blockers, stopped, not_fired, facts) -> Recommendation:
    blocked = [f"{name}: {'; '.join(why)}" for name, why in blockers.items()] + stopped
    action, label, mode, letter = outcome.action, outcome.label, outcome.mode, outcome.letter
    message = outcome.message
    if outcome.letter and outcome.contact_first_days:
        attempt = facts.get("last_contact_attempt_date")
        window_start = facts["as_of"] - timedelta(days=outcome.contact_first_days)
        if attempt is None or attempt < window_start:
            shown = "none recorded" if attempt is None else f"the last was on {attempt:%-d %B %Y}"
            action, label, mode, letter = (
                f"contact_before_{outcome.action}",
                f"Call or visit before: {label}",
                "officer",
                "",
            )
            message = ""
            reasons = [
                *reasons,
                f"this policy wants a call or visit attempt in the {outcome.contact_first_days} days "
                f"before the letter ({shown})",
            ]
    return _with_weeks(
        Recommendation(
            action=action,
            label=label,
            mode=mode,
            letter=letter,
            message=message,
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
