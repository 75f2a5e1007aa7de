"""Headless Debian Chromium driven by Playwright (never `playwright install`), with axe-core for accessibility."""

from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
AXE_SOURCE = Path(__file__).with_name("axe.min.js").read_text()
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM}; run `make system-packages` as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    # A Content Security Policy violation or a script error shows up in the console; the test fails on any.
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems
    yield page
    context.close()


def assert_accessible(page) -> None:
    """axe-core on the page as it stands: no serious or critical violation."""
    # A click that navigates returns once the new page has started loading: wait for it to finish before checking.
    page.wait_for_load_state("load")
    # Evaluated through the DevTools protocol: the page's Content Security Policy rightly refuses an injected <script>.
    page.evaluate(AXE_SOURCE)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['impact']}: {v['id']} – {v['help']} ({len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']})"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"axe found on {page.url}:\n" + "\n".join(serious)


def sign_in(page, live_server, username: str) -> None:
    """Signs in through the real form (after checking the sign-in page with axe)."""
    from playwright.sync_api import expect

    from tests.factories import TEST_PASSWORD

    page.goto(f"{live_server.url}/account/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Rentwise")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
