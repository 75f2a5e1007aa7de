"""The data load pages: a manager uploads the onboarding files, checks them, loads them and reads the report; a file
with one bad row loads nothing and names the file, line and column; nobody else may."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incomeapp.constants import Role
from lifecycle.constants import LoadStatus
from lifecycle.models import TenancyLoad
from tenancies.models import Person, Property, Tenancy
from tests.factories import user_with_role
from tests.lifecycle.test_onboarding_load import SAMPLES

pytestmark = pytest.mark.django_db


def samples_zip(
    edits: dict[str, tuple[str, str]] | None = None, extra: dict[str, str] | None = None, folder: str = "onboarding/"
) -> bytes:
    """The sample set as a zip, in `folder` ("" for the zip's top level), with any (old, new) text replaced in the
    named files and any extra rows added at their end."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(SAMPLES.glob("*.csv")):
            text = path.read_text()
            if edits and path.name in edits:
                old, new = edits[path.name]
                assert old in text
                text = text.replace(old, new, 1)
            text += (extra or {}).get(path.name, "")
            archive.writestr(f"{folder}{path.name}", text)
    return buffer.getvalue()


def upload(client, content: bytes, mode: str, name: str = "onboarding.zip"):
    return client.post(reverse("lifecycle:loads"), {"files": SimpleUploadedFile(name, content), "mode": mode})


def run(client, capture, post):
    """Posts, lets the background job run (eagerly, once the request's transaction commits), then opens the page
    the post redirected to, with its message."""
    with capture(execute=True):
        response = post()
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response.url), response.url


@pytest.fixture
def manager(client):
    user = user_with_role(Role.INCOME_MANAGER)
    client.force_login(user)
    return user


def test_only_those_who_may_load_see_the_pages(client):
    checked = TenancyLoad.objects.create(
        file_name="a.zip", sha256="0" * 64, content=b"x", dry_run=True, status=LoadStatus.CHECKED
    )
    pages = [reverse("lifecycle:loads"), reverse("lifecycle:load_detail", args=[checked.pk])]
    for role in (Role.INCOME_OFFICER, Role.SENIOR_INCOME_OFFICER, Role.SUPPORT_WORKER):
        client.force_login(user_with_role(role))
        for url in pages:
            assert client.get(url).status_code == 403, (role, url)
        assert client.post(reverse("lifecycle:load_again", args=[checked.pk])).status_code == 403
        response = client.post(
            reverse("lifecycle:loads"), {"files": SimpleUploadedFile("a.zip", samples_zip()), "mode": "load"}
        )
        assert response.status_code == 403
    assert TenancyLoad.objects.count() == 1


def test_the_list_sits_under_homes_and_offers_the_upload(client, manager):
    page = client.get(reverse("lifecycle:loads")).content.decode()
    assert 'aria-current="page">Data loads</a>' in page
    assert "Check only (dry run)" in page and 'name="files"' in page
    assert "tenancies.csv" in page  # the files it takes
    assert "No files have been uploaded yet." in page


def test_a_check_loads_nothing_then_the_same_files_load(client, manager, django_capture_on_commit_callbacks):
    response, url = run(client, django_capture_on_commit_callbacks, lambda: upload(client, samples_zip(), "check"))
    check = TenancyLoad.objects.get()
    assert url == reverse("lifecycle:load_detail", args=[check.pk])
    assert (check.status, check.dry_run, check.uploaded_by) == (LoadStatus.CHECKED, True, manager)
    assert Tenancy.objects.count() == Person.objects.count() == Property.objects.count() == 0
    page = response.content.decode()
    assert "onboarding.zip was uploaded and a check of every row started (nothing will be loaded)" in page
    assert "No errors found. Nothing was loaded: this was a check." in page
    assert "What loading would do, file by file" in page
    # The sample set: 8 tenancies, 9 people, 8 homes, all new.
    assert _file_row(page, "tenancies.csv") == ["8", "8", "0", "0"]
    assert _file_row(page, "people.csv") == ["9", "9", "0", "0"]
    assert _file_row(page, "All files") == ["77", "77", "0", "0"]
    assert "Load these files" in page

    response, _ = run(
        client,
        django_capture_on_commit_callbacks,
        lambda: client.post(reverse("lifecycle:load_again", args=[check.pk])),
    )
    load = TenancyLoad.objects.exclude(pk=check.pk).get()
    assert (load.status, load.dry_run, load.sha256) == (LoadStatus.COMPLETED, False, check.sha256)
    assert Tenancy.objects.count() == 8 and Person.objects.count() == 9 and Property.objects.count() == 8
    page = response.content.decode()
    assert "a load started: every row is checked first" in page
    assert '<h2 class="govuk-panel__title">Loaded</h2>' in page
    assert _file_row(page, "tenancies.csv") == ["8", "8", "0", "0"]
    assert load.rows_done == load.rows_read > 0

    # The check now points at the load rather than offering it again; the list shows both, who and what.
    page = client.get(reverse("lifecycle:load_detail", args=[check.pk])).content.decode()
    assert "Load these files" not in page and "These files have since been loaded" in page
    page = client.get(reverse("lifecycle:loads")).content.decode()
    assert page.count(str(manager)) >= 2 and "Check only" in page and "Loaded" in page

    # The same files again: every row unchanged, nothing new.
    response, _ = run(client, django_capture_on_commit_callbacks, lambda: upload(client, samples_zip(), "load"))
    assert _file_row(response.content.decode(), "tenancies.csv") == ["8", "0", "0", "8"]
    assert Tenancy.objects.count() == 8


