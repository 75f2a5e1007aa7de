"""Load test: income officers working their worklist, a case and its rent account (issue 21, item 7).

Run by `make load` (docs/benchmarks.md, "Load"): officers made by `manage.py load_officers` on a benchmark dataset,
the product served by gunicorn on production settings. Each simulated officer signs in once as its own
`load-officer-NN`, then loops like a person: opens "My cases this week", thinks, opens one of the cases listed,
thinks, opens that case's rent account, thinks. Static files are not fetched (a browser has them cached after the
first page). Only reads: the pages an officer spends the day on.

The product is reached as it is behind the TLS-terminating proxy of production: every request says
`X-Forwarded-Proto: https`, so secure cookies, HTTPS redirects and the CSRF origin check work as they do there.

Environment: LOAD_PASSWORD (required: the password given to `load_officers`), LOAD_OFFICERS (how many officer
accounts exist, default 50; simulated officer n signs in as load-officer-n, wrapping round), LOAD_THINK_MIN and
LOAD_THINK_MAX (seconds a person pauses between pages, default 1 and 3).
"""

import itertools
import os
import random
import re
from urllib.parse import urlsplit

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
OFFICERS = int(os.environ.get("LOAD_OFFICERS", "50"))
THINK_MIN = float(os.environ.get("LOAD_THINK_MIN", "1"))
THINK_MAX = float(os.environ.get("LOAD_THINK_MAX", "3"))

SIGN_IN = "/account/sign-in/"
WORKLIST = "/worklist/"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="(/worklist/cases/\d+/)"')
ERROR_MESSAGE = re.compile(r'govuk-error-summary__list">\s*<li>\s*(?:<a[^>]*>)?([^<]+)')
ACCOUNT_LINK = re.compile(r'href="(/tenancies/[^"/]+/account/)"')

_officer_numbers = itertools.count(1)


def officer_username(number: int) -> str:
    """The same names as `devtools.management.commands.load_officers` makes."""
    return f"load-officer-{(number - 1) % OFFICERS + 1:02d}"


class Officer(HttpUser):
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        if not PASSWORD:
            raise RuntimeError("Set LOAD_PASSWORD to the password given to `manage.py load_officers`.")
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.origin = f"https://{urlsplit(self.host).netloc}"
        self.username = officer_username(next(_officer_numbers))
        self.sign_in()

    def sign_in(self):
        form = self._page(SIGN_IN, "sign-in page", "Sign in to Rentwise")
        token = CSRF_TOKEN.search(form or "")
        with self.client.post(
            SIGN_IN,
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token and token.group(1)},
            headers={"Origin": self.origin, "Referer": f"{self.origin}{SIGN_IN}"},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or SIGN_IN in response.headers.get("Location", ""):
                said = ERROR_MESSAGE.search(response.text)
                response.failure(f"{self.username} not signed in: {response.status_code} {said and said.group(1)}")
        self._keep_cookies_over_http()

    def _keep_cookies_over_http(self):
        """Production's cookies are Secure: a browser sends them to the HTTPS proxy in front; this client speaks plain
        HTTP to gunicorn behind it, so it sends them over HTTP (requests sends no Secure cookie to an http:// URL)."""
        for cookie in self.client.cookies:
            cookie.secure = False

    @task
    def work_a_case(self):
        worklist = self._page(WORKLIST, "worklist", "My cases this week")
        cases = CASE_LINK.findall(worklist or "")
        if worklist is not None and not cases:
            # Nothing needs action today: the officer looks at the whole patch instead.
            worklist = self._page(f"{WORKLIST}?tab=patch", "worklist", "My cases this week")
            cases = CASE_LINK.findall(worklist or "")
        if not cases:
            return
        self.wait()
        case = self._page(random.choice(cases), "case", "Rent account")
        account = ACCOUNT_LINK.search(case or "")
        if account is None:
            return
        self.wait()
        self._page(account.group(1), "account", "Rent account")

    def _page(self, path: str, name: str, expect: str) -> str | None:
        """GET a page; a failure unless it answers 200 with `expect` in it (not, say, the sign-in page again)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            self._keep_cookies_over_http()
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
                return None
            if expect not in response.text:
                response.failure(f"{expect!r} is not on the page")
                return None
            return response.text
