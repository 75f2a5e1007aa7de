#!/usr/bin/env bash
# `make load`: LOAD_USERS income officers (locust, devtools/load/locustfile.py) working the worklist, a case and its
# rent account through gunicorn on production settings (debug off) against the benchmark database, for LOAD_TIME.
# Needs a generated dataset there first (`make bench`, or `manage.py generate_dataset`). docs/benchmarks.md, "Load".
#
# Prepares the database (idempotent): migrations, roles, the shipped arrears policies, today's weekly review (so
# officers have cases), and LOAD_OFFICERS officers sharing the open cases. Then collectstatic, gunicorn with
# LOAD_WORKERS sync workers, locust; results in var/load/ (locust's CSV files and HTML report), and a table printed.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${BENCH_DATABASE_URL:=postgres://rentwise@127.0.0.1:5432/rentwise_bench}"
: "${LOAD_USERS:=50}"
: "${LOAD_OFFICERS:=50}"
: "${LOAD_SPAWN_RATE:=5}"
: "${LOAD_TIME:=5m}"
: "${LOAD_WORKERS:=5}"
: "${LOAD_PORT:=8800}"
: "${LOAD_PASSWORD:=load-test-officer-password-0123}"
: "${LOAD_PREPARE:=true}"
# Persistent database connections, as production should run (docs/benchmarks.md, "Load"); 0 opens one per request.
: "${LOAD_CONN_MAX_AGE:=60}"
export LOAD_PASSWORD LOAD_OFFICERS

bin=.venv/bin
out=var/load
mkdir -p "$out"
# Production settings as the Dockerfile runs them; plain HTTP from the load script, which says X-Forwarded-Proto:
# https as the TLS proxy in front would (so SECURE_SSL_REDIRECT stays on).
prod_env=(
  DATABASE_URL="$BENCH_DATABASE_URL" DJANGO_SETTINGS_MODULE=incomeapp.settings.prod DJANGO_DEBUG=false
  DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_STATIC_ROOT="$PWD/$out/staticfiles"
  DJANGO_SECRET_KEY="load-test-only-secret-key-never-used-for-a-real-service-0123456789abcdef"
  CELERY_BROKER_URL="${CELERY_BROKER_URL:-}" DJANGO_CONN_MAX_AGE="$LOAD_CONN_MAX_AGE"
)
manage() { env "${prod_env[@]}" "$bin/python" manage.py "$@"; }
manage_dev() { env "${prod_env[@]}" DJANGO_SETTINGS_MODULE=incomeapp.settings.base "$bin/python" manage.py "$@"; }

if [ "$LOAD_PREPARE" = true ]; then
  echo "==> Preparing $BENCH_DATABASE_URL"
  manage migrate --no-input -v 0
  manage setup_roles -v 0
  manage arrears_policy install
  manage run_arrears_review
  # devtools is not installed under production settings: its command runs under the base settings.
  manage_dev load_officers --officers "$LOAD_OFFICERS" --password "$LOAD_PASSWORD"
fi
manage collectstatic --no-input -v 0

echo "==> gunicorn, $LOAD_WORKERS sync workers, on 127.0.0.1:$LOAD_PORT (DJANGO_CONN_MAX_AGE=$LOAD_CONN_MAX_AGE)"
setsid env "${prod_env[@]}" "$bin/gunicorn" incomeapp.wsgi:application --bind "127.0.0.1:$LOAD_PORT" \
  --workers "$LOAD_WORKERS" --access-logfile "$out/access.log" >"$out/gunicorn.log" 2>&1 &
server=$!
stop_server() { kill -TERM -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop_server EXIT
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$LOAD_PORT/healthz" && break
  kill -0 "$server" 2>/dev/null || { cat "$out/gunicorn.log"; echo "gunicorn exited early." >&2; exit 1; }
  sleep 1
done

echo "==> locust: $LOAD_USERS officers ($LOAD_SPAWN_RATE a second), $LOAD_TIME"
set +e
"$bin/locust" -f devtools/load/locustfile.py --headless --only-summary --users "$LOAD_USERS" \
  --spawn-rate "$LOAD_SPAWN_RATE" --run-time "$LOAD_TIME" --host "http://127.0.0.1:$LOAD_PORT" \
  --csv "$out/load" --html "$out/report.html"
status=$?
set -e
# CPU seconds used by gunicorn (its workers) and by the database's server processes, from /proc via ps, for the
# CPU cost of a request independent of how busy the machine was.
gunicorn_cpu=$(ps -o times= --sid "$server" | awk '{s += $1} END {print s + 0}')
database_cpu=$(ps -eo times=,args= | awk -v db=" $(basename "$BENCH_DATABASE_URL") " 'index($0, db) {s += $1} END {print s + 0}')
stop_server
trap - EXIT

"$bin/python" - "$out/load_stats.csv" "$gunicorn_cpu" "$database_cpu" <<'EOF'
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
print("\n| Page | Requests | Failures | p50 | p95 | p99 | Max |\n|---|---|---|---|---|---|---|")
for row in rows:
    print(
        f"| {row['Name']} | {int(row['Request Count']):,} | {row['Failure Count']} | {row['50%']} ms | {row['95%']} ms "
        f"| {row['99%']} ms | {float(row['Max Response Time']):.0f} ms |"
    )
requests = int(rows[-1]["Request Count"])  # the Aggregated row
gunicorn, database = float(sys.argv[2]), float(sys.argv[3])
print(
    f"\nCPU: gunicorn {gunicorn:.0f} s, PostgreSQL backends {database:.0f} s: "
    f"{gunicorn / requests * 1000:.0f} + {database / requests * 1000:.0f} ms a request "
    f"({rows[-1]['Requests/s']} requests/s)"
)
EOF
exit "$status"
