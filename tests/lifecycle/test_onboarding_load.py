"""Loading a landlord's records from the onboarding files (docs/onboarding.md): the sample set loads with the figures
worked out by hand, loading it again changes nothing, the set-based first-load path writes what the services write,
a dry run writes nothing, --json parses, and reconcile_balances finds no difference."""

import json
import shutil
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from lifecycle.constants import LoadStatus
from lifecycle.onboarding.services import onboarding_load
from rentaccounts.constants import AccountKind, MandateStatus, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from tenancies.constants import TenancyEventKind, TenancyStatus
from tenancies.models import (
    Charge,
    Patch,
    Person,
    Property,
    PropertyCharge,
    Provider,
    RentFreeWeek,
    Scheme,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)
from tenancies.services_people import EDITABLE_FIELDS as PERSON_EDITABLE_FIELDS

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples" / "onboarding"
HISTORY_MODELS = (Provider, Scheme, Patch, Property, PropertyCharge, Person, Tenancy, Charge, DirectDebitMandate)
# What a ledger row says, compared between two loads (the account is named by its tenancy's reference).
LEDGER_ROW_FIELDS = (
    "transaction_type",
    "amount",
    "effective_date",
    "idempotency_key",
    "description",
    "period_start",
    "period_end",
)


def samples_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "onboarding"
    shutil.copytree(SAMPLES, folder)
    return folder


def csv_edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} is not in {name}"
    path.write_text(text.replace(old, new, 1))


def csv_append(folder: Path, name: str, line: str) -> None:
    with (folder / name).open("a") as handle:
        handle.write(line + "\n")


def load(path, **options):
    return onboarding_load(by=None, path=path, re_review=False, **options)


def _sorted(rows) -> list[tuple]:
    return sorted(rows, key=lambda row: tuple("" if value is None else str(value) for value in row))


def snapshot() -> dict:
    """Every record a load writes, by the source system's references (not ids), so two databases compare."""
    tenancy_ref = dict(Tenancy.objects.values_list("id", "source_reference"))
    account_ref = {a: tenancy_ref[t] for a, t in Account.objects.values_list("id", "tenancy_id")}
    person_ref = dict(Person.objects.values_list("id", "source_reference"))
    home_ref = dict(Property.objects.values_list("id", "source_reference"))

    def key(text: str) -> str:
        for pk, ref in tenancy_ref.items():
            text = text.replace(f"tenancy:{pk}", f"tenancy:{ref}")
        return text.split(":")[0] if text.startswith("charge") else text

    return {
        "providers": _sorted(Provider.objects.values_list("source_reference", "name", "address", "phone", "email")),
        "schemes": _sorted(Scheme.objects.values_list("source_reference", "code", "provider__source_reference")),
        "rent_free": _sorted(RentFreeWeek.objects.values_list("scheme__code", "week_commencing")),
        "patches": _sorted(Patch.objects.values_list("source_reference", "name", "officer_id")),
        "homes": _sorted(
            (home_ref.get(parent), *rest)
            for parent, *rest in Property.objects.values_list(
                "parent_id",
                "source_reference",
                "uprn",
                "unit_label",
                "address_line_1",
                "postcode",
                "bedrooms",
                "scheme__code",
                "patch__name",
                "retired_on",
            )
        ),
        "home_charges": _sorted(
            PropertyCharge.objects.values_list(
                "property__source_reference",
                "charge_type",
                "amount",
                "counts_as_rent",
                "effective_from",
                "effective_to",
            )
        ),
        "people": _sorted(Person.objects.values_list(*PERSON_EDITABLE_FIELDS)),
        "tenancies": _sorted(
            Tenancy.objects.values_list(
                "source_reference",
                "payment_reference",
                "property__source_reference",
                "tenure_type",
                "licence_basis",
                "start_date",
                "end_date",
                "end_reason",
                "forwarding_address",
                "rent_period",
                "status",
                "payment_method",
            )
        ),
        "tenants": _sorted(
            (tenancy_ref[t], person_ref[p], lead)
            for t, p, lead in TenancyTenant.objects.values_list("tenancy_id", "person_id", "is_lead")
        ),
        "charges": _sorted(
            (tenancy_ref[t], *rest)
            for t, *rest in Charge.objects.values_list(
                "tenancy_id", "charge_type", "amount", "counts_as_rent", "effective_from", "effective_to"
            )
        ),
        "accounts": _sorted(
            (tenancy_ref[t], kind, balance)
            for t, kind, balance in Account.objects.values_list("tenancy_id", "kind", "balance")
        ),
        "ledger": _sorted(
            (account_ref[a], kind, amount, day, key(k), description, start, end)
            for a, kind, amount, day, k, description, start, end in Transaction.objects.values_list(
                "account_id", *LEDGER_ROW_FIELDS
            )
        ),
        "mandates": _sorted(
            (tenancy_ref[t], *rest)
            for t, *rest in DirectDebitMandate.objects.values_list(
                "tenancy_id", "reference", "collection_day", "amount", "status", "start_date", "cancelled_on"
            )
        ),
        "events": _sorted(
            (tenancy_ref[t], kind, day, reason)
            for t, kind, day, reason in TenancyEvent.objects.values_list(
                "tenancy_id", "kind", "effective_date", "reason"
            )
        ),
    }


