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

The engine is in three parts:

- `checks`: the policy language (its ops, durations and outcomes) and `policy_check`, which reads a policy and says
  what to change when it cannot be used; `weeks_basis` and `agreement_max_weeks`.
- `conditions`: each condition turned once into Python functions of the facts: `explained` (whether it holds, each
  test with the words that explain it) and `compiled` (whether it holds, for the rules that do not fire).
- `recommendations`: `evaluate`, the recommendation for one case (blockers, the first rule that holds, `otherwise`),
  with the Breathing Space hold the engine applies whatever the policy says.
"""

from .checks import MODES, OPS, Outcome, PolicyError, agreement_max_weeks, message_keys, policy_check, weeks_basis
from .recommendations import HOLD_ACTION, NEW_ARREARS_PREFIX, Recommendation, evaluate

__all__ = [
    "HOLD_ACTION",
    "MODES",
    "NEW_ARREARS_PREFIX",
    "OPS",
    "Outcome",
    "PolicyError",
    "Recommendation",
    "agreement_max_weeks",
    "evaluate",
    "message_keys",
    "policy_check",
    "weeks_basis",
]
