"""`make bench`: the performance targets of the issues, measured on a generated PostgreSQL dataset.

Lives in `devtools`, the top layer, so it may measure every capability below it. Timings are wall-clock on this
machine; record medians in docs/benchmarks.md. Never assert timings in tests.
"""

import json
import random
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min, Value
from django.db.models.functions import Mod
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arrears.receivers import re_review_after_import
from devtools import bench_documents, bench_messages, bench_onboarding, bench_raw
from devtools.bench_rows import p95, seconds_each, timings_row
from devtools.dataset import DATASET_PROVIDER, long_history_tenancy_ensure
from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.roles import roles_setup
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.imports.services import import_batch_create, import_batch_process
from rentaccounts.models import Account, Transaction
from rentaccounts.services import rent_debits_post
from rentaccounts.signals import payments_imported
from tenancies.models import Provider, Tenancy

BENCHMARKS = (
    "rent",
    "import",
    "account",
    "review",
    "worklist",
    "letters",
    "statements",
    "dashboard",
    "onboarding",
    "messages",
)
# Sections that bring their own data: the generated dataset is not needed (nor made) for them alone.
OWN_DATA = {"onboarding", "messages"}


def _staff_signed_in(username: str, role: Role) -> tuple[User, Client]:
    roles_setup()
    user, _ = User.objects.get_or_create(username=username)
    user.groups.add(*Group.objects.filter(name=role.value))
    client = Client()
    client.force_login(user)
    return user, client


def _page_timed(client: Client, url: str, *, broken: str, name: str, target: str) -> dict:
    """The page at `url` opened 30 times, after one visit to warm the caches: its server time and queries. `broken`:
    the error when it does not answer 200, with `{status}` for what it answered."""
    client.get(url)  # warm caches
    times = []
    for _ in range(30):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise CommandError(broken.format(status=response.status_code))
    throughput = f"p95 {p95(times) * 1000:.0f} ms, {len(queries)} queries"
    return timings_row(name, times, throughput=throughput, target=target, ms=True)


