"""Signing up a new tenancy: the home, the tenure, the named tenants, the charges, the payment reference and how the
rent is paid, the benefit claim, and (for a tenancy moved in from another system) its opening balance. The browser flow
(`views_signup`), the data load and the demo data all come through `tenancy_sign_up`.

What a sign-up does, in one transaction:

- refuses a home that has a tenancy live on or after the start date, a retired home, a licence without its basis
  (R-LIC-03), a start date too far ahead (settings SIGN_UP_MAX_DAYS_AHEAD), no named tenant, no charge;
- makes the tenancy (current), its named tenants (the first is the lead), its charges and its rent account;
- for a migrated tenancy, posts the opening balance once (key `opening-balance:tenancy:<id>`) dated its day, and
  charges only the rent periods that start after that day (the balance covers the rest);
- posts at once the charges of any week the rent run has already run (the first part period by day), through
  `rentaccounts.services.tenancy_charges.tenancy_charges_true_up`; later weeks come from the rent run as usual;
- sets up the direct debit (rentaccounts.services.direct_debits) and records the benefit claim (arrears), so a claim
  in payment to us makes the first weeks technical arrears, not real ones;
- records a TenancyEvent (sign_up) with the figures, and makes the sign-up letter, one per named tenant.

The package's modules:

- `new_tenancy`: the service, `tenancy_sign_up`, its result (`SignUpResult`), the sign-up event's figures and the
  opening balance's key;
- `checks`: what a sign-up refuses (every problem with the input, raised together) and the furthest start date ahead;
- `first_charges`: the first rent period charged (by day), where a migrated tenancy's charges begin, the rent-free
  weeks near the start and whether the rent run has run a week;
- `homes`: reads for the sign-up screens: homes found, the tenancy occupying a home, the charges a home offers;
- `letters`: the sign-up letter's merge values, how to pay, and one letter from a template to each named tenant.
"""

from rentaccounts.charging import weekly_to_period  # imported from here by older callers and the tests

from .checks import DEFAULT_MAX_DAYS_AHEAD, max_days_ahead
from .first_charges import (
    FirstPeriod,
    FirstPeriodLine,
    first_period,
    first_period_after,
    rent_free_weeks_near,
    rent_run_has_charged,
)
from .homes import home_occupying_tenancy, homes_find, sign_up_charges_default
from .letters import (
    LETTERS_RUN,
    SIGN_UP_LETTER,
    how_to_pay,
    named_tenant_letters_make,
    sign_up_letter_values,
    sign_up_letters,
)
from .new_tenancy import SignUpResult, opening_balance_key, tenancy_sign_up

__all__ = [
    "DEFAULT_MAX_DAYS_AHEAD",
    "LETTERS_RUN",
    "SIGN_UP_LETTER",
    "FirstPeriod",
    "FirstPeriodLine",
    "SignUpResult",
    "first_period",
    "first_period_after",
    "home_occupying_tenancy",
    "homes_find",
    "how_to_pay",
    "max_days_ahead",
    "named_tenant_letters_make",
    "opening_balance_key",
    "rent_free_weeks_near",
    "rent_run_has_charged",
    "sign_up_charges_default",
    "sign_up_letter_values",
    "sign_up_letters",
    "tenancy_sign_up",
    "weekly_to_period",
]