def test_a_file_with_one_bad_row_loads_nothing_and_names_the_row(client, manager, django_capture_on_commit_callbacks):
    bad = samples_zip(
        {"tenancies.csv": ("T5002,10045002,H002,ASSURED,,2019-09-02", "T5002,10045002,H002,ASSURED,,2019-09-31")}
    )
    response, _ = run(client, django_capture_on_commit_callbacks, lambda: upload(client, bad, "load"))
    load = TenancyLoad.objects.get()
    assert load.status == LoadStatus.REFUSED
    assert Tenancy.objects.count() == Person.objects.count() == Property.objects.count() == 0
    page = response.content.decode()
    assert "Nothing was loaded: 1 error found" in page
    errors = load.report["errors"]
    assert len(errors) == 1
    assert (errors[0]["file"], errors[0]["line"], errors[0]["column"]) == ("tenancies.csv", 3, "start_date")
    row = _error_row(page)
    assert row[:4] == ["tenancies.csv", "3", f"{errors[0]['column_letter']} (start_date)", "2019-09-31"]
    assert "is not a date" in row[4]
    assert "What loading would do" not in page and "Load these files" not in page
    # A refused load cannot be loaded from its page.
    response = client.post(reverse("lifecycle:load_again", args=[load.pk]), follow=True)
    assert "Only files whose check found no error can be loaded" in response.content.decode()
    assert TenancyLoad.objects.count() == 1


def test_the_form_says_what_is_wrong(client, manager):
    response = client.post(reverse("lifecycle:loads"), {"mode": "load"})
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Choose the zip of your onboarding files, or one CSV file" in page
    response = client.post(reverse("lifecycle:loads"), {"files": SimpleUploadedFile("notes.txt", b"hello")})
    page = response.content.decode()
    assert "Choose a .zip file of the onboarding CSV files, or one .csv file." in page
    assert "Choose whether to check the files only or to load them" in page
    # A CSV whose name says nothing of what it holds is refused before anything is kept (the engine says why).
    response = upload(client, b"a,b\n1,2\n", "check", name="export.csv")
    assert "govuk-error-summary" in response.content.decode()
    assert TenancyLoad.objects.count() == 0


def test_a_running_load_shows_its_progress(client, manager):
    load = TenancyLoad.objects.create(
        file_name="big.zip",
        sha256="1" * 64,
        content=b"x",
        status=LoadStatus.CHECKING,
        rows_read=200,
        rows_done=50,
        uploaded_by=manager,
    )
    page = client.get(reverse("lifecycle:load_detail", args=[load.pk])).content.decode()
    assert "Checking every row: 50 of 200 rows (25%)." in page
    assert '<progress max="100" value="25"' in page
    assert "Check progress" in page and "http-equiv" not in page


def test_a_failed_load_says_nothing_was_loaded(client, manager):
    load = TenancyLoad.objects.create(
        file_name="x.zip",
        sha256="2" * 64,
        content=b"x",
        status=LoadStatus.FAILED,
        error="The load stopped: the database went away. Nothing was loaded.",
    )
    page = client.get(reverse("lifecycle:load_detail", args=[load.pk])).content.decode()
    assert "The load stopped: nothing was loaded" in page and "the database went away" in page


# ---- reading the rendered tables ---------------------------------------------------------------------------------


def _cells(row_html: str) -> list[str]:
    import re

    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)]


def _file_row(page: str, file_name: str) -> list[str]:
    """The figures (rows, created, updated, unchanged) of one file in the report's table."""
    import re

    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S):
        cells = _cells(row)
        if cells and cells[0] == file_name:
            return cells[1:]
    raise AssertionError(f"{file_name} is not in the report")


def _error_row(page: str) -> list[str]:
    import re

    section = page[page.index('id="errors"') :]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", section, re.S)
    return _cells(rows[1])  # the first is the header