class Command(BaseCommand):
    help = "Runs the benchmarks against the current (PostgreSQL) database, generating a dataset if it has none."

    def add_arguments(self, parser):
        parser.add_argument("--tenancies", type=int, default=250_000, help="Dataset size if one must be generated.")
        parser.add_argument("--years", type=int, default=2)
        parser.add_argument("--import-rows", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=3, help="Repetitions of the rent run and the import.")
        parser.add_argument("--letters", type=int, default=1000, help="Letters in each batch run through workers.")
        parser.add_argument("--memory-letters", type=int, default=10_000, help="Letters in the worker memory run.")
        parser.add_argument("--statements", type=int, default=1000, help="Accounts in the quarterly statement run.")
        parser.add_argument(
            "--onboarding-tenancies",
            type=int,
            default=250_000,
            help="Tenancies in the generated onboarding files (first load, nightly sync and plain COPY).",
        )
        parser.add_argument(
            "--only",
            default=",".join(BENCHMARKS),
            help=f"Comma-separated, from: {', '.join(BENCHMARKS)} (default: all).",
        )
        parser.add_argument("--messages", type=int, default=10_000, help="Campaign texts in the sending run.")
        parser.add_argument("--messages-rate", type=float, default=200.0, help="The provider's limit, a second.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Benchmarks run on PostgreSQL: set DATABASE_URL (make bench does).")
        chosen = [name.strip() for name in options["only"].split(",") if name.strip()]
        unknown = set(chosen) - set(BENCHMARKS)
        if unknown:
            raise CommandError(f"Unknown benchmark {', '.join(sorted(unknown))}: choose from {', '.join(BENCHMARKS)}.")
        if not set(chosen) <= OWN_DATA and not Provider.objects.filter(name=DATASET_PROVIDER).exists():
            call_command("generate_dataset", tenancies=options["tenancies"], years=options["years"], stdout=self.stdout)
        tenancies = Tenancy.objects.filter(payment_reference__startswith="DS").count()
        runs = {
            "rent": lambda: self._rent_run(tenancies, options["runs"]),
            "import": lambda: [self._payment_import(tenancies, options["import_rows"], options["runs"])],
            "account": lambda: [self._account_page()],
            "review": lambda: self._arrears_review(options["runs"]),
            "worklist": lambda: [self._worklist_page()],
            "letters": lambda: self._letters(options["letters"], options["memory_letters"]),
            "statements": lambda: bench_documents.statement_run(options["statements"]),
            "dashboard": lambda: self._dashboard(options["runs"]),
            "onboarding": lambda: bench_onboarding.run(options["onboarding_tenancies"]),
            "messages": lambda: bench_messages.run(options["messages"], options["messages_rate"]),
        }
        results = [row for name in chosen for row in runs[name]()]
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
            return
        self.stdout.write(f"\nDataset: {tenancies} tenancies. Machine: see docs/benchmarks.md.\n")
        header = (
            f"{'benchmark':<34} {'median':>10} {'best':>10} {'worst':>10} {'raw':>9} {'ratio':>6} {'throughput':>18}  "
            "target"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in results:
            self.stdout.write(
                f"{row['name']:<34} {row['median']:>10} {row['best']:>10} {row['worst']:>10} {row.get('raw', ''):>9} "
                f"{row.get('ratio', ''):>6} {row['throughput']:>18}  {row['target']}"
            )
        for row in results:
            if row.get("detail"):
                self.stdout.write(f"\n{row['name']}: {json.dumps(row['detail'], default=str)}")

    def _dashboard(self, runs: int) -> list[dict]:
        """The weekly KPI snapshot, the dashboard page from snapshots, and a drill-down to the cases behind a figure."""
        from dashboards.models import KpiAccountWeek, KpiSnapshot, KpiWeek
        from dashboards.services import kpi_snapshot_take, last_sunday

        week = last_sunday()
        started = time.perf_counter()
        kpi_snapshot_take(week_ending=week - timedelta(weeks=12))  # a quarter of history for the trend
        rebuild = time.perf_counter() - started
        for weeks_back in range(11, 0, -1):
            kpi_snapshot_take(week_ending=week - timedelta(weeks=weeks_back), from_previous_week=True)
        # The dataset was written before any snapshot; in use the week's rows are posted after the last one. So that
        # the measured week reads them as it would in use (the rows posted since), last week's snapshot is recorded
        # as having counted the ledger only up to the first row dated after it. Its stored sums do not change: no
        # row dated on or before its week comes after that one, the dataset being appended week by week.
        last_week = KpiWeek.objects.get(week_ending=week - timedelta(weeks=1))
        first_after = Transaction.objects.filter(effective_date__gt=last_week.week_ending).aggregate(first=Min("id"))
        if (
            first_after["first"]
            and not Transaction.objects.filter(
                id__gte=first_after["first"], effective_date__lte=last_week.week_ending
            ).exists()
        ):
            last_week.ledger_high_water = first_after["first"] - 1
            last_week.save(update_fields=["ledger_high_water"])
        posted_since = Transaction.objects.filter(id__gt=last_week.ledger_high_water).count()
        times = []
        for _ in range(runs):
            # As on a Monday: the week has no snapshot yet (a retake would also delete the old one's rows).
            for model in (KpiSnapshot, KpiAccountWeek, KpiWeek):
                model.objects.filter(week_ending=week).delete()
            self._kpi_tables_vacuum()
            started = time.perf_counter()
            rows = kpi_snapshot_take(week_ending=week, from_previous_week=True)
            times.append(time.perf_counter() - started)
        self._kpi_tables_vacuum()
        if KpiWeek.objects.get(week_ending=week).built_from != KpiWeek.BuiltFrom.PREVIOUS_WEEK:
            raise CommandError("The weekly snapshot was not built from the previous week.")
        _, client = _staff_signed_in("bench-manager", Role.INCOME_MANAGER)
        page = _page_timed(
            client,
            "/dashboards/",
            broken="The dashboard answered {status}.",
            name="dashboard page (from snapshots)",
            target="p95 <= 200 ms",
        )
        drill_times = seconds_each(3, lambda: client.get("/dashboards/drill/over_7_weeks_pct/"))
        return [
            timings_row(
                f"weekly KPI snapshot ({rows:,} figures), from the previous week",
                times,
                throughput=f"{posted_since:,} ledger rows posted since the previous week",
                target="<= 10 s",
            ),
            timings_row(
                "KPI snapshot rebuilt from the ledger alone (a past week)",
                [rebuild],
                throughput="one run",
                target="none (kpi_snapshot --week-ending)",
            ),
            page,
            timings_row(
                "drill-down to the cases behind a figure", drill_times, throughput="", target="<= 1 s", places=2
            ),
        ]

    @staticmethod
    def _kpi_tables_vacuum() -> None:
        """In use a week passes between snapshots and autovacuum tidies the rows a retaken week replaced; here the
        weeks are taken (and retaken) seconds apart, so tidy them before measuring, as a week would have."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dashboards_kpiaccountweek, dashboards_kpisnapshot")

    def _letters(self, letters: int, memory_letters: int) -> list[dict]:
        """Letters need open arrears cases: a dataset that has none is reviewed first (no letters are queued then:
        the shipped policy calls before its first letter)."""
        from arrears.models import ArrearsCase
        from arrears.review import review_run
        from arrears.services import policies_install_shipped

        if ArrearsCase.objects.filter(status="open").count() < max(letters, 1):
            policies_install_shipped()
            review_run(as_of=timezone.localdate())
        rows = [bench_documents.one_letter(100), *bench_documents.letter_batches(letters)]
        if memory_letters:
            rows.append(bench_documents.letter_memory(memory_letters))
        return rows

    def _rent_run(self, tenancies: int, runs: int) -> list[dict]:
        latest = Transaction.objects.filter(transaction_type=TransactionType.RENT_DEBIT).aggregate(
            latest=Max("effective_date")
        )["latest"]
        week = latest + timedelta(days=7 - latest.weekday())
        times, raw, repeats, posted, again = [], [], [], 0, 0
        for _ in range(runs):
            started = time.perf_counter()
            run = rent_debits_post(week_commencing=week)
            times.append(time.perf_counter() - started)
            posted = run.posted_count
            raw.append(bench_raw.ledger_insert_select(rent_run_id=run.pk, week_commencing=week))
            started = time.perf_counter()
            again = rent_debits_post(week_commencing=week).posted_count
            repeats.append(time.perf_counter() - started)
            week += timedelta(days=7)
        return [
            timings_row(
                f"rent run, all tenancies ({posted:,} lines)",
                times,
                throughput=f"{posted / statistics.median(times):,.0f} lines/s",
                target="<= 10 s (goal 5 s); <= 2x INSERT ... SELECT of the same lines",
                raw=raw,
            ),
            timings_row(
                f"rent run, a week already posted (posted {again})",
                repeats,
                throughput="",
                target="<= 1 s (goal 0.1 s)",
                places=2,
            ),
        ]

    def _payment_import(self, tenancies: int, rows: int, runs: int) -> dict:
        references = list(
            Tenancy.objects.filter(payment_reference__startswith="DS").values_list("payment_reference", flat=True)
        )
        rent_accounts = list(Account.objects.filter(kind=AccountKind.RENT).values_list("id", flat=True))
        rng = random.Random(7)
        today = timezone.localdate().strftime("%d/%m/%Y")
        rates, raw = [], []
        for run in range(runs):
            tag = f"{time.time_ns()}-{run}"
            lines = ["payment_reference,date,amount,method,transaction_id"]
            lines += [
                f"{rng.choice(references)},{today},{rng.randint(500, 20000) / 100:.2f},card,BENCH-{tag}-{i}"
                for i in range(rows)
            ]
            content = ("\n".join(lines) + "\n").encode()
            raw.append(
                bench_raw.ledger_copy_like(
                    account_ids=rng.choices(rent_accounts, k=rows), on=timezone.localdate(), tag=f"RAW-{tag}"
                )
            )
            started = time.perf_counter()
            # The re-review of the accounts an import touched runs as its own Celery task; it is measured on its own
            # below, so the import is timed without it (with no broker, tasks would run inline).
            payments_imported.disconnect(dispatch_uid="arrears-re-review-after-import")
            batch = import_batch_create(
                file_name=f"bench-{tag}.csv", content=content, format="generic-csv", uploaded_by=None
            )
            batch = import_batch_process(batch_id=batch.pk)
            seconds = time.perf_counter() - started
            rates.append(batch.rows_posted / seconds)
            payments_imported.connect(re_review_after_import, dispatch_uid="arrears-re-review-after-import")
        return timings_row(
            f"payment import ({rows:,} rows)",
            [rows / rate for rate in rates],
            throughput=f"{statistics.median(rates):,.0f} rows/s",
            target=">= 25,000 rows/s (goal 75,000); <= 2x COPY of as many payments",
            raw=raw,
        )

    def _account_page(self) -> dict:
        reference = long_history_tenancy_ensure(today=timezone.localdate())
        _, client = _staff_signed_in("bench-officer", Role.INCOME_OFFICER)
        return _page_timed(
            client,
            reverse("accounts:detail", kwargs={"payment_reference": reference}),
            broken="The account page answered {status}; a broken page measures nothing.",
            name="account page, 10 years of history",
            target="<= 200 ms server time; fixed query count",
        )

    def _arrears_review(self, runs: int) -> list[dict]:
        """The weekly review with 35-40% of accounts in arrears (as the target says), then a re-review of 5,000."""
        from arrears.review import review_run
        from arrears.services import policies_install_shipped
        from rentaccounts.constants import AccountKind
        from rentaccounts.models import Account
        from rentaccounts.services import Posting, transactions_post

        policies_install_shipped()
        today = timezone.localdate()
        # Bring the share in arrears to about 38% (ids ending 00 to 37), whatever rent runs the dataset has seen:
        # accounts outside it pay what they owe, and accounts inside it that owe nothing are charged £40 to £480 (one
        # posting each, once).
        by_bucket = Account.objects.filter(kind=AccountKind.RENT).annotate(bucket=Mod("id", Value(100)))
        stamp = time.time_ns()
        evening_up = [
            Posting(account_id, TransactionType.PAYMENT, -balance, today, f"bench:clear:{account_id}:{stamp}")
            for account_id, balance in by_bucket.filter(bucket__gte=38, balance__gt=0).values_list("id", "balance")
        ] + [
            Posting(
                account_id,
                TransactionType.CHARGE_DEBIT,
                -balance + Decimal(40 * (1 + account_id % 12)),
                today,
                f"bench:owe:{account_id}:{stamp}",
            )
            for account_id, balance in by_bucket.filter(bucket__lt=38, balance__lte=0).values_list("id", "balance")
        ]
        for start in range(0, len(evening_up), 50_000):
            transactions_post(postings=evening_up[start : start + 50_000])
        owing = Account.objects.filter(kind=AccountKind.RENT, balance__gt=0).count()
        share = owing / Account.objects.filter(kind=AccountKind.RENT).count()
        review_run(as_of=today)  # the first review opens and closes cases; the weekly one is measured after it
        times, raw = [], []
        for _ in range(runs):
            self._review_tables_vacuum()
            started = time.perf_counter()
            _, summary = review_run(as_of=today)
            times.append(time.perf_counter() - started)
            raw.append(bench_raw.balances_and_charges_scan(on=today))
        in_parts = {processes: self._review_in_parts(today, processes, runs) for processes in (1, 2)}
        touched = sorted(
            random.Random(3).sample(
                list(Account.objects.filter(kind=AccountKind.RENT).values_list("id", flat=True)), 5000
            )
        )
        re_times = seconds_each(
            runs,
            lambda: review_run(as_of=today, account_ids=touched, scope="bench:re-review"),
            before_each=self._review_tables_vacuum,
        )
        return [
            timings_row(
                f"arrears review ({summary.accounts:,} accounts, {share:.0%} owing)",
                times,
                throughput=f"{summary.accounts / statistics.median(times):,.0f} accounts/s",
                target="<= 10 s (goal 5 s); <= 2x one scan of balances and charges",
                raw=raw,
            ),
            *(
                timings_row(
                    f"the same review in parts, {processes} worker process{'es' if processes > 1 else ''}",
                    parts_times,
                    throughput=(
                        f"{statistics.median(in_parts[1]) / statistics.median(parts_times):.2f}x one process"
                        if processes > 1
                        else f"{summary.accounts / statistics.median(parts_times):,.0f} accounts/s"
                    ),
                    target=">= 1.6x one worker process (goal 1.9x)" if processes > 1 else "",
                )
                for processes, parts_times in in_parts.items()
            ),
            timings_row(
                "re-review of 5,000 accounts",
                re_times,
                throughput=f"{5000 / statistics.median(re_times):,.0f} accounts/s",
                target="<= 0.5 s (goal 0.2 s)",
                places=2,
            ),
        ]

    @staticmethod
    def _review_tables_vacuum() -> None:
        """Each review rewrites every open case (its newest recommendation); a week apart, autovacuum tidies them and
        refreshes the planner's figures in between. Here reviews run seconds apart on a server whose autovacuum may be
        off (these machines', docs/benchmarks.md), so do what it would have done, before each timed run."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE arrears_arrearscase, arrears_recommendation, rentaccounts_account")

    @staticmethod
    def _review_in_parts(today, processes: int, runs: int) -> list[float]:
        """The weekly review in parts (arrears.review_parts), done by a Celery worker with `processes` processes: from
        the start until the last part completes the run."""
        from arrears.constants import ReviewStatus
        from arrears.models import ReviewRun
        from arrears.review_parts import review_parts_start
        from incomeapp.celery import app as celery_app

        times = []
        with tempfile.TemporaryDirectory() as media, bench_documents.celery_workers(processes, media) as (_, queue):
            default_queue = celery_app.conf.task_default_queue
            celery_app.conf.task_default_queue = queue
            try:
                for _ in range(runs):
                    Command._review_tables_vacuum()
                    started = time.perf_counter()
                    run = review_parts_start(as_of=today)
                    while ReviewRun.objects.filter(pk=run.pk, status=ReviewStatus.RUNNING).exists():
                        time.sleep(0.05)
                    times.append(time.perf_counter() - started)
                    run.refresh_from_db()
                    if run.status != ReviewStatus.COMPLETED:
                        raise CommandError(f"The review in parts did not complete: {run.error}")
            finally:
                celery_app.conf.task_default_queue = default_queue
        return times

    def _worklist_page(self) -> dict:
        """An officer with 1,000 open cases opens "My cases this week"."""
        from arrears.models import ArrearsCase

        officer, client = _staff_signed_in("bench-worklist-officer", Role.INCOME_OFFICER)
        mine = list(ArrearsCase.objects.filter(status="open").order_by("id").values_list("id", flat=True)[:1000])
        ArrearsCase.objects.filter(id__in=mine).update(officer=officer)
        return _page_timed(
            client,
            reverse("arrears:index"),
            broken="The worklist answered {status}; a broken page measures nothing.",
            name=f"worklist page, officer with {len(mine):,} cases",
            target="<= 300 ms server time",
        )
