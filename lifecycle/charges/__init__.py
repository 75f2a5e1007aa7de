"""One tenancy's charges changed from a date: the screens' "Change charges", each tenancy of an approved rent change
run, and the nightly sync from the housing management system all come through `tenancy_charges_change`.

The new set of charges applies from `effective_from` until the next change already scheduled for later (an approved
rent change run's April rows, say): those are kept, never silently dropped, and the screens say so, so the person can
change them too. The rows in effect that day are ended the day before; rows starting that same day are replaced. A
date in a week the rent run has already posted is allowed (never earlier than that week's Monday), and the difference
for the periods already charged is posted at once, by day, through
`rentaccounts.services.tenancy_charges.tenancy_charges_true_up`. An unchanged set writes nothing.

The parts:
- `results`: how charges are listed (`CHARGE_ORDER`, `PERIOD_PHRASES`, `COUNTS_AS_RENT_BY_DEFAULT`) and what a change
  did (`ChargeChangeResult`, `charge_line_changes`).
- `checks`: the charges checked (`charges_specs_check`), the dates allowed (`earliest_change_date`), whether anything
  changes, and the day a migrated tenancy's opening balance covers.
- `change`: the services, `tenancy_charges_change` and `tenancy_charges_amounts_set`.
"""

from tenancies.constants import CHARGE_LABELS

from .change import tenancy_charges_amounts_set, tenancy_charges_change
from .checks import charges_specs_check, earliest_change_date
from .results import (
    CHARGE_ORDER,
    COUNTS_AS_RENT_BY_DEFAULT,
    PERIOD_PHRASES,
    ChargeChangeResult,
    ChargeLineChange,
    PeriodPosting,
    charge_line_changes,
)

__all__ = [
    "CHARGE_LABELS",
    "CHARGE_ORDER",
    "COUNTS_AS_RENT_BY_DEFAULT",
    "PERIOD_PHRASES",
    "ChargeChangeResult",
    "ChargeLineChange",
    "PeriodPosting",
    "charge_line_changes",
    "charges_specs_check",
    "earliest_change_date",
    "tenancy_charges_amounts_set",
    "tenancy_charges_change",
]
