"""Reads for homes: the rent year, the homes list, and voids (void days and void rent loss).

**Voids.** A home is void on a day when no tenancy of it is live that day, it is in our stock and it is not retired:

- in stock from the earlier of its first tenancy's start and its first charge's start. So a home is void from the day
  after a tenancy ends until the next one starts, and a home that has never been let is void from the day its first
  charge schedule starts. A home with neither a tenancy nor a charge is not counted (it is not ready to let, and no
  rent is lost);
- a home retired on a day stops being void that day;
- a building whose units are let separately (a home with units) is not itself counted: its units are.

**Void rent loss** is what the home's own charges (`PropertyCharge`, every charge type) would have raised on its void
days: each charge in effect on a day at its weekly amount ÷ 7, nothing on days in its scheme's rent-free weeks. Each
void period (cut to the dates asked about) is rounded once: apportion(Σ weekly amount × chargeable days, 1, 7); a
home's, a scheme's and the total loss are sums of those. The rent-free weeks are those of the home's scheme now.

Everything is set-based: one query finds the homes that may have been void in the range (anti-joins: no single
tenancy covers it), one reads their tenancies, one their charges (one more finds when never-let homes were first
charged), and the rest is arithmetic in memory. 250,000 homes with 15% changing tenancy in a year: about 1.5 s for
the financial year's figures on this machine (docs/homes.md).

In parts: `rent_year` (the rent year and the financial year to date), `lists` (the homes list, schemes with their
counts, a home's page and the officers who can work a patch) and `voids`. Every name is here too.
"""

from .lists import (
    live_tenancy_on,
    officers_for_patches,
    property_detail,
    property_search,
    property_tenancies,
    schemes_with_counts,
)
from .rent_year import ONE_DAY, financial_year_to_date, rent_year_end, rent_year_start, rent_year_weeks
from .voids import (
    CHUNK,
    EARLIEST,
    VoidFigures,
    VoidNow,
    VoidPeriod,
    property_voids,
    void_figures_by_property,
    void_figures_by_scheme,
    void_figures_total,
    void_periods,
    voids_now,
)

__all__ = [
    "CHUNK",
    "EARLIEST",
    "ONE_DAY",
    "VoidFigures",
    "VoidNow",
    "VoidPeriod",
    "financial_year_to_date",
    "live_tenancy_on",
    "officers_for_patches",
    "property_detail",
    "property_search",
    "property_tenancies",
    "property_voids",
    "rent_year_end",
    "rent_year_start",
    "rent_year_weeks",
    "schemes_with_counts",
    "void_figures_by_property",
    "void_figures_by_scheme",
    "void_figures_total",
    "void_periods",
    "voids_now",
]
