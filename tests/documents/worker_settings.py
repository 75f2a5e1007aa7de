"""Settings for the real worker processes the "work that dies" tests start: the test settings, with every email the
worker sends written as a file to the folder in RENTWISE_TEST_OUTBOX, so the test counts what was really sent."""

import os

from incomeapp.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["RENTWISE_TEST_OUTBOX"]
