"""The KPI definitions, in one place: each with its formula, what it includes and excludes, its source, its unit and
which way is better. The page shows them behind an info link; `measures.py` computes them; nothing else defines them.
"""

from dataclasses import dataclass
from decimal import Decimal

PERCENT, COUNT, MONEY, RATIO = "percent", "count", "money", "ratio"
LOWER_IS_BETTER, HIGHER_IS_BETTER = "lower", "higher"


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    formula: str
    includes: str
    excludes: str
    source: str
    unit: str
    better: str | None  # None: a count to watch, with no better direction
    default_target: Decimal | None = None


RENT_DEBIT = (
    "Annual rent debit: the rent and every charge billed with it on the rent account in the 52 weeks to the date, "
    "from the ledger, so rent-free weeks count as nothing due (the same charges the balances include)."
)

KPIS: tuple[Kpi, ...] = (
    Kpi(
        "current_arrears_pct", "Current tenant arrears", "current tenants' arrears ÷ annual rent debit × 100",
        "The rent accounts of tenancies live on the date, each balance that is owed (over £0). " + RENT_DEBIT,
        "Credits (payments in advance are not netted off), former tenants, court costs, recharges and sundry debts "
        "(their own accounts).",
        "StatsWales 'Social housing rent arrears'; Gateshead; Scotland HSN1",
        PERCENT, LOWER_IS_BETTER, Decimal("3.00"),
    ),
    Kpi(
        "current_arrears_net_pct", "Current tenant arrears, net of technical arrears",
        "(current tenants' arrears − technical arrears) ÷ annual rent debit × 100",
        "As current tenant arrears, less the Housing Benefit and Universal Credit due and not yet paid that the latest "
        "arrears review found on each account (its technical_arrears fact).",
        "As current tenant arrears.", "optional net figure", PERCENT, LOWER_IS_BETTER,
        Decimal("2.50"),
    ),
    Kpi(
        "collection_pct", "Rent collected", "receipts this financial year ÷ rent due this financial year × 100",
        "Receipts: tenants' payments, Housing Benefit, UC housing costs and deductions, DHP, less returned payments, "
        "posted from 1 April to the date. Rent due: rent and charges that count as rent debited in the same period.",
        "Arrears brought forward from earlier years (not in rent due): collecting old arrears can take it over 100%.",
        "Gateshead Council: 'excluding arrears brought forward'", PERCENT, HIGHER_IS_BETTER,
        Decimal("99.00"),
    ),
    Kpi(
        "former_arrears_pct", "Former tenant arrears", "former tenants' arrears ÷ annual rent debit × 100",
        "The rent accounts of tenancies ended on or before the date, each balance owed.",
        "Former tenants in credit; amounts written off (they are no longer owed).",
        "Gateshead Council's published income KPIs", PERCENT, LOWER_IS_BETTER, Decimal("1.00"),
    ),
    Kpi(
        "write_offs_pct", "Write-offs", "amounts written off this financial year ÷ annual rent debit × 100",
        "Write-off postings on rent accounts from 1 April to the date.", "Reversed write-offs.",
        "Gateshead Council's published income KPIs", PERCENT, LOWER_IS_BETTER, Decimal("0.50"),
    ),
    Kpi(
        "nosps_served", "Notices served (this week)", "count of possession notices served in the week",
        "Every possession notice recorded as served (NOSP, section 8, s128, notices to quit).", "Notices withdrawn.",
        "", COUNT, None,
    ),
    Kpi(
        "possession_orders", "Possession orders (this week)", "count of outright, suspended and postponed orders",
        "Hearings in the week whose outcome was an outright, suspended or postponed possession order.",
        "Adjournments, dismissals, stays.", "", COUNT, None,
    ),
    Kpi(
        "evictions", "Evictions (this week)", "count of evictions where possession was taken",
        "Evictions in the week where possession was taken or the tenant left before it.",
        "Evictions suspended or cancelled.", "", COUNT, LOWER_IS_BETTER,
    ),
    Kpi(
        "direct_debit_pct", "Paying by direct debit", "current tenancies with an active mandate ÷ current tenancies",
        "Tenancies live on the date with a direct debit mandate active on it.", "Cancelled mandates.",
        "", PERCENT, HIGHER_IS_BETTER, Decimal("40.00"),
    ),
    Kpi(
        "average_arrears", "Average arrears per case", "current tenants' arrears ÷ current accounts in arrears",
        "Current tenancies' rent accounts with a balance owed.", "Accounts clear or in credit.",
        "Gateshead Council's published income KPIs", MONEY, LOWER_IS_BETTER,
    ),
    Kpi(
        "over_7_weeks_pct", "More than 7 weeks' arrears", "tenancies owing > 7 × weekly rent ÷ current tenancies",
        "Weekly rent: the weekly equivalent of the charges in effect on the date, on the weeks basis of the tenancy's "
        "arrears policy (rent only, or rent and all charges), as on the worklist.",
        "Tenancies with no rent charged.", "BVPI 66b [B]", PERCENT, LOWER_IS_BETTER,
        Decimal("3.00"),
    ),
    Kpi(
        "cases_per_officer", "Cases per officer", "open arrears cases ÷ active Income Officers",
        "Open arrears cases on the date; active staff in the Income Officer role.", "Cases with no officer count too.",
        "", RATIO, None,
    ),
    Kpi(
        "uc_tenants", "Tenants on Universal Credit", "current tenancies with a UC housing-costs claim pending or paid",
        "Claims pending or in payment on the date.", "Ended or suspended claims.", "", COUNT, None,
    ),
    Kpi(
        "uc_average_arrears", "Average arrears of UC tenants", "UC tenants' arrears ÷ UC tenants",
        "As UC tenants; arrears as current tenant arrears.", "", "", MONEY, LOWER_IS_BETTER,
    ),
    Kpi(
        "uc_with_apa", "UC tenants with a managed payment", "UC tenants with a managed payment approved or active",
        "Requests for a managed payment to the landlord (or a deduction) approved or active.", "Refused requests.",
        "", COUNT, HIGHER_IS_BETTER,
    ),
    Kpi(
        "agreements_live", "Agreements live", "agreements live on the date", "Informal and court agreements.",
        "Completed and cancelled ones.", "", COUNT, None,
    ),
    Kpi(
        "agreements_breached", "Agreements breached this week", "agreements that became breached in the week",
        "Breaches recorded by the daily agreement check in the 7 days to the date.", "", "",
        COUNT, LOWER_IS_BETTER,
    ),
    Kpi(
        "breathing_space", "Breathing Space cases", "tenancies with a moratorium active on the date",
        "Standard and mental health crisis moratoria.", "Ended ones.", "", COUNT, None,
    ),
)  # fmt: skip

