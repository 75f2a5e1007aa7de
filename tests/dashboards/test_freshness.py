"""Every dashboard page says which week its figures cover and when they were built; it warns when the latest full
arrears review finished after that, and an Income Manager's "Rebuild now" runs the weekly snapshot task (Celery, eager
in tests as everywhere here) and the page then shows the new figures. Drill-downs name officers and open the case."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from arrears.models import ArrearsCase, ReviewRun
from dashboards.models import KpiRebuild, KpiWeek
from dashboards.services import kpi_rebuild_request, kpi_snapshot_take, last_sunday
from incomeapp.constants import Role
from incomeapp.dates import govuk_time
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SUNDAY = date(2026, 11, 29)
STALE = "These figures are older than the latest arrears review"


def _review_finished_now() -> ReviewRun:
    return ReviewRun.objects.create(as_of=SUNDAY + timedelta(days=1), status="completed", finished_at=timezone.now())


def test_a_fresh_snapshot_says_its_week_and_when_it_was_built_with_no_warning(client, estate):
    kpi_snapshot_take(week_ending=SUNDAY)  # after the estate's review
    built = timezone.localtime(KpiWeek.objects.get(week_ending=SUNDAY).taken_at)
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    for url in ("/dashboards/", "/dashboards/drill/current_arrears_pct/", "/dashboards/exceptions/"):
        html = client.get(url).content.decode()
        assert f"Figures for the week ending 29 November 2026, built {built:%-d %B %Y} at {govuk_time(built)}." in html
        assert STALE not in html and "Rebuild now" not in html


def test_a_snapshot_older_than_the_latest_review_warns_and_only_a_manager_may_rebuild(client, estate):
    kpi_snapshot_take(week_ending=SUNDAY)
    _review_finished_now()
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    html = client.get("/dashboards/").content.decode()
    assert STALE in html and "(as at 30 November 2026, finished" in html
    assert "govuk-warning-text" in html and "Rebuild now" in html
    client.force_login(user_with_role(Role.SENIOR_INCOME_OFFICER))
    html = client.get("/dashboards/drill/current_arrears_pct/").content.decode()
    assert STALE in html and "Ask an Income Manager to rebuild them." in html and "Rebuild now" not in html
    assert client.post("/dashboards/rebuild/").status_code == 403
    assert not KpiRebuild.objects.exists()
    with pytest.raises(PermissionDenied):
        kpi_rebuild_request(requested_by=user_with_role(Role.SENIOR_INCOME_OFFICER))
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert client.post("/dashboards/rebuild/").status_code == 403


def test_rebuild_now_runs_the_snapshot_task_and_the_page_then_shows_fresh_figures(
    client, estate, django_capture_on_commit_callbacks
):
    week = last_sunday()
    kpi_snapshot_take(week_ending=week)
    review = _review_finished_now()
    manager = user_with_role(Role.INCOME_MANAGER)
    client.force_login(manager)
    assert STALE in client.get("/dashboards/").content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/dashboards/rebuild/")
    assert response.status_code == 302 and response["Location"] == "/dashboards/"
    assert len(callbacks) == 1  # the task is handed over once the request commits
    rebuild = KpiRebuild.objects.get()
    assert (rebuild.requested_by, rebuild.week_ending, rebuild.error) == (manager, week, "")
    assert rebuild.finished_at is not None  # the task ran (eagerly) and marked it done
    assert KpiWeek.objects.get(week_ending=week).taken_at > review.finished_at
    html = client.get("/dashboards/").content.decode()
    assert f"Rebuilding the figures for the week ending {week:%-d %B %Y} has started." in html
    assert STALE not in html and "Rebuild now" not in html
    # htmx polling the finished rebuild is told to reload the page, which then says it was rebuilt.
    status = client.get(f"/dashboards/rebuild/{rebuild.pk}/", headers={"HX-Request": "true"})
    assert status["HX-Refresh"] == "true"
    assert (
        f"The figures for the week ending {week:%-d %B %Y} were rebuilt." in client.get("/dashboards/").content.decode()
    )


def test_while_a_rebuild_runs_the_page_says_so_polls_and_a_second_is_refused(client, estate):
    kpi_snapshot_take(week_ending=SUNDAY)
    _review_finished_now()
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Dawn", last_name="Burns")
    client.force_login(manager)
    running = KpiRebuild.objects.create(requested_by=manager, week_ending=last_sunday())
    html = client.get("/dashboards/").content.decode()
    assert "are being rebuilt" in html and "by Dawn Burns" in html
    assert f'hx-get="/dashboards/rebuild/{running.pk}/"' in html and "refresh the page" in html
    assert "Rebuild now" not in html
    status = client.get(f"/dashboards/rebuild/{running.pk}/", headers={"HX-Request": "true"})
    assert "are being rebuilt" in status.content.decode() and "HX-Refresh" not in status
    response = client.post("/dashboards/rebuild/", follow=True)
    assert "The figures are already being rebuilt (asked for by Dawn Burns)" in response.content.decode()
    assert KpiRebuild.objects.count() == 1
    # One the worker lost (never finished, long past the task's time limit) no longer blocks a new one.
    KpiRebuild.objects.filter(pk=running.pk).update(requested_at=timezone.now() - timedelta(hours=1))
    assert "Rebuild now" in client.get("/dashboards/").content.decode()


def test_drill_down_names_the_officer_links_each_row_to_its_case_and_gives_units(client, estate):
    officer = estate["officer"]
    officer.first_name, officer.last_name = "Olivia", "Okafor"
    officer.save()
    kpi_snapshot_take(week_ending=SUNDAY)
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    html = client.get("/dashboards/drill/current_arrears_pct/").content.decode()
    assert 'href="/worklist/tenancies/RWK00002/case/">RWK00002</a>' in html  # it redirects to the case
    assert 'href="/tenancies/RWK00001/account/">RWK00001</a><br><span class="govuk-body-s">No arrears case' in html
    case = ArrearsCase.objects.get(account__tenancy__payment_reference="RWK00002")
    assert client.get("/worklist/tenancies/RWK00002/case/")["Location"] == f"/worklist/cases/{case.pk}/"
    assert "Olivia Okafor" in html and f">{officer.username}<" not in html
    assert "9.6 weeks of rent and all charges<br>" in html and "£960.00 in arrears" in html and "£100.00 a week" in html
    by_officer = client.get("/dashboards/drill/current_arrears_pct/", {"by": "officer", "group": officer.username})
    assert "Olivia Okafor" in by_officer.content.decode()
    page = client.get("/dashboards/", {"kpi": "current_arrears_pct", "by": "officer"}).content.decode()
    assert "Olivia Okafor" in page


def test_every_figure_has_its_unit_and_the_quarterly_return_is_a_table_below_the_headlines(client, estate):
    kpi_snapshot_take(week_ending=SUNDAY - timedelta(weeks=1))
    kpi_snapshot_take(week_ending=SUNDAY)
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    html = client.get("/dashboards/").content.decode()
    assert "Target at most 3.00%" in html and "last week 11.60%" in html  # a percentage, and last week's too
    assert '29 November 2026</td><td class="govuk-table__cell govuk-table__cell--numeric">13.04%</td>' in html
    assert html.index("Headline figures") < html.index("Quarterly return for the quarter ending 30 September 2026")
    assert "Download the quarterly return for the quarter ending 30 September 2026 (CSV)" in html
    assert 'href="/dashboards/quarterly-return.csv?quarter_end=2026-09-30"' in html
    june = client.get("/dashboards/", {"quarter_end": "2026-06-30"}).content.decode()
    assert "Quarterly return for the quarter ending 30 June 2026" in june
    csv_text = client.get("/dashboards/quarterly-return.csv", {"quarter_end": "2026-09-30"}).content.decode()
    assert csv_text.splitlines()[1].startswith("2026-09-30,Current tenant arrears,")


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [(6, 2, "6:02am"), (0, 0, "midnight"), (12, 0, "midday"), (16, 30, "4:30pm"), (17, 0, "5pm"), (12, 15, "12:15pm")],
)
def test_times_are_written_the_gov_uk_way(hour, minute, said):
    winter = datetime(2026, 12, 1, hour, minute, tzinfo=UTC)  # London is on GMT in December
    assert govuk_time(winter) == said
