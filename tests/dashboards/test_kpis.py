"""Each KPI on a small estate whose answers are worked out here by hand, with the edge cases its definition names:
arrears brought forward, technical arrears, former tenants, rent-free weeks. And a rebuilt snapshot equals the one
taken that week."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from arrears.models import (
    Agreement,
    AgreementStateChange,
    ArrearsCase,
    ArrearsPolicyVersion,
    BenefitClaim,
    BreathingSpace,
    DirectPaymentRequest,
    Recommendation,
    ReviewRun,
)
from arrears.services import policies_install_shipped
from dashboards.measures import kpi_measures
from dashboards.models import KpiSnapshot
from dashboards.services import kpi_snapshot_take
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.models import DirectDebitMandate
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import PropertyFactory, SchemeFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

SUNDAY = date(2026, 11, 29)
JUNE = date(2026, 6, 1)  # a Monday
MONDAYS = [JUNE + timedelta(weeks=n) for n in range(26)]  # 1 June to 23 November 2026


def _tenancy(reference, scheme, **fields):
    tenancy = TenancyFactory(payment_reference=reference, property=PropertyFactory(scheme=scheme), **fields)
    return tenancy, account_get_or_create(tenancy=tenancy)


def _post(account, lines):
    transactions_post(
        postings=[Posting(account.pk, kind, Decimal(str(amount)), day, f"{account.pk}:{n}") for n, (kind, amount, day)
                  in enumerate(lines)]
    )  # fmt: skip


RENT, PAID, HB, WRITE_OFF = (
    TransactionType.RENT_DEBIT, TransactionType.PAYMENT, TransactionType.HOUSING_BENEFIT, TransactionType.WRITE_OFF,
)  # fmt: skip


@pytest.fixture
def estate():
    north, south, east = SchemeFactory(name="North"), SchemeFactory(name="South"), SchemeFactory(name="East")
    # A: rent-free weeks on 3 and 10 August (24 weeks charged, £2,400); paid 22 × £100; £200 owed; direct debit.
    a, a_account = _tenancy("RWK00001", north, start_date=JUNE, payment_method="direct_debit")
    charged = [day for day in MONDAYS if day not in (date(2026, 8, 3), date(2026, 8, 10))]
    _post(a_account, [(RENT, 100, d) for d in charged] + [(PAID, -100, d) for d in charged[:22]])
    DirectDebitMandate.objects.create(tenancy=a, reference="DD-A", collection_day=1, start_date=JUNE)
    BreathingSpace.objects.create(tenancy=a, kind="standard", starts_on=date(2026, 11, 20),
                                  debt_covered=Decimal("200.00"))  # fmt: skip
    # B: £2,600 charged; HB 26 × £60 and 2 × £40 paid: £960 owed (over 7 weeks); on UC with a managed payment;
    # the last review found £120 of technical arrears.
    b, b_account = _tenancy("RWK00002", north, start_date=JUNE)
    _post(b_account, [(RENT, 100, d) for d in MONDAYS] + [(HB, -60, d) for d in MONDAYS]
          + [(PAID, -40, MONDAYS[0]), (PAID, -40, MONDAYS[1])])  # fmt: skip
    BenefitClaim.objects.create(tenancy=b, benefit="uc", status="in_payment", weekly_amount=Decimal("60.00"),
                                started_on=JUNE)  # fmt: skip
    DirectPaymentRequest.objects.create(tenancy=b, kind="managed_payment", status="approved",
                                        requested_on=date(2026, 9, 1))  # fmt: skip
    # C: paid in full and £50 ahead: in credit (not netted off anyone's arrears).
    _, c_account = _tenancy("RWK00003", south, start_date=JUNE)
    _post(c_account, [(RENT, 100, d) for d in MONDAYS] + [(PAID, -100, d) for d in MONDAYS] + [(PAID, -50, JUNE)])
    # D: a former tenant (ended 30 August): 13 weeks £1,300, paid £1,000, £100 written off in October: £200 owed.
    _, d_account = _tenancy("RWK00004", east, start_date=JUNE, end_date=date(2026, 8, 30))
    _post(d_account, [(RENT, 100, d) for d in MONDAYS[:13]] + [(PAID, -1000, date(2026, 8, 28)),
                                                                (WRITE_OFF, -100, date(2026, 10, 1))])  # fmt: skip
    # E: arrears brought forward: 12 weeks unpaid from 5 January (£1,200 before 1 April); then 34 weeks from 6 April
    # (£3,400) and £4,000 paid in the year: £600 owed.
    _, e_account = _tenancy("RWK00005", east, start_date=date(2026, 1, 5))
    before = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(12)]
    after = [date(2026, 4, 6) + timedelta(weeks=n) for n in range(34)]
    _post(e_account, [(RENT, 100, d) for d in before + after] + [(PAID, -4000, date(2026, 11, 2))])
    officer = user_with_role(Role.INCOME_OFFICER)
    for account in (b_account, e_account):
        ArrearsCase.objects.create(account=account, opened_on=date(2026, 9, 1), officer=officer)
    case_e = ArrearsCase.objects.get(account=e_account)
    Agreement.objects.create(case=case_e, frequency="weekly", amount=Decimal("10.00"), starts_on=date(2026, 11, 2),
                             starting_balance=Decimal("600.00"), state="live")  # fmt: skip
    broken = Agreement.objects.create(case=ArrearsCase.objects.get(account=b_account), frequency="weekly",
                                      amount=Decimal("5.00"), starts_on=date(2026, 10, 5),
                                      starting_balance=Decimal("900.00"), state="breached")  # fmt: skip
    AgreementStateChange.objects.create(
        agreement=broken, state="breached", on=date(2026, 11, 26), balance=Decimal("960.00"),
        expected_balance=Decimal("900.00"), note="missed",
    )  # fmt: skip
    policies_install_shipped()
    run = ReviewRun.objects.create(as_of=date(2026, 11, 23), status="completed")
    Recommendation.objects.create(run=run, account=b_account, policy_version=ArrearsPolicyVersion.objects.first(),
                                  action="no_action", label="No action", mode="none", balance=Decimal("960.00"),
                                  facts={"technical_arrears": "120.00"})  # fmt: skip
    return {"officer": officer}


def _headline(measures, key):
    return measures[key][("all", "All")]


def test_each_kpi_equals_the_hand_worked_figure(estate):
    m = kpi_measures(SUNDAY)
    # Rent debit in the 52 weeks: A 2,400 (two rent-free weeks) + B 2,600 + C 2,600 + D 1,300 + E 4,600 = 13,500.
    # Current arrears: A 200 + B 960 + E 600 = 1,760 (C's £50 credit is not netted off): 13.04%.
    assert _headline(m, "current_arrears_pct").numerator == Decimal("176000.00")
    assert _headline(m, "current_arrears_pct").denominator == Decimal("13500.00")
    assert _headline(m, "current_arrears_pct").value == Decimal("13.04")
    assert _headline(m, "current_arrears_net_pct").value == Decimal("12.15")  # (1,760 − 120) ÷ 13,500
    # Collection this year: received 2,200 + 1,640 + 2,650 + 1,000 + 4,000 = 11,490 against rent due this year
    # 2,400 + 2,600 + 2,600 + 1,300 + 3,400 = 12,300 (E's £1,200 brought forward is not due this year): 93.41%.
    assert _headline(m, "collection_pct").value == Decimal("93.41")
    assert _headline(m, "former_arrears_pct").value == Decimal("1.48")  # D's 200 ÷ 13,500
    assert _headline(m, "write_offs_pct").value == Decimal("0.74")  # 100 ÷ 13,500
    assert _headline(m, "direct_debit_pct").value == Decimal("25.00")  # A of A, B, C, E
    assert _headline(m, "average_arrears").value == Decimal("586.67")  # 1,760 ÷ 3
    assert _headline(m, "over_7_weeks_pct").value == Decimal("25.00")  # only B (960 > 700)
    assert _headline(m, "uc_tenants").value == 1 and _headline(m, "uc_average_arrears").value == Decimal("960.00")
    assert _headline(m, "uc_with_apa").value == 1
    assert _headline(m, "agreements_live").value == 1 and _headline(m, "agreements_breached").value == 1
    assert _headline(m, "breathing_space").value == 1
    assert _headline(m, "cases_per_officer").value == Decimal("2.00")  # 2 open cases, 1 Income Officer
    # Breakdown by scheme: North (A and B) owes 1,160 on 5,000 of rent debit.
    assert m["current_arrears_pct"][("scheme", "North")].value == Decimal("23.20")
    assert m["collection_pct"][("scheme", "East")].value == Decimal("106.38")  # (1,000 + 4,000) ÷ (1,300 + 3,400)


def test_the_week_counts_notices_orders_and_evictions_in_its_seven_days(estate, law, settings, tmp_path):
    from courts.services import notice_serve
    from tenancies.models import Tenancy

    settings.MEDIA_ROOT = tmp_path
    tenancy = Tenancy.objects.get(payment_reference="RWK00002")
    tenancy.tenure_type = "SECURE"
    tenancy.save()
    notice_serve(tenancy=tenancy, notice_code="secure-nosp", served_on=date(2026, 11, 25), method="hand",
                 signatory="P. Shah", proof_of_service="By hand.", served_by=estate["officer"])  # fmt: skip
    m = kpi_measures(SUNDAY)
    assert _headline(m, "nosps_served").value == 1 and m["nosps_served"][("scheme", "North")].value == 1
    assert _headline(kpi_measures(SUNDAY + timedelta(days=7)), "nosps_served").value == 0


def test_a_rebuilt_snapshot_for_a_past_week_equals_the_one_taken_that_week(estate):
    kpi_snapshot_take(week_ending=SUNDAY)
    taken = sorted(KpiSnapshot.objects.values_list("kpi", "dimension", "group", "numerator", "denominator", "value"))
    assert len(taken) > 50
    # The next week's postings (dated after the week) must not change the week when it is rebuilt.
    from rentaccounts.models import Account

    account = Account.objects.get(tenancy__payment_reference="RWK00002")
    _post(account, [(PAID, -500, SUNDAY + timedelta(days=1)), (RENT, 100, SUNDAY + timedelta(days=1))])
    call_command("kpi_snapshot", "--week-ending", SUNDAY.isoformat())
    rebuilt = sorted(KpiSnapshot.objects.values_list("kpi", "dimension", "group", "numerator", "denominator", "value"))
    assert rebuilt == taken


def test_kpis_command_prints_the_headline_figures(estate, capsys):
    call_command("kpis", "--as-of", SUNDAY.isoformat(), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["kpis"]["current_arrears_pct"]["value"] == "13.04"
    assert data["kpis"]["collection_pct"] == {
        "name": "Rent collected", "value": "93.41", "unit": "percent", "numerator": "1149000.00",
        "denominator": "12300.00",
    }  # fmt: skip


def test_the_dashboard_shows_tiles_against_target_drills_to_the_cases_and_exports_csv(client, estate):
    kpi_snapshot_take(week_ending=SUNDAY)
    manager = user_with_role(Role.INCOME_MANAGER)
    client.force_login(manager)
    html = client.get("/dashboards/").content.decode()
    assert "Figures for the week ending 29 November 2026, built " in html
    assert "13.04%" in html and "Off target" in html and "Target at most 3.00%" in html  # text, not colour alone
    assert "How this is worked out" in html and "StatsWales" in html and "legal-spec" not in html
    drill = client.get("/dashboards/drill/current_arrears_pct/").content.decode()
    assert drill.index("RWK00002") < drill.index("RWK00005") < drill.index("RWK00001")  # largest balance first
    assert "RWK00003" not in drill and "RWK00004" not in drill  # in credit; a former tenant
    north = client.get("/dashboards/drill/current_arrears_pct/", {"by": "scheme", "group": "North"}).content.decode()
    assert "RWK00002" in north and "RWK00005" not in north
    rows = client.get("/dashboards/export/breakdown.csv", {"kpi": "current_arrears_pct", "by": "scheme"})
    assert rows["Content-Type"].startswith("text/csv")
    assert "North,23.20,116000.00,5000.00" in rows.content.decode()
    response = client.post("/dashboards/targets/", {"kpi": "current_arrears_pct", "target": "15.00"}, follow=True)
    assert "Target for Current tenant arrears saved." in response.content.decode()
    assert "On target" in client.get("/dashboards/").content.decode()
    client.force_login(user_with_role(Role.SENIOR_INCOME_OFFICER))
    assert client.post("/dashboards/targets/", {"kpi": "current_arrears_pct", "target": "1"}).status_code == 403
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert client.get("/dashboards/").status_code == 403


@pytest.mark.django_db
def test_a_snapshot_of_an_estate_with_no_accounts_yet_is_all_noughts():
    """A landlord that has installed Rentwise but not loaded its data yet: Monday's snapshot must not fail."""
    from dashboards.models import KpiSnapshot

    assert kpi_snapshot_take(week_ending=SUNDAY) > 0
    headline = dict(KpiSnapshot.objects.filter(week_ending=SUNDAY, dimension="all").values_list("kpi", "value"))
    assert headline["current_arrears_pct"] == 0 and headline["void_homes_now"] == 0