def _foreign_keys() -> int | None:
    """PostgreSQL's foreign keys and indexes, which a go-live load drops and adds back (None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f'")
        return cursor.fetchone()[0]


def _indexes() -> list[str] | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexdef")
        return [row[0] for row in cursor.fetchall()]


def history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in HISTORY_MODELS}


# ---- the sample set --------------------------------------------------------------------------------------------------


def test_the_sample_files_load_with_every_figure_as_worked_out_by_hand():
    report = load(SAMPLES)
    assert report.status == LoadStatus.COMPLETED, [str(e) for e in report.errors.items]
    assert report.counts["tenancies"] == {"created": 8, "updated": 0, "unchanged": 0}
    assert report.counts["people"]["created"] == 9
    assert report.counts["properties"]["created"] == 8
    assert Tenancy.objects.count() == 8 and Person.objects.count() == 9 and Property.objects.count() == 8

    # The joint tenancy: Tom Price the lead, Lucy Price named too.
    joint = Tenancy.objects.get(source_reference="T5002")
    assert [(p.first_name, p.last_name) for p in joint.named_tenants()] == [("Tom", "Price"), ("Lucy", "Price")]
    # A licence keeps its basis (R-LIC-03); rooms belong to their building.
    licence = Tenancy.objects.get(source_reference="T5006")
    assert (licence.tenure_type, licence.licence_basis) == ("LICENCE", "support_linked")
    assert Property.objects.get(source_reference="H006").parent.source_reference == "H005"
    # The former tenancy of Flat 2 ended, and the new one started after it.
    former = Tenancy.objects.get(source_reference="T5004")
    assert (former.status, former.end_date, former.end_reason) == (
        TenancyStatus.FORMER,
        date(2026, 8, 30),
        "tenants_notice",
    )
    assert Tenancy.objects.get(source_reference="T5005").status == TenancyStatus.CURRENT

    # Opening balances: posted once each, dated, on the rent account; zero balances post nothing.
    balances = dict(Account.objects.values_list("tenancy__source_reference", "balance"))
    assert balances == {
        "T5001": Decimal("0.00"),
        "T5002": Decimal("256.80"),
        "T5003": Decimal("-45.10"),
        "T5004": Decimal("1130.40"),
        "T5005": Decimal("220.20"),
        "T5006": Decimal("135.00"),
        "T5007": Decimal("514.58"),
        "T5008": Decimal("0.00"),
    }
    assert sum(balances.values()) == Decimal("2211.88") == report.opening_balances_total
    opening = Transaction.objects.get(account__tenancy=joint)
    assert (opening.transaction_type, opening.effective_date, opening.idempotency_key) == (
        TransactionType.ADJUSTMENT,
        date(2026, 11, 29),
        f"opening-balance:tenancy:{joint.pk}",
    )
    assert report.opening_balances_posted == 6
    # Charges start with the first rent period after the balance date (the balance covers the rest).
    assert list(joint.charges.values_list("charge_type", "amount", "effective_from")) == [
        ("rent", Decimal("128.40"), date(2026, 11, 30))
    ]
    monthly = Tenancy.objects.get(source_reference="T5007")
    assert monthly.charges.get().effective_from == date(2026, 12, 7)  # monthly from the 7th, after 29 November
    support = Charge.objects.get(tenancy=licence, charge_type="support")
    assert not support.counts_as_rent
    # Direct debits: the active one makes the tenancy pay by direct debit; a cancelled one is kept for the record.
    assert DirectDebitMandate.objects.get(reference="DD-RIV-0001").status == MandateStatus.ACTIVE
    assert Tenancy.objects.get(source_reference="T5001").payment_method == "direct_debit"
    assert DirectDebitMandate.objects.get(reference="DD-RIV-0002").cancelled_on == date(2020, 1, 31)
    # Each tenancy's event says it was loaded, with its opening balance date for later charge changes.
    loaded = TenancyEvent.objects.get(tenancy=joint)
    assert loaded.kind == TenancyEventKind.LOADED
    assert loaded.detail["opening_balance_date"] == "2026-11-29"
    # The homes' own weekly charges, and the scheme's rent-free weeks.
    assert PropertyCharge.objects.filter(property__source_reference="H001").count() == 2
    assert RentFreeWeek.objects.filter(scheme__code="RIV-GN").count() == 2
    call_command("reconcile_balances", stdout=StringIO())


def test_loading_the_same_files_again_changes_nothing():
    load(SAMPLES)
    before, history, ledger = snapshot(), history_counts(), Transaction.objects.count()
    stamps = {
        model.__name__: list(model.objects.order_by("pk").values_list("updated_at", flat=True))
        for model in HISTORY_MODELS
    }
    events = TenancyEvent.objects.count()
    report = load(SAMPLES)
    assert report.status == LoadStatus.COMPLETED
    assert all(counts["created"] == counts["updated"] == 0 for counts in report.counts.values()), report.counts
    assert report.counts["tenancies"]["unchanged"] == 8
    assert report.warnings.count == 0
    assert snapshot() == before
    assert history_counts() == history  # no history rows: nothing was saved
    assert Transaction.objects.count() == ledger and TenancyEvent.objects.count() == events
    assert stamps == {
        model.__name__: list(model.objects.order_by("pk").values_list("updated_at", flat=True))
        for model in HISTORY_MODELS
    }


@pytest.mark.parametrize(
    "writer", ["copy", "copy, keys and indexes once", "orm"], ids=["COPY", "COPY, go-live", "ORM (SQLite's path)"]
)
def test_the_set_based_first_load_writes_what_the_services_write(monkeypatch, writer):
    if writer != "orm" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite loads with the ORM writer")
    keys_once = writer == "copy, keys and indexes once"
    if keys_once:  # a go-live load of many rows drops and re-adds the foreign keys and indexes of the tables it fills
        monkeypatch.setattr("lifecycle.onboarding.load.INITIAL_LOAD_FROM", 1)
    if writer == "orm":  # the writer used on SQLite: bulk_create and simple-history's bulk history writer
        monkeypatch.setattr("lifecycle.onboarding.bulk.POSTGRES", "not this database")
    keys, indexes = _foreign_keys(), _indexes()
    with transaction.atomic():
        report = load(SAMPLES, bulk=True)
        assert report.bulk
        assert ("keys checked and indexes built" in report.stage_seconds) is keys_once
        assert (_foreign_keys(), _indexes()) == (keys, indexes)
        bulk = snapshot()
        bulk_history = history_counts()
        transaction.set_rollback(True)
    assert Tenancy.objects.count() == 0
    report = load(SAMPLES, bulk=False)
    assert not report.bulk
    assert snapshot() == bulk
    # The services write one history row per record made (the sign-up saves a tenancy again when it sets up its
    # direct debit, and ending saves it again: two tenancies have one more).
    services_history = history_counts()
    assert {name: services_history[name] - count for name, count in bulk_history.items()} == {
        **{name: 0 for name in bulk_history},
        "Tenancy": 2,
    }


def test_a_dry_run_checks_everything_and_writes_nothing():
    report = load(SAMPLES, dry_run=True)
    assert report.status == LoadStatus.CHECKED
    assert report.counts["tenancies"]["created"] == 8
    assert report.opening_balances_posted == 6
    for model in (*HISTORY_MODELS, TenancyTenant, Account, Transaction, TenancyEvent, RentFreeWeek):
        assert not model.objects.exists(), model.__name__
    assert all(model.history.count() == 0 for model in HISTORY_MODELS)


def test_the_command_prints_json_that_parses_and_reconcile_balances_finds_no_difference():
    out = StringIO()
    call_command("import_tenancies", str(SAMPLES), "--json", "--no-re-review", stdout=out)
    report = json.loads(out.getvalue())
    assert report["status"] == "completed"
    assert report["error_count"] == 0
    assert report["counts"]["opening_balances"] == {"created": 8, "updated": 0, "unchanged": 0}
    assert report["opening_balances"] == {"posted": 6, "posted_total": "2211.88", "total_in_files": "2211.88"}
    out = StringIO()
    call_command("import_tenancies", str(SAMPLES), "--dry-run", "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert again["status"] == "checked" and again["counts"]["tenancies"]["unchanged"] == 8
    out = StringIO()
    call_command("reconcile_balances", "--json", stdout=out)
    assert json.loads(out.getvalue())["differences"] == 0


def test_a_zip_of_the_files_loads_like_the_folder(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "extract"), "zip", SAMPLES)
    report = load(archive)
    assert report.status == LoadStatus.COMPLETED
    assert Tenancy.objects.count() == 8
    assert Account.objects.filter(kind=AccountKind.RENT).count() == 8


def test_an_upload_is_kept_and_processed_by_the_background_job_with_its_report(tmp_path):
    from incomeapp.constants import Role
    from lifecycle.models import TenancyLoad
    from lifecycle.onboarding.services import tenancy_load_create, tenancy_load_process
    from tests.factories import user_with_role

    manager = user_with_role(Role.INCOME_MANAGER)
    archive = Path(shutil.make_archive(str(tmp_path / "extract"), "zip", SAMPLES))
    load_record = tenancy_load_create(by=manager, file_name="extract.zip", content=archive.read_bytes())
    assert load_record.status == LoadStatus.QUEUED
    done = tenancy_load_process(load_id=load_record.pk, re_review=False)
    assert (done.status, done.rows_read, done.rows_done) == (LoadStatus.COMPLETED, 77, 77)
    assert done.report["counts"]["tenancies"]["created"] == 8
    assert done.finished_at is not None
    assert Tenancy.objects.count() == 8
    # The history names the manager who uploaded the files.
    assert Tenancy.history.filter(history_user=manager, history_type="+").count() == 8
    # Processing it again leaves it as it is.
    assert tenancy_load_process(load_id=load_record.pk).report == done.report
    assert TenancyLoad.objects.count() == 1


def test_a_refused_upload_keeps_its_errors_and_loads_nothing(tmp_path):
    from incomeapp.constants import Role
    from lifecycle.onboarding.services import tenancy_load_create, tenancy_load_process
    from tests.factories import user_with_role

    folder = samples_copy(tmp_path)
    csv_edit(folder, "charges.csv", "T5002,rent,128.40", "T5002,rent,128.405")
    content = (folder / "charges.csv").read_bytes()
    manager = user_with_role(Role.INCOME_MANAGER)
    load_record = tenancy_load_create(by=manager, file_name="charges.csv", content=content)
    done = tenancy_load_process(load_id=load_record.pk, re_review=False)
    assert done.status == LoadStatus.REFUSED
    assert done.error.startswith("charges.csv, line 4, column C (amount):")
    assert done.report["errors"][0]["line"] == 4
    assert not Tenancy.objects.exists()


def test_the_command_keeps_a_record_of_each_load_but_not_of_a_dry_run():
    from lifecycle.models import TenancyLoad

    call_command("import_tenancies", str(SAMPLES), "--dry-run", stdout=StringIO())
    assert not TenancyLoad.objects.exists()
    call_command("import_tenancies", str(SAMPLES), "--no-re-review", stdout=StringIO())
    record = TenancyLoad.objects.get()
    assert (record.status, record.file_name, record.rows_read) == (LoadStatus.COMPLETED, str(SAMPLES), 77)
    assert len(record.sha256) == 64


def test_a_provider_made_in_rentwise_first_is_taken_as_the_files_row():
    from tests.factories import ProviderFactory

    provider = ProviderFactory(name="Riverside Homes")
    assert provider.source_reference == ""
    report = load(SAMPLES, dry_run=True)
    assert report.counts["providers"] == {"created": 0, "updated": 1, "unchanged": 0}
    load(SAMPLES)
    provider.refresh_from_db()
    assert provider.source_reference == "PRV1" and Provider.objects.count() == 1
    assert provider.history.latest().history_change_reason == "Data load from the housing management system"


def test_a_tenancy_signed_up_in_rentwise_first_is_matched_by_its_payment_reference(tmp_path):
    from tests.factories import TenancyFactory

    load(SAMPLES)
    hostel = Property.objects.get(source_reference="H005")
    signed_up = TenancyFactory(property=hostel, payment_reference="10045099", start_date=date(2026, 10, 5))
    folder = samples_copy(tmp_path)
    csv_append(folder, "tenancies.csv", "T5099,10045099,H005,ASSURED,,2026-10-05,,,,weekly,bank_transfer")
    csv_append(folder, "charges.csv", "T5099,rent,100.00,2026-10-05,")
    report = load(folder)
    assert report.status == LoadStatus.COMPLETED, [str(e) for e in report.errors.items]
    assert report.counts["tenancies"] == {"created": 0, "updated": 1, "unchanged": 8}
    assert report.counts["charges"]["unchanged"] == 15
    signed_up.refresh_from_db()
    assert signed_up.source_reference == "T5099"
    assert Tenancy.objects.count() == 9


def test_each_file_on_its_own_loads_and_a_sync_of_one_file_changes_only_what_it_holds():
    from lifecycle.onboarding.formats import SPECS

    for spec in SPECS[:7]:  # homes and people may come one file at a time, in order
        report = load(SAMPLES / spec.file_name)
        assert report.status == LoadStatus.COMPLETED, (spec.file_name, [str(e) for e in report.errors.items])
    assert Person.objects.count() == 9 and Property.objects.count() == 8 and not Tenancy.objects.exists()
    load(SAMPLES)
    before, history = snapshot(), history_counts()
    for spec in SPECS:
        report = load(SAMPLES / spec.file_name)
        assert report.status == LoadStatus.COMPLETED, (spec.file_name, [str(e) for e in report.errors.items])
        assert report.counts[spec.kind]["created"] == report.counts[spec.kind]["updated"] == 0, spec.kind
    assert snapshot() == before and history_counts() == history
