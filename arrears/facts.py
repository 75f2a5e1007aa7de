"""The facts a policy reads about one case on a review date: their names, types and meanings, in one catalogue.

Pure: no database. The weekly review computes the *inputs* with set-based queries; `classify_case` reads them from a
JSON file. `facts_derive` then adds the *derived* facts, whose definitions follow the published Hackney classifier
(income-management.md §3) so that the `hackney-2020` policy can be an exact encoding of it; every policy may use them.
A policy that names a fact missing from this catalogue is refused, so a typing slip cannot silently never fire.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta

from incomeapp.money import ZERO, to_money
from tenancies.selectors import weeks_of

MONEY, DATE, TEXT, BOOL, NUMBER = "money", "date", "text", "yes/no", "number"


@dataclass(frozen=True)
class FactSpec:
    name: str
    kind: str
    meaning: str
    derived: bool = False


_INPUTS = [
    FactSpec("as_of", DATE, "The review date ('today'). Every age and 'in the future' is measured from it."),
    FactSpec("balance", MONEY, "Rent account balance; positive is owed."),
    FactSpec("net_since_monday", MONEY, "Net sum of every transaction posted since Monday of the review week."),
    FactSpec("paid_this_week", MONEY, "Payments since Monday of the review week, as a positive number."),
    FactSpec(
        "weekly_rent",
        MONEY,
        "The weekly rent on the policy's weeks_basis: 'gross' (the default) is rent plus service, support and other "
        "charges; 'rent' is only the charges that count as rent. The charges in effect, as a weekly figure.",
    ),
    FactSpec("expected_benefit", MONEY, "HB or UC housing costs due for past periods but not yet received."),
    FactSpec("last_payment_date", DATE, "Date of the latest payment."),
    FactSpec("last_contact_code", TEXT, "Code of the most recent contact that counts as communication."),
    FactSpec("last_contact_date", DATE, "Date of that contact."),
    FactSpec("last_contact_attempt_date", DATE, "Date of the latest call or visit attempt (answered or not)."),
    FactSpec(
        "last_stage_code",
        TEXT,
        "Code of the latest ladder step taken (a letter or notice recorded with a stage code, e.g. reminder_1); "
        "calls and visits in between do not change it.",
    ),
    FactSpec("last_stage_date", DATE, "Date of that step."),
    FactSpec("last_letter_failed", BOOL, "The case's most recent letter failed to send."),
    FactSpec("nosp_served_date", DATE, "Date a notice of seeking possession was served (a lapsed one still counts)."),
    FactSpec("nosp_expiry_date", DATE, "Date that notice lapses, where the notice engine recorded it."),
    FactSpec("court_date", DATE, "Date of the court hearing, if one is set."),
    FactSpec("court_outcome", TEXT, "Outcome recorded for that hearing (see docs/arrears-policy.md)."),
    FactSpec("eviction_date", DATE, "Eviction date, if one is recorded."),
    FactSpec("agreement_state", TEXT, "State of the most recent agreement: live, breached, completed or cancelled."),
    FactSpec("agreement_type", TEXT, "informal or court."),
    FactSpec("agreement_start_date", DATE, "Start date of the most recent agreement."),
    FactSpec("pause_end_date", DATE, "End date of the case's pause, if any."),
    FactSpec("breathing_space", BOOL, "A Breathing Space moratorium covers this debt on the review date."),
    FactSpec(
        "moratorium_debt",
        MONEY,
        "That moratorium's debt: what was owed when it began, frozen (£0.00 when none). The engine holds it whatever "
        "the policy says, and the policy sees only the arrears above it.",
    ),
    FactSpec("moratorium_start_date", DATE, "The day that moratorium began."),
    FactSpec("moratorium_end_date", DATE, "The last day it protects (not recorded while a crisis one is open)."),
    FactSpec("vulnerability_review_due", BOOL, "The case's vulnerability review is missing or out of date."),
    FactSpec("benefit_claim_pending", BOOL, "An HB or UC claim is pending with all evidence given (protocol 2.x)."),
    FactSpec("tenure_type", TEXT, "Tenure type code (legal-spec §2.1)."),
    FactSpec(
        "can_message",
        BOOL,
        "A named tenant can be sent a text or email now: agreed to it, with a UK mobile number not marked wrong (or an "
        "email address), and not opted out (STOP).",
    ),
    # Every debt (issue 16): the former tenants' and sundry ladders (docs/debts.md, "Ladders").
    FactSpec("ladder", TEXT, "Which ladder the account is on: current, former (an ended tenancy's rent) or sundry."),
    FactSpec(
        "recoverable_balance",
        MONEY,
        "The balance less the part out of time (six years, R-DP-02) and the part covered by a bankruptcy or debt "
        "relief order (undischarged, or discharged and so released). Current tenants: less an order's part only.",
    ),
    FactSpec("out_of_time_amount", MONEY, "The part of the balance that can no longer be recovered by action."),
    FactSpec("insolvency_covered_amount", MONEY, "The part covered by an undischarged bankruptcy or DRO."),
    FactSpec("forwarding_address_known", BOOL, "A forwarding address is recorded for the tenancy or a named tenant."),
    FactSpec("current_tenancy_elsewhere", BOOL, "A named tenant of this account's tenancy holds a current tenancy."),
    FactSpec("current_tenancy_elsewhere_reference", TEXT, "The payment reference of that current tenancy."),
    FactSpec("months_since_ended", NUMBER, "Whole calendar months since the tenancy's last day (ended tenancies)."),
    FactSpec("days_since_last_payment", NUMBER, "Days since the latest payment (not set when none was ever made)."),
    FactSpec("paid_since_last_stage", BOOL, "A payment was made on or after the latest ladder step's date."),
    FactSpec("last_letter_returned", BOOL, "The case's most recent letter was recorded as returned undelivered."),
    FactSpec("agency_referral_live", BOOL, "The case is referred to a debt collection agency (referred or sent)."),
    FactSpec("agency_returned_unpaid", BOOL, "The latest agency referral came back not collected in full."),
    FactSpec("oldest_unpaid_invoice_date", DATE, "Sundry ladder: the date of the oldest invoice not yet paid (FIFO)."),
    FactSpec("invoice_age_days", NUMBER, "Sundry ladder: days since that invoice's date."),
]

# Outcomes that carry terms, and those that keep a warrant possible (income-management.md §3).
WARRANT_OUTCOMES = frozenset(
    {
        "adjourned_generally",
        "adjourned_to_next_open_date",
        "adjourned_to_another_hearing",
        "adjourned_for_directions",
        "suspended_possession",
        "stay_of_execution",
    }
)
OUTCOMES_WITH_TERMS = WARRANT_OUTCOMES | {"adjourned_on_terms"}

# Computed by `facts_derive` from the inputs, never given.
_DERIVED = [
    FactSpec(name, kind, meaning, derived=True)
    for name, kind, meaning in (
        ("collectable_arrears", MONEY, "balance − |net_since_monday| (Hackney's definition, taken as written)."),
        ("grace", MONEY, "max(0, the policy's grace_weeks (default 1) × weekly_rent − paid_this_week)."),
        ("arrears_after_grace", MONEY, "collectable_arrears − grace."),
        (
            "technical_arrears",
            MONEY,
            "The part of the balance that expected HB or UC will clear: min(max(balance, 0), expected_benefit).",
        ),
        ("real_arrears", MONEY, "balance − technical_arrears: arrears not explained by benefit timing."),
        ("arrears_weeks", NUMBER, "real_arrears ÷ weekly_rent, to 1 decimal place."),
        ("nosp_ever_served", BOOL, "A NOSP has been served (even if it has lapsed)."),
        ("nosp_valid", BOOL, "Served, and the review date is on or before it lapses."),
        ("nosp_active", BOOL, "Valid and past its cool-off (3 calendar months after service)."),
        ("active_agreement", BOOL, "The most recent agreement is live or breached."),
        (
            "court_breach",
            BOOL,
            "The most recent agreement is a breached court agreement that started on or after the court date.",
        ),
        (
            "active_court_warrant",
            BOOL,
            "A court outcome that keeps a warrant possible, with a court date less than 6 years ago.",
        ),
        ("outcome_with_terms", BOOL, "The court outcome carries terms."),
        ("paused", BOOL, "The pause ends after the review date."),
    )
]

FACTS: dict[str, FactSpec] = {spec.name: spec for spec in _INPUTS + _DERIVED}


class FactsError(ValueError):
    """Facts that cannot be read; the message names the fact and says what is expected."""


def _parse(spec: FactSpec, value):
    if value is None or value == "":
        return None
    try:
        if spec.kind == MONEY:
            return to_money(Decimal(str(value)))
        if spec.kind == NUMBER:
            return Decimal(str(value))
        if spec.kind == DATE:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if spec.kind == BOOL:
            if isinstance(value, bool):
                return value
            raise ValueError
        return str(value)
    except (InvalidOperation, ValueError, TypeError) as error:
        expected = {MONEY: "an amount like 412.50", DATE: "a date like 2026-11-30", BOOL: "true or false"}
        raise FactsError(f"'{spec.name}' is {value!r}; expected {expected.get(spec.kind, 'a number')}.") from error


def facts_read(raw: dict) -> dict:
    """Typed input facts from a plain dict (JSON). Refuses unknown and derived names; `as_of` is required."""
    unknown = sorted(set(raw) - {spec.name for spec in _INPUTS})
    if unknown:
        hint = " (derived facts are computed, not given)" if any(FACTS.get(n) for n in unknown) else ""
        raise FactsError(f"Unknown facts: {', '.join(unknown)}{hint}. See docs/arrears-policy.md for the list.")
    if not raw.get("as_of"):
        raise FactsError("'as_of' (the review date) is required.")
    return {spec.name: _parse(spec, raw.get(spec.name)) for spec in _INPUTS}


def months_after(day: date, months: int) -> date:
    """Same day of the month, clamped at the month's end (calendar months, as the published ladders count)."""
    return day + relativedelta(months=months)


