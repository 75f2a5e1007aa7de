# Rentwise: `make run` starts the product with demo data; `make test` runs lint and the whole test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format worker beat bench load system-packages frontend clean help
.DEFAULT_GOAL := help

help:
	@echo "make run     set up everything and serve the product with demo users on http://$(HOST):$(PORT)"
	@echo "make test    set up and run ruff and the whole pytest suite (browser tests included)"
	@echo "make worker  a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat    the Celery beat scheduler (needs CELERY_BROKER_URL)"
	@echo "make bench   generate a PostgreSQL dataset (BENCH_TENANCIES, BENCH_YEARS) and run the benchmarks (BENCH_ONLY=letters,statements)"
	@echo "make load    50 officers (locust) through gunicorn on the bench database (LOAD_USERS, LOAD_TIME; docs/benchmarks.md)"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make frontend rebuild the vendored GOV.UK Frontend assets (needs npm; the result is committed)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: a second run skips pip unless the pins changed.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: export DJANGO_DEBUG ?= true
run: $(VENV)/.runtime
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) setup_roles -v 0
	$(MANAGE) arrears_policy install
	$(MANAGE) letter_templates install
	$(MANAGE) message_templates install
	$(MANAGE) create_demo_users
	$(MANAGE) seed_demo
	$(MANAGE) run_arrears_review
	$(MANAGE) kpi_snapshot
	@echo "Rentwise is starting on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(MANAGE) runserver $(HOST):$(PORT)

system-packages:
	@bash scripts/install-system-packages.sh

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# The tests run in TEST_WORKERS pytest-xdist processes, each with its own test database, media folder and Celery queue,
# the long ones and those with real Celery workers first and the rest shared out as the processes ask
# (tests/ordering.py). The test databases' template is made (or found made) while the linters run (tests/databases.py).
TEST_WORKERS ?= 2
test: $(VENV)/.dev system-packages
	$(BIN)/python -m tests.databases & template=$$!; \
	if ! $(MAKE) --no-print-directory lint; then kill $$template; exit 1; fi; \
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal; status=$$?; \
	wait $$template; exit $$status

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks run on their own PostgreSQL database with debug off (debug keeps every query in memory).
BENCH_DATABASE_URL ?= postgres://rentwise@127.0.0.1:5432/rentwise_bench
BENCH_TENANCIES ?= 250000
BENCH_YEARS ?= 2
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=testserver \
	DJANGO_SECRET_KEY=benchmark-only-secret-key-never-used-for-a-real-service-0123456789
bench: $(VENV)/.dev
	-createdb -h 127.0.0.1 -U rentwise $(notdir $(BENCH_DATABASE_URL)) 2>/dev/null
	$(BENCH_ENV) $(MANAGE) migrate --no-input -v 0
	$(BENCH_ENV) $(MANAGE) bench --tenancies $(BENCH_TENANCIES) --years $(BENCH_YEARS) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# The load test: officers working the worklist, cases and accounts through gunicorn with debug off (needs the bench
# dataset; settings and defaults in devtools/load/run.sh).
load: $(VENV)/.dev
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) bash devtools/load/run.sh

worker: $(VENV)/.runtime
	$(BIN)/celery -A incomeapp worker --loglevel=INFO

beat: $(VENV)/.runtime
	$(BIN)/celery -A incomeapp beat --loglevel=INFO

frontend:
	npm ci --no-audit --no-fund
	bash scripts/build-frontend.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
