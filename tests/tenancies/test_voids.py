"""Voids: void days and void rent loss, worked out by hand.

The financial year to 1 February 2026 (1 April 2025 to 1 February 2026). Scheme S1 has a rent-free week commencing
Monday 22 December 2025.

- H1 (S1): let 7 April to Friday 5 December 2025, and again from 5 January 2026. Void 6 December 2025 to 4 January
  2026: 30 days. Rent £70.00 a week to 14 December, £77.00 from 15 December (a charge change during the void); service
  charge £7.50 throughout. Rent-free 22 to 28 December: 7 days.
  Rent 70 × 9 days (6–14 Dec) = 630; 77 × (21 − 7) days = 1,078; service 7.50 × (30 − 7) = 172.50.
  (630 + 1,078 + 172.50) ÷ 7 = 268.642857… → £268.64 (one rounding for the period).
  Not void from 1 to 6 April 2025: it was not in our stock until its first tenancy and charges began on 7 April.
- U (S1): a room in building B, never let, £60.00 a week from 6 October 2025: void 6 October 2025 to 1 February 2026,
  119 days, of which 112 are charged (the rent-free week): 60 × 112 ÷ 7 = £960.00. B (the building, with a charge but
  no tenancy of its own) is not counted: its units are.
- H2 (S2): never let, £100.00 a week from 12 January 2026: void 21 days, 100 × 21 ÷ 7 = £300.00. A tenancy signed up
  to start on 2 March 2026 does not stop it being void now.
- H4 (S2): let to 30 June 2025, retired on 15 July 2025: void 1 to 14 July, 14 days at £50.00 a week = £100.00.
- H5 (S2): let to 28 February 2025, void since 1 March 2025 at £70.00 a week. This financial year: 1 April 2025 to
  1 February 2026 = 307 days, 70 × 307 ÷ 7 = £3,070.00. Its whole void to date: 338 days, £3,380.00.
- H6 (S1): let throughout: never void.

S1: 2 homes, 149 days, £1,228.64, 1 void now. S2: 3 homes, 342 days, £3,470.00, 2 void now.
All: 5 homes, 491 days, £4,698.64, 3 void now.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenancies.models import PropertyCharge, RentFreeWeek
from tenancies.selectors_homes import (
    financial_year_to_date,
    property_voids,
    void_figures_by_property,
    void_figures_by_scheme,
    void_figures_total,
    void_periods,
    voids_now,
)
from tests.factories import PropertyFactory, SchemeFactory, TenancyFactory

pytestmark = pytest.mark.django_db

START, END = date(2025, 4, 1), date(2026, 2, 1)


def _charge(home, amount, start, end=None, charge_type="rent"):
    PropertyCharge.objects.create(
        property=home, charge_type=charge_type, amount=Decimal(amount), effective_from=start, effective_to=end
    )


def _let(home, start, end=None):
    return TenancyFactory(property=home, start_date=start, end_date=end, status="former" if end else "current")


@pytest.fixture
def stock():
    s1, s2 = SchemeFactory(code="S1"), SchemeFactory(code="S2")
    RentFreeWeek.objects.create(scheme=s1, week_commencing=date(2025, 12, 22))
    RentFreeWeek.objects.create(scheme=s2, week_commencing=date(2099, 12, 21))  # another scheme's calendar
    homes = {}

    homes["H1"] = h1 = PropertyFactory(scheme=s1)
    _let(h1, date(2025, 4, 7), date(2025, 12, 5))
    _let(h1, date(2026, 1, 5))
    _charge(h1, "70.00", date(2025, 4, 7), date(2025, 12, 14))
    _charge(h1, "77.00", date(2025, 12, 15))
    _charge(h1, "7.50", date(2025, 4, 7), charge_type="eligible_service")

    homes["B"] = building = PropertyFactory(scheme=s1)
    _charge(building, "10.00", date(2025, 1, 6))
    homes["U"] = unit = PropertyFactory(scheme=s1, parent=building, unit_label="Room 1")
    _charge(unit, "60.00", date(2025, 10, 6))

    homes["H2"] = h2 = PropertyFactory(scheme=s2)
    _charge(h2, "100.00", date(2026, 1, 12))
    _let(h2, date(2026, 3, 2))

    homes["H4"] = h4 = PropertyFactory(scheme=s2, retired_on=date(2025, 7, 15))
    _let(h4, date(2024, 4, 1), date(2025, 6, 30))
    _charge(h4, "50.00", date(2024, 4, 1))

    homes["H5"] = h5 = PropertyFactory(scheme=s2)
    _let(h5, date(2024, 4, 1), date(2025, 2, 28))
    _charge(h5, "70.00", date(2024, 4, 1))

    homes["H6"] = h6 = PropertyFactory(scheme=s1)
    _let(h6, date(2024, 4, 1))
    _charge(h6, "90.00", date(2024, 4, 1))
    return s1, s2, homes


def test_void_periods_worked_out_by_hand(stock):
    s1, s2, homes = stock  # noqa: RUF059
    periods = void_periods(start=START, end=END)
    found = {
        name: [(p.start, p.end, p.days, p.loss, p.ongoing) for p in periods[home.pk]]
        for name, home in homes.items()
        if home.pk in periods
    }
    assert found == {
        "H1": [(date(2025, 12, 6), date(2026, 1, 4), 30, Decimal("268.64"), False)],
        "U": [(date(2025, 10, 6), END, 119, Decimal("960.00"), True)],
        "H2": [(date(2026, 1, 12), END, 21, Decimal("300.00"), True)],
        "H4": [(date(2025, 7, 1), date(2025, 7, 14), 14, Decimal("100.00"), False)],
        "H5": [(START, END, 307, Decimal("3070.00"), True)],
    }


def test_figures_per_home_per_scheme_and_in_total(stock):
    s1, s2, homes = stock
    by_home = void_figures_by_property(start=START, end=END)
    assert (by_home[homes["H1"].pk].void_days, by_home[homes["H1"].pk].loss) == (30, Decimal("268.64"))
    assert homes["H6"].pk not in by_home and homes["B"].pk not in by_home

    by_scheme = void_figures_by_scheme(start=START, end=END)
    assert (by_scheme[s1.pk].homes, by_scheme[s1.pk].void_days, by_scheme[s1.pk].loss, by_scheme[s1.pk].void_now) == (
        2,
        149,
        Decimal("1228.64"),
        1,
    )
    assert (by_scheme[s2.pk].homes, by_scheme[s2.pk].void_days, by_scheme[s2.pk].loss, by_scheme[s2.pk].void_now) == (
        3,
        342,
        Decimal("3470.00"),
        2,
    )

    total = void_figures_total(start=START, end=END)
    assert (total.homes, total.void_days, total.loss, total.void_now) == (5, 491, Decimal("4698.64"), 3)
    one_scheme = void_figures_total(start=START, end=END, scheme=s1)
    assert (one_scheme.void_days, one_scheme.loss) == (149, Decimal("1228.64"))


def test_the_default_range_is_the_financial_year_to_date(stock):
    assert financial_year_to_date(date(2026, 2, 1)) == (START, END)
    assert financial_year_to_date(date(2026, 4, 1)) == (date(2026, 4, 1), date(2026, 4, 1))
    assert void_figures_total(end=END).loss == Decimal("4698.64")


def test_a_period_cut_by_the_range_is_rounded_once_for_the_part_asked_about(stock):
    _, _, homes = stock
    # 15 December to 4 January only: rent 77 × (21 − 7) = 1,078; service 7.50 × 14 = 105; 1,183 ÷ 7 = £169.00.
    periods = property_voids(property=homes["H1"], start=date(2025, 12, 15), end=date(2026, 1, 10))
    assert [(p.start, p.end, p.loss) for p in periods] == [(date(2025, 12, 15), date(2026, 1, 4), Decimal("169.00"))]


def test_a_homes_whole_void_history(stock):
    _, _, homes = stock
    periods = property_voids(property=homes["H5"], end=END)
    assert [(p.start, p.days, p.loss) for p in periods] == [(date(2025, 3, 1), 338, Decimal("3380.00"))]
    assert property_voids(property=homes["H6"], end=END) == []
    assert property_voids(property=homes["B"], end=END) == []


def test_homes_void_now_with_their_whole_void_so_far(stock):
    s1, s2, homes = stock  # noqa: RUF059
    now = voids_now(on=END)
    assert [(v.home.pk, v.since, v.days, v.loss) for v in now] == [
        (homes["H5"].pk, date(2025, 3, 1), 338, Decimal("3380.00")),
        (homes["U"].pk, date(2025, 10, 6), 119, Decimal("960.00")),
        (homes["H2"].pk, date(2026, 1, 12), 21, Decimal("300.00")),
    ]
    assert [v.home.pk for v in voids_now(on=END, scheme=s1)] == [homes["U"].pk]
    # On the day the next tenancy starts the home is no longer void.
    assert homes["H2"].pk not in [v.home.pk for v in voids_now(on=date(2026, 3, 2))]


def test_the_queries_do_not_grow_with_the_number_of_homes(stock):
    with CaptureQueriesContext(connection) as few:
        void_periods(start=START, end=END)
    scheme = SchemeFactory()
    for _ in range(15):
        home = PropertyFactory(scheme=scheme)
        _charge(home, "80.00", date(2025, 5, 5))
        _let(home, date(2025, 6, 2), date(2025, 9, 30))
    with CaptureQueriesContext(connection) as many:
        periods = void_periods(start=START, end=END)
    # The homes that may be void, their tenancies, first charges (for homes never let), charges, rent-free weeks.
    assert len(many) == len(few) == 5
    with CaptureQueriesContext(connection) as now:
        voids_now(on=END)
    assert len(now) == 5
    # Each of the 15: void 5 May to 1 June (28 days, £320.00) and 1 October to 1 February (124 days, £1,417.14).
    assert sum(len(p) for p in periods.values()) == 5 + 15 * 2
    assert [(p.start, p.end, p.days, p.loss) for p in periods[home.pk]] == [
        (date(2025, 5, 5), date(2025, 6, 1), 28, Decimal("320.00")),
        (date(2025, 10, 1), END, 124, Decimal("1417.14")),
    ]