def facts_derive(facts: dict, *, grace_weeks: Decimal = Decimal(1)) -> dict:
    """Input facts plus the derived ones. Missing money inputs count as £0.00, missing flags as false.

    `grace_weeks` is the policy's grace: that many weeks' rent, less what was paid this week, is not yet chased
    (Hackney: 1)."""
    f = dict(facts)
    for spec in _INPUTS:
        if f.get(spec.name) is None:
            f[spec.name] = ZERO if spec.kind == MONEY else False if spec.kind == BOOL else None
    today: date = f["as_of"]
    balance = f["balance"]
    f["collectable_arrears"] = balance - abs(f["net_since_monday"])
    f["grace"] = max(ZERO, (f["weekly_rent"] * grace_weeks).quantize(Decimal("0.01")) - f["paid_this_week"])
    f["arrears_after_grace"] = f["collectable_arrears"] - f["grace"]
    f["technical_arrears"] = min(max(balance, ZERO), max(f["expected_benefit"], ZERO))
    f["real_arrears"] = balance - f["technical_arrears"]
    f["arrears_weeks"] = weeks_of(f["real_arrears"], f["weekly_rent"]) or Decimal("0")
    served = f["nosp_served_date"]
    f["nosp_ever_served"] = served is not None
    if served is not None:
        cool_off_end = months_after(served, 3)
        valid_until = f["nosp_expiry_date"] or cool_off_end + timedelta(weeks=52)
        f["nosp_valid"] = today <= valid_until
        f["nosp_active"] = f["nosp_valid"] and today >= cool_off_end
    else:
        f["nosp_valid"] = f["nosp_active"] = False
    f["active_agreement"] = f["agreement_state"] in ("live", "breached")
    court_date = f["court_date"]
    start = f["agreement_start_date"]
    f["court_breach"] = bool(
        f["agreement_state"] == "breached"
        and f["agreement_type"] == "court"
        and start is not None
        and court_date is not None
        and start >= court_date
    )
    f["active_court_warrant"] = bool(
        f["court_outcome"] in WARRANT_OUTCOMES and court_date is not None and court_date > months_after(today, -72)
    )
    f["outcome_with_terms"] = f["court_outcome"] in OUTCOMES_WITH_TERMS
    f["paused"] = f["pause_end_date"] is not None and f["pause_end_date"] > today
    return f
