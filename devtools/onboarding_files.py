"""The onboarding benchmark's generated landlord, as onboarding files (docs/onboarding.md): `files_write` writes the
files for N tenancies, `files_change` a night's changes to them (1% of rows changed and 50 new tenancies). Used by
`devtools.bench_onboarding`, whose docstring describes the landlord."""

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from incomeapp.money import to_money

FIRST_NAMES = ("Alex", "Sam", "Jordan", "Priya", "Tomasz", "Aisha", "Owen", "Grace", "Mohammed", "Chloe", "Ewa", "Liam")
LAST_NAMES = ("Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Nowak", "Evans", "Wilson", "Okafor")
STREETS = ("High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Victoria Street", "Queens Road")
AS_AT = date(2026, 11, 29)


def _writer(folder: Path, name: str, header: list[str]):
    handle = (folder / f"{name}.csv").open("w", newline="")
    writer = csv.writer(handle)
    writer.writerow(header)
    return handle, writer


def files_write(folder: Path, tenancies: int, seed: int = 14) -> dict[str, int]:
    """Writes the onboarding files for `tenancies` tenancies; returns rows per file."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    (folder / "providers.csv").write_text(
        "source_reference,name,landlord_type,address,phone,email\n"
        "BP1,Bench Onboarding Housing,private_registered_provider,1 Bench Street | Testtown | TT1 1AA,,\n"
    )
    schemes = [f"BS{i}" for i in range(10)]
    (folder / "schemes.csv").write_text(
        "source_reference,code,name,scheme_type,provider_reference\n"
        + "".join(f"{s},ONB-{s},Onboarding scheme {s},general_needs,BP1\n" for s in schemes)
    )
    (folder / "rent_free_weeks.csv").write_text(
        "scheme_reference,week_commencing\n" + "".join(f"{s},2026-12-21\n{s},2026-12-28\n" for s in schemes[:2])
    )
    patches = [f"BP{i:02d}" for i in range(50)]
    (folder / "patches.csv").write_text(
        "source_reference,name\n" + "".join(f"{p},Onboarding patch {p}\n" for p in patches)
    )
    former = tenancies // 10
    current = tenancies - former
    homes = current + tenancies // 50

    handle, rows = _writer(
        folder,
        "properties",
        [
            "source_reference",
            "uprn",
            "address_line_1",
            "town",
            "postcode",
            "scheme_reference",
            "patch_reference",
            "bedrooms",
        ],
    )
    charges_handle, charge_rows = _writer(
        folder, "property_charges", ["property_reference", "charge_type", "amount", "effective_from"]
    )
    for h in range(homes):
        rows.writerow(
            [
                f"H{h:07d}",
                f"{900000000000 + h}",
                f"{h % 400 + 1} {STREETS[h % len(STREETS)]}",
                "Testtown",
                f"TT{h % 90 + 1} {h % 9}AB",
                schemes[h % 10],
                patches[h % 50],
                h % 4 + 1,
            ]
        )
        charge_rows.writerow([f"H{h:07d}", "rent", f"{80 + h % 60}.50", "2026-04-06"])
        charge_rows.writerow([f"H{h:07d}", "eligible_service", f"{5 + h % 15}.25", "2026-04-06"])
    handle.close()
    charges_handle.close()
    counts["properties"], counts["property_charges"] = homes, homes * 2

    people_handle, people = _writer(
        folder,
        "people",
        [
            "source_reference",
            "title",
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "phone",
            "preferred_contact",
        ],
    )
    tenancy_handle, tenancy_rows = _writer(
        folder,
        "tenancies",
        [
            "source_reference",
            "payment_reference",
            "property_reference",
            "tenure_type",
            "start_date",
            "end_date",
            "end_reason",
            "rent_period",
            "payment_method",
        ],
    )
    tenants_handle, tenant_rows = _writer(folder, "tenants", ["tenancy_reference", "person_reference", "is_lead"])
    tcharges_handle, tcharge_rows = _writer(
        folder, "charges", ["tenancy_reference", "charge_type", "amount", "effective_from"]
    )
    balances_handle, balance_rows = _writer(folder, "opening_balances", ["tenancy_reference", "balance", "as_at"])
    dd_handle, dd_rows = _writer(
        folder,
        "direct_debits",
        ["mandate_reference", "tenancy_reference", "collection_day", "amount", "start_date", "cancelled_on"],
    )
    person = 0
    counts.update({"people": 0, "tenants": 0, "direct_debits": 0})
    for t in range(tenancies):
        is_former = t >= current
        home = t - current if is_former else t
        reference = f"T{t:07d}"
        if is_former:
            start, end = date(2012, 4, 2) + timedelta(days=7 * (t % 300)), date(2019, 3, 31)
        else:
            start, end = date(2019, 4, 1) + timedelta(days=7 * (t % 380)), None
        method = "direct_debit" if t % 3 == 0 and not is_former else "bank_transfer"
        tenancy_rows.writerow(
            [
                reference,
                f"ON{t:08d}",
                f"H{home:07d}",
                "AST" if t % 4 == 0 else "ASSURED",
                start.isoformat(),
                end.isoformat() if end else "",
                "tenants_notice" if end else "",
                "weekly",
                method,
            ]
        )
        named = 2 if t % 5 == 0 else 1
        for index in range(named):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
            people.writerow(
                [
                    f"P{person:07d}",
                    "",
                    first,
                    last,
                    born.isoformat(),
                    f"p{person}@bench.invalid" if person % 3 == 0 else "",
                    f"07700 {900000 + person % 100000:06d}"[:12] if person % 2 == 0 else "",
                    "letter",
                ]
            )
            tenant_rows.writerow([reference, f"P{person:07d}", "yes" if index == 0 else "no"])
            person += 1
        tcharge_rows.writerow([reference, "rent", f"{80 + home % 60}.50", "2026-04-06"])
        tcharge_rows.writerow([reference, "eligible_service", f"{5 + home % 15}.25", "2026-04-06"])
        balance = rng.choice(("0.00", f"{rng.randrange(1, 300000) / 100:.2f}", f"-{rng.randrange(1, 20000) / 100:.2f}"))
        balance_rows.writerow([reference, balance, AS_AT.isoformat()])
        if method == "direct_debit":
            dd_rows.writerow([f"ONDD{t:08d}", reference, t % 28 + 1, "", "2020-01-01", ""])
            counts["direct_debits"] += 1
        elif t % 20 == 1:
            dd_rows.writerow([f"ONDD{t:08d}", reference, t % 28 + 1, "", "2015-01-01", "2018-12-31"])
            counts["direct_debits"] += 1
    counts["people"] = counts["tenants"] = person
    counts["tenancies"] = counts["opening_balances"] = tenancies
    counts["charges"] = tenancies * 2
    for h in (people_handle, tenancy_handle, tenants_handle, tcharges_handle, balances_handle, dd_handle):
        h.close()
    return counts


def _rewrite(folder: Path, name: str, change) -> int:
    """Rewrites one file, passing each data row (a list) to `change`, which edits it in place and says if it did."""
    path = folder / f"{name}.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    changed = sum(1 for row in rows[1:] if change(row))
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return changed


def files_change(folder: Path, tenancies: int, share: float = 0.01, added: int = 50) -> dict[str, int]:
    """A night's changes: `share` of the rows of people, homes, tenancies and tenancies' charges changed (phones,
    bedrooms, ends of tenancy and tenure changes, rent changes from next Monday), and `added` new tenancies with their
    homes and people."""
    every = round(1 / share)
    current = tenancies - tenancies // 10
    today = date.today()
    changes = {}

    def phone(row):
        number = int(row[0][1:])
        if number % every != 3:
            return False
        row[6] = f"07700 {800000 + number % 100000:06d}"
        return True

    def bedrooms(row):
        if int(row[0][1:]) % every != 5:
            return False
        row[7] = "5"
        return True

    changes["people"] = _rewrite(folder, "people", phone)
    changes["properties"] = _rewrite(folder, "properties", bedrooms)
    ended_on = (today - timedelta(days=1)).isoformat()

    def tenancy(row):
        t = int(row[0][1:])
        # One in a hundred tenancies changes: half of them end, half change tenure.
        if t >= current or t % every != 7:
            return False
        if t % (2 * every) == 7:
            row[5], row[6] = ended_on, "tenants_notice"
            if row[8] == "direct_debit":
                row[8] = "bank_transfer"
        else:
            row[3] = "ASSURED" if row[3] == "AST" else "AST"
        return True

    changes["tenancies"] = _rewrite(folder, "tenancies", tenancy)
    next_monday = today + timedelta(days=7 - today.weekday())

    def charge(row):
        t = int(row[0][1:])
        if t >= current or t % every != 9 or row[1] != "rent":
            return False
        row[2], row[3] = str(to_money(row[2]) + Decimal("3.00")), next_monday.isoformat()
        return True

    changes["charges"] = _rewrite(folder, "charges", charge)
    cancelled = set()

    def mandate(row):
        t = int(row[1][1:])
        if t % (2 * every) == 7 and not row[5] and t < current:
            row[5] = ended_on
            cancelled.add(t)
            return True
        return False

    changes["direct_debits"] = _rewrite(folder, "direct_debits", mandate)
    with (
        (folder / "properties.csv").open("a", newline="") as homes,
        (folder / "people.csv").open("a", newline="") as people,
        (folder / "tenancies.csv").open("a", newline="") as tenancy_file,
        (folder / "tenants.csv").open("a", newline="") as tenants,
        (folder / "charges.csv").open("a", newline="") as charges,
    ):
        for i in range(added):
            home, person, reference = f"HN{i:06d}", f"PN{i:06d}", f"TN{i:06d}"
            csv.writer(homes).writerow([home, "", f"{i} New Road", "Testtown", "TT1 1AB", "BS1", "BP01", 2])
            csv.writer(people).writerow([person, "", "New", f"Tenant{i}", "1990-01-01", "", "", "letter"])
            csv.writer(tenancy_file).writerow(
                [
                    reference,
                    f"ONN{i:07d}",
                    home,
                    "AST",
                    (today - timedelta(days=3)).isoformat(),
                    "",
                    "",
                    "weekly",
                    "bank_transfer",
                ]
            )
            csv.writer(tenants).writerow([reference, person, "yes"])
            csv.writer(charges).writerow([reference, "rent", "99.50", (today - timedelta(days=3)).isoformat()])
    changes["new tenancies"] = added
    return changes
