"""Settings for the real worker processes the "work that dies" tests start: the test settings, with every email the
worker sends written as a file to the folder in RENTWISE_TEST_OUTBOX, so the test counts what was really sent, and the
arrears review's chunk size from RENTWISE_TEST_REVIEW_CHUNK when a test sets it (to stop a worker between chunks)."""

import os

from incomeapp.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["RENTWISE_TEST_OUTBOX"]
ARREARS_REVIEW_CHUNK = int(os.environ.get("RENTWISE_TEST_REVIEW_CHUNK", "0"))
