"""Base settings, read from the environment (see the configuration table in README.md).

`make run` uses these with DJANGO_DEBUG=true; production uses `incomeapp.settings.prod`.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

PRODUCT_NAME = "Rentwise"

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A development key is offered only with debug on, so a forgotten variable can never reach production.
_DEVELOPMENT_SECRET_KEY = "development-only-key-never-used-with-debug-off-5b1f0c7e9a2d4c6e8f3b"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (a long random string); it is required when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "incomeapp.apps.RentwiseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "crispy_forms",
    "crispy_forms_gds",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our own static files, no CDN
    "django_celery_beat",
    "simple_history",
    "incomeapp",
    "tenancies",
    "complaints",
    "rentaccounts",
    "arrears",
    "lifecycle",
    "courts",
    "documents",
    "messaging",
    "dashboards",
    "api",  # the REST API for the landlord's other systems (docs/api.md)
    "privacy",  # personal data: subject access exports, retention, the special-category access log
    "devtools",  # demo data, demo users, the benchmark dataset: production settings leave it out
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "incomeapp.middleware.NoStoreForSignedInMiddleware",
    # Every view needs a signed-in user unless it is marked @login_not_required (login, reset, /healthz).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# A history row's reason is text, not 100 characters: reasons people give (a merge, an end, a data load) can be long.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ROOT_URLCONF = "incomeapp.urls"
WSGI_APPLICATION = "incomeapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "incomeapp.context_processors.navigation",
            ],
            "builtins": ["incomeapp.templatetags.money", "incomeapp.templatetags.govuk_dates"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rentwise.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
# An optional read replica (a PostgreSQL hot standby): the dashboards, their exports and the API's reads use it
# (incomeapp.replica, docs/scaling.md). In tests it mirrors the test database.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "TEST": {"MIRROR": "default"},
    }
# PostgreSQL's JIT compiler is for long analytical queries; it took this product's short, many-row queries as costly
# and spent 10 to 60 ms compiling each (a third of the arrears review's read of the last payment dates, measured in
# docs/benchmarks.md), so it is off for the product's connections. (Behind PgBouncer, let it pass `options`.)
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
# SQLite (the demo's default) lets one connection write at a time, and a transaction that began as a read cannot wait
# for its turn to write: it fails at once with "database is locked" when another connection writes (the web server and
# the Celery worker at the same moment). So each transaction takes the write lock when it begins (IMMEDIATE) and waits
# up to 20 seconds for it; the write-ahead log lets plain reads go on beside a write.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20, init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
DATABASE_ROUTERS = ["incomeapp.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "incomeapp.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed-login throttling: 5 failures for one username from one address locks that pair for an hour.
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# X-Forwarded-For is trusted only behind a known number of proxies; otherwise anyone could forge it to dodge lockout.
AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["incomeapp.formats"]
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
FIRST_DAY_OF_WEEK = 1  # Monday: rent weeks start on Monday.

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Content Security Policy (django-csp 4): everything from our own origin; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Rentwise <rentwise@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Possession claims: the roles that must approve a claim, in order, each a different person from the officer who
# prepared it and from each other (docs/legal-rules.md). For example "Senior Income Officer,Income Manager".
LEGAL_CLAIM_APPROVAL_CHAIN = env.list("LEGAL_CLAIM_APPROVAL_CHAIN", default=["Senior Income Officer"])
# Warrants of possession: the roles that approve one, in order; never the person who asked for it, nor anyone twice.
LEGAL_WARRANT_APPROVAL_CHAIN = env.list("LEGAL_WARRANT_APPROVAL_CHAIN", default=["Income Manager"])

# Delegated authority counts everything a person approved for one tenancy's accounts (adjustments, refunds, transfers,
# write-offs, by absolute value) over this many days, not each request alone (rentaccounts/approvals.py).
DELEGATED_AUTHORITY_WINDOW_DAYS = env.int("DELEGATED_AUTHORITY_WINDOW_DAYS", default=30)
# Small-balance write-offs (reason "small balance", and the small-balance run): only balances under this, in pounds
# (docs/debts.md, write-offs).
WRITE_OFF_SMALL_BALANCE_LIMIT = env.str("WRITE_OFF_SMALL_BALANCE_LIMIT", default="10.00")

# Debt collection agencies former tenants' and sundry debts are referred to (docs/debts.md, recovery); the first is the
# default. For example "Northway Collections,Second Agency Ltd".
DEBT_AGENCIES = env.list("DEBT_AGENCIES", default=["Debt collection agency"])

# Payment references Rentwise makes: this prefix, 7 digits and a Luhn check digit (docs/sign-up.md).
PAYMENT_REFERENCE_PREFIX = env.str("PAYMENT_REFERENCE_PREFIX", default="RW")
# How far ahead a new tenancy may start, in days, when it is signed up.
SIGN_UP_MAX_DAYS_AHEAD = env.int("SIGN_UP_MAX_DAYS_AHEAD", default=90)

# Rent change runs: the weeks of notice tenants get before new charges start (the letters go out on approval, which is
# refused when the date is closer than this). docs/rent-changes.md
RENT_CHANGE_NOTICE_WEEKS = env.int("RENT_CHANGE_NOTICE_WEEKS", default=4)

# Work that dies is finished (docs/documents.md). A letter still queued this many minutes after it was queued (or last
# handed on), and not being made, is handed to Celery again by the sweeper; after this many hand-ons it is failed for a
# person to review. A command that waits for the workers gives up after WORKER_WAIT_TIMEOUT seconds, saying how to
# resume.
LETTER_RENDER_STALE_MINUTES = env.int("LETTER_RENDER_STALE_MINUTES", default=5)
LETTER_RENDER_MAX_RETRIES = env.int("LETTER_RENDER_MAX_RETRIES", default=3)
WORKER_WAIT_TIMEOUT = env.int("WORKER_WAIT_TIMEOUT", default=2 * 60 * 60)

# Text messages and emails (docs/messaging.md). MESSAGING_PROVIDER: "" (none: messages are kept as "not sent: no
# provider"), "notify" (GOV.UK Notify, with NOTIFY_API_KEY and the ids of two Notify templates that show our own text:
# ((body)) for texts, ((subject)) and ((body)) for emails) or "http_sms" (a generic HTTP SMS provider:
# SMS_PROVIDER_URL, SMS_PROVIDER_API_KEY). The provider's rate limit, in messages a second, paces every sender
# together. Delivery reports and replies are accepted only with MESSAGING_CALLBACK_TOKEN as a bearer token.
MESSAGING_PROVIDER = env.str("MESSAGING_PROVIDER", default="")
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_SMS_SENDER_ID = env.str("NOTIFY_SMS_SENDER_ID", default="")
SMS_PROVIDER_URL = env.str("SMS_PROVIDER_URL", default="")
SMS_PROVIDER_API_KEY = env.str("SMS_PROVIDER_API_KEY", default="")
MESSAGING_RATE_LIMIT_PER_SECOND = env.float("MESSAGING_RATE_LIMIT_PER_SECOND", default=50.0)
MESSAGING_BATCH_SIZE = env.int("MESSAGING_BATCH_SIZE", default=500)
MESSAGING_MAX_ATTEMPTS = env.int("MESSAGING_MAX_ATTEMPTS", default=5)
MESSAGING_STUCK_AFTER_SECONDS = env.int("MESSAGING_STUCK_AFTER_SECONDS", default=300)
MESSAGING_CALLBACK_TOKEN = env.str("MESSAGING_CALLBACK_TOKEN", default="")
# Quiet hours: messages go only between these times (UK time), and not on Sundays or bank holidays unless allowed.
MESSAGING_SEND_FROM = env.str("MESSAGING_SEND_FROM", default="08:00")
MESSAGING_SEND_UNTIL = env.str("MESSAGING_SEND_UNTIL", default="20:00")
MESSAGING_SEND_ON_SUNDAYS = env.bool("MESSAGING_SEND_ON_SUNDAYS", default=False)
MESSAGING_SEND_ON_BANK_HOLIDAYS = env.bool("MESSAGING_SEND_ON_BANK_HOLIDAYS", default=False)

# The REST API (docs/api.md): JSON only, keys not sessions, every error an RFC 9457 problem.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,  # money as "12.50": exact, never a float
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rentwise API",
    "DESCRIPTION": "Tenancies, rent accounts, arrears cases, payments, contacts and webhooks for a landlord's other "
    "systems. Money is a string with two decimal places. Errors are RFC 9457 problems. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}
# Webhooks: each delivery is tried up to API_WEBHOOK_MAX_ATTEMPTS times, waiting API_WEBHOOK_RETRY_SECONDS, then 4×,
# 16×... that long between tries; a receiver has API_WEBHOOK_TIMEOUT_SECONDS to answer.
API_WEBHOOK_MAX_ATTEMPTS = env.int("API_WEBHOOK_MAX_ATTEMPTS", default=6)
API_WEBHOOK_RETRY_SECONDS = env.int("API_WEBHOOK_RETRY_SECONDS", default=30)
API_WEBHOOK_TIMEOUT_SECONDS = env.int("API_WEBHOOK_TIMEOUT_SECONDS", default=10)
# The call log is kept this many days.
API_CALL_LOG_DAYS = env.int("API_CALL_LOG_DAYS", default=90)

# Celery. With no broker configured, tasks run eagerly in the calling process (demo and unit tests).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
# The queue tasks go to and workers take from: two environments sharing one broker each need their own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=12 * 60)
# PDF rendering grows a worker's memory; recycling the child process keeps it bounded.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Accounts the arrears review writes in each transaction (0: 5,000 on PostgreSQL, 400 elsewhere); a review in parts
# gives each Celery task two of them (arrears.review_parts). Tests set it small to stop a worker between chunks.
ARREARS_REVIEW_CHUNK = 0
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Only tasks that exist are scheduled; tests check every name here is registered.
CELERY_BEAT_SCHEDULE = {
    "post-rent-debits": {
        "task": "rentaccounts.tasks.post_this_weeks_rent_debits",
        "schedule": crontab(day_of_week="mon", hour=0, minute=30),
    },
    "find-account-checks": {
        "task": "rentaccounts.tasks.find_account_checks",
        "schedule": crontab(hour=2, minute=15),
    },
    "monitor-agreements": {
        "task": "arrears.tasks.monitor_agreements",
        "schedule": crontab(hour=5, minute=30),
    },
    "weekly-arrears-review": {
        "task": "arrears.tasks.weekly_arrears_review",
        "schedule": crontab(day_of_week="mon", hour=6, minute=0),
    },
    "quarterly-rent-statements": {
        "task": "rentaccounts.tasks.quarterly_rent_statements",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=7, minute=0),
    },
    "weekly-kpi-snapshot": {
        "task": "dashboards.tasks.weekly_kpi_snapshot",
        "schedule": crontab(day_of_week="mon", hour=7, minute=30),
    },
    "worker-heartbeat": {
        "task": "incomeapp.tasks.worker_heartbeat",
        "schedule": crontab(minute="*/15"),
    },
    "sweep-stuck-work": {
        "task": "arrears.tasks.sweep_stuck_work",
        "schedule": crontab(minute="*/2"),
    },
    "recover-stalled-imports": {
        "task": "rentaccounts.tasks.recover_stalled_imports",
        "schedule": crontab(minute="*/5"),
    },
    "send-waiting-messages": {
        "task": "messaging.tasks.send_waiting_messages",
        "schedule": crontab(minute="*"),
    },
    "deliver-webhooks": {
        "task": "api.tasks.deliver_webhooks",
        "schedule": crontab(minute="*"),
    },
    "prune-api-call-log": {
        "task": "api.tasks.prune_api_call_log",
        "schedule": crontab(hour=3, minute=40),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