BY_KEY = {kpi.key: kpi for kpi in KPIS}

# The debt figures (issue 16): worked out from the ledger and the case records as the "Former tenants, write-offs and
# overpayments" page opens (`dashboards.debts`), not kept in the weekly snapshot. The Write-offs KPI above (K4) stays
# the snapshot's percentage; these give the amounts behind it and the other debts.
FINANCIAL_YEAR = "the financial year to date (from 1 April)"
DEBT_KPIS: tuple[Kpi, ...] = (
    Kpi(
        "former_collected", "Former tenant arrears collected this year",
        "receipts on ended tenancies' rent accounts dated after the tenancy ended, in " + FINANCIAL_YEAR,
        "Tenants' payments (including what a debt collection agency collected and paid over), Housing Benefit, "
        "Universal Credit and DHP, less returned payments reversed in the year.",
        "Payments made while the tenancy was live (they are current rent collection), last year's receipts, current "
        "tenants' receipts, transfers of a credit from another account.",
        "Issue 16; published former tenant arrears policies", MONEY, HIGHER_IS_BETTER,
    ),
    Kpi(
        "former_balance", "Former tenant arrears owed", "sum of the balances owed on ended tenancies' rent accounts",
        "Rent accounts of tenancies marked former or past their last day, each balance over £0, as the page opens.",
        "Former tenants in credit (they are in the credits to refund queue); amounts written off; court costs, "
        "recharges and sundry debts (their own accounts).",
        "Gateshead Council's published income KPIs (the amount behind Former tenant arrears %)", MONEY,
        LOWER_IS_BETTER,
    ),
    Kpi(
        "former_cases_by_stage", "Former tenant cases by stage",
        "open cases on the former tenants' ladder, counted by the step their latest review recommended",
        "Open cases on the former tenants' ladder; the step in the policy's own words (a letter to the forwarding "
        "address, tracing, referred to the agency, a money claim, consider writing off, on hold for insolvency).",
        "Closed cases; current tenants' cases.", "", COUNT, None,
    ),
    Kpi(
        "write_offs_net", "Written off, net of write-ons",
        "write-offs posted in the period − write-ons (and reversals of write-offs) posted in it",
        "Write-offs on every debt account (rent, court costs, recharges, sundry debts), by the reason given on the "
        "request, by the officer who asked for it (the approver is shown beside), and by the month posted. A write-on "
        "counts against the reason and officer of the write-off it reverses.",
        "Requests waiting for a decision or refused (nothing was posted).",
        "Issue 16; the Write-offs KPI (K4) counts the rent accounts' part", MONEY, None,
    ),
    Kpi(
        "hb_overpayments", "Housing Benefit overpayments by scheme",
        "overpayments recorded against a tenancy, summed by the scheme of its home",
        "Every overpayment a council recovered from the landlord (deducted from a schedule or invoiced): recoverable "
        "from the tenant (outstanding while being recovered, recovered, or written off) or blameless. The landlord's "
        "loss is the blameless ones plus the recoverable ones written off.",
        "Overpayments the council recovers from the tenant directly (the landlord is not involved).",
        "Housing Benefit overpayment rules for landlords (blameless overpayments)", MONEY, LOWER_IS_BETTER,
    ),
)  # fmt: skip

DEBT_BY_KEY = {kpi.key: kpi for kpi in DEBT_KPIS}
