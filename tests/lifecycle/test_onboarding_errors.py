"""Every row is checked first: one bad row and nothing at all is loaded, and the error names the file, the line, the
column and what is wrong, in plain English."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from incomeapp.constants import Role
from lifecycle.constants import LoadStatus
from rentaccounts.models import Account, Transaction
from tenancies.models import Patch, Person, Property, Provider, Scheme, Tenancy
from tests.factories import UserFactory, user_with_role
from tests.lifecycle.test_onboarding_load import SAMPLES, csv_append, csv_edit, load, samples_copy

pytestmark = pytest.mark.django_db


def _nothing_loaded() -> None:
    for model in (Provider, Scheme, Patch, Property, Person, Tenancy, Account, Transaction):
        assert not model.objects.exists(), f"{model.__name__} rows were written"


def test_one_bad_row_loads_nothing_and_names_the_file_line_and_column(tmp_path):
    folder = samples_copy(tmp_path)
    csv_edit(folder, "people.csv", "P103,Mr,Daniel,Okafor,1990-01-30", "P103,Mr,Daniel,Okafor,31/02/1990")
    out = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_tenancies", str(folder), stdout=out)
    assert "people.csv, line 5, column E (date_of_birth): '31/02/1990' is not a date" in out.getvalue()
    _nothing_loaded()

    report = load(folder)
    assert report.status == LoadStatus.REFUSED
    [error] = report.errors.items
    assert (error.file, error.line, error.column, error.column_letter, error.value) == (
        "people.csv",
        5,
        "date_of_birth",
        "E",
        "31/02/1990",
    )
    assert "YYYY-MM-DD" in error.message
    _nothing_loaded()


CASES = {
    "licence without its basis": (
        ("tenancies.csv", "H006,LICENCE,support_linked", "H006,LICENCE,"),
        ("tenancies.csv", 7, "licence_basis", "why it is a licence and not a tenancy"),
    ),
    "two tenancies of one home at once": (
        ("tenancies.csv", "T5005,10045005,H004,AST,,2026-09-07", "T5005,10045005,H004,AST,,2026-08-01"),
        ("tenancies.csv", 6, "start_date", "is still running (to 30 August 2026)"),
    ),
    "a tenancy with no end on a home let again": (
        ("tenancies.csv", "2011-04-04,2026-08-30,tenants_notice", "2011-04-04,,"),
        ("tenancies.csv", 6, "start_date", "(no end date)"),
    ),
    "the same person twice": (
        ("people.csv", None, "P100,Mr,Sam,Hassan,1990-01-01,,,letter,,English,,"),
        ("people.csv", 11, "source_reference", "also on line 2"),
    ),
    "a named tenant who is nowhere": (
        ("tenants.csv", "T5003,P103,yes", "T5003,P999,yes"),
        ("tenants.csv", 5, "person_reference", "There is no person with the reference 'P999'"),
    ),
    "a tenancy without a lead tenant": (
        ("tenants.csv", "T5002,P101,yes", "T5002,P101,no"),
        ("tenants.csv", 3, "is_lead", "has no lead tenant"),
    ),
    "a tenancy with two lead tenants": (
        ("tenants.csv", "T5002,P102,no", "T5002,P102,yes"),
        ("tenants.csv", 4, "is_lead", "already has a lead tenant (line 3)"),
    ),
    "fractions of a penny": (
        ("charges.csv", "T5002,rent,128.40", "T5002,rent,128.405"),
        ("charges.csv", 4, "amount", "fractions of a penny"),
    ),
    "a date the wrong way round": (
        ("opening_balances.csv", "T5002,256.80,2026-11-29", "T5002,256.80,11/29/2026"),
        ("opening_balances.csv", 3, "as_at", "is not a date"),
    ),
    "a balance dated before the tenancy": (
        ("opening_balances.csv", "T5005,220.20,2026-11-29", "T5005,220.20,2026-09-01"),
        ("opening_balances.csv", 6, "as_at", "before the tenancy started"),
    ),
    "a column the file does not take": (
        ("patches.csv", "source_reference,name,officer", "source_reference,name,officer,colour"),
        ("patches.csv", 1, "colour", "is not a column of the patches.csv file"),
    ),
    "a required column missing": (
        (
            "schemes.csv",
            "source_reference,code,name,scheme_type,provider_reference",
            "source_reference,code,name,scheme_type",
        ),
        ("schemes.csv", 1, "provider_reference", "The column provider_reference is missing"),
    ),
    "a payment reference with a wrong check digit": (
        ("tenancies.csv", "T5008,10045008", "T5008,RW00000019"),
        ("tenancies.csv", 9, "payment_reference", "check digit"),
    ),
    "a payment reference used twice": (
        ("tenancies.csv", "T5008,10045008", "T5008,10045007"),
        ("tenancies.csv", 9, "payment_reference", "also on line 8"),
    ),
    "an active direct debit on a tenancy paying another way": (
        ("tenancies.csv", "2015-06-01,,,,weekly,direct_debit", "2015-06-01,,,,weekly,bank_transfer"),
        ("tenancies.csv", 2, "payment_method", "has an active direct debit"),
    ),
    "a tenancy with no charge": (
        ("charges.csv", "T5008,rent,95.00,2026-04-06,\nT5008,support,40.00,2026-04-06,no\n", ""),
        ("tenancies.csv", 9, "source_reference", "has no charge above 0.00"),
    ),
    "a value with an unquoted comma": (
        (
            "people.csv",
            "P105,Mr,Kamil,Nowak,1975-05-05,,,letter,,Polish,interpreter,",
            "P105,Mr,Kamil,Nowak,1975-05-05,,,letter,,Polish,interpreter,,Flat 2, Mill House",
        ),
        ("people.csv", 7, "", "unquoted comma"),
    ),
    "a tenure nobody knows": (
        ("tenancies.csv", "H002,ASSURED", "H002,ASURED"),
        ("tenancies.csv", 3, "tenure_type", "'ASURED' is not one of the values"),
    ),
    "a home in a scheme that is nowhere": (
        ("properties.csv", "Bristol,BS4 2DF,SCH-GN", "Bristol,BS4 2DF,SCH-XX"),
        ("properties.csv", 9, "scheme_reference", "There is no scheme with the reference 'SCH-XX'"),
    ),
    "a postcode that is not one": (
        ("properties.csv", "Bristol,BS4 2DF", "Bristol,BS4 2DFF"),
        ("properties.csv", 9, "postcode", "is not a postcode"),
    ),
    "a rent-free week that is not a Monday": (
        ("rent_free_weeks.csv", "SCH-GN,2026-12-28", "SCH-GN,2026-12-29"),
        ("rent_free_weeks.csv", 3, "week_commencing", "is a Tuesday"),
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_each_kind_of_bad_row_is_named_and_nothing_is_loaded(tmp_path, case):
    (name, old, new), (file, line, column, words) = CASES[case]
    folder = samples_copy(tmp_path)
    if old is None:
        csv_append(folder, name, new)
    else:
        csv_edit(folder, name, old, new)
    report = load(folder)
    assert report.status == LoadStatus.REFUSED
    found = [(e.file, e.line, e.column) for e in report.errors.items]
    assert (file, line, column) in found, [str(e) for e in report.errors.items]
    error = next(e for e in report.errors.items if (e.file, e.line, e.column) == (file, line, column))
    assert words in error.message, error.message
    _nothing_loaded()


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    folder = samples_copy(tmp_path)
    path = folder / "people.csv"
    path.write_bytes(path.read_bytes().replace(b"Nowak", "Nowák".encode("latin-1")))
    report = load(folder)
    [error] = report.errors.items
    assert (error.file, error.line) == ("people.csv", 7)
    assert "UTF-8" in error.message
    _nothing_loaded()


def test_a_file_with_a_name_nobody_knows_is_refused(tmp_path):
    folder = samples_copy(tmp_path)
    (folder / "arrears.csv").write_text("a,b\n1,2\n")
    report = load(folder)
    assert any("is not one of the onboarding files" in e.message for e in report.errors.items)
    _nothing_loaded()


def test_a_refusal_by_a_service_half_way_through_rolls_everything_back(tmp_path):
    """The officer exists, so the files check out; but only someone with the arrears worklist can work a patch, and
    the patch service says so while the providers and schemes are already written: they are rolled back too."""
    user_with_role(Role.INCOME_OFFICER, username="officer.north")
    UserFactory(username="viewer")
    folder = samples_copy(tmp_path)
    csv_edit(folder, "patches.csv", "P-SOUTH,South Bristol,", "P-SOUTH,South Bristol,viewer")
    csv_edit(folder, "patches.csv", "P-NORTH,North Bristol,", "P-NORTH,North Bristol,officer.north")
    report = load(folder)
    assert report.status == LoadStatus.REFUSED
    [error] = report.errors.items
    assert (error.file, error.line, error.column) == ("patches.csv", 3, "officer")
    assert "cannot work a patch" in error.message
    _nothing_loaded()


def test_the_samples_have_no_errors():
    assert load(SAMPLES, dry_run=True).errors.count == 0


def test_a_phone_number_the_people_service_would_refuse_is_named_first(tmp_path):
    folder = samples_copy(tmp_path)
    csv_edit(folder, "people.csv", "07700 900104", "0770 09")
    report = load(folder)
    [error] = report.errors.items
    assert (error.file, error.line, error.column) == ("people.csv", 6, "phone")
    assert "10 or 11 digits" in error.message
    _nothing_loaded()


def _people_with_mobiles(folder, values: dict[str, str]) -> None:
    """people.csv with `mobile` and `texts_allowed` columns: `values` maps a source reference to "mobile,yes|no"."""
    path = folder / "people.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",mobile,texts_allowed"
    lines[1:] = [line + "," + values.get(line.split(",", 1)[0], ",") for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")


def test_a_mobile_number_and_consent_to_texts_are_loaded_in_one_form(tmp_path):
    folder = samples_copy(tmp_path)
    _people_with_mobiles(folder, {"P100": "07700 900101,yes", "P101": "+44 7700 900102,no"})
    assert load(folder).status == LoadStatus.COMPLETED
    amina, tom = Person.objects.get(source_reference="P100"), Person.objects.get(source_reference="P101")
    assert (amina.mobile, amina.texts_allowed) == ("+447700900101", True)
    assert (tom.mobile, tom.texts_allowed, tom.emails_allowed) == ("+447700900102", False, False)


def test_a_mobile_number_that_is_not_a_uk_mobile_is_named_and_nothing_is_loaded(tmp_path):
    folder = samples_copy(tmp_path)
    _people_with_mobiles(folder, {"P101": "0117 496 0123,yes"})
    report = load(folder)
    assert report.status == LoadStatus.REFUSED
    [error] = report.errors.items
    assert (error.file, error.line, error.column) == ("people.csv", 3, "mobile")
    assert "not a UK mobile number" in error.message
    _nothing_loaded()
