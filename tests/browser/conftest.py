"""Debian's Chromium headless shell, driven by Playwright (never `playwright install`), with axe-core."""

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import skip_or_fail

# Chromium's headless shell (Debian's chromium-headless-shell, the build Playwright itself runs headless): the same
# Blink and V8 as the full browser without its windowing layers; the browser tests took a third less time and CPU
# with it (docs/benchmarks.md, 2026-12-07 late).
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
AXE_SOURCE = Path(__file__).with_name("axe.min.js").read_text()
CHROMIUM_ARGS = [
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


PHONE_WIDTH = 375


def assert_accessible(page, *, phone: bool = False) -> None:
    """axe-core on the page as it stands: no serious or critical violation. With `phone`, the same page is then
    checked at a phone's width too (nothing wider than the screen, axe again) and put back to the width it had, so
    one journey at desktop width checks each page at both."""
    # A click that navigates returns once the new page has started loading: wait for it to finish before checking.
    page.wait_for_load_state("load")
    _axe_passes(page)
    if phone:
        size = page.viewport_size
        page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
        try:
            _fits(page, PHONE_WIDTH)
            _axe_passes(page)
        finally:
            page.set_viewport_size(size)


def _fits(page, width: int) -> None:
    """Nothing wider than `width`, once the page has settled at it: a chart resizes itself a frame or two after the
    window does, so the page is given up to 3 s to fit before it is said to scroll sideways."""
    try:
        page.wait_for_function("width => document.documentElement.scrollWidth <= width", arg=width, timeout=3000)
    except PlaywrightTimeoutError:
        wide = page.evaluate("document.documentElement.scrollWidth")
        culprits = page.evaluate(_WIDEST, width)
        raise AssertionError(
            f"{page.url} is {wide} px wide at {width} px: it scrolls sideways (too wide: {', '.join(culprits)})"
        ) from None


# The elements that reach past the right edge although their parent does not, outside any region that scrolls
# sideways itself (a table in a scrollable pane is fine), named by tag, id and classes.
_WIDEST = """width => {
  const past = e => e.getBoundingClientRect().right > width + 1;
  const inPane = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  return [...document.body.querySelectorAll('*')]
    .filter(e => past(e) && e.parentElement && !past(e.parentElement) && !inPane(e))
    .slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + [...e.classList].map(c => '.' + c).join(''));
}"""


# axe's default rules run, less those that cannot find a serious or critical violation (a rule's worst outcome is the
# worst impact among its checks, in axe's own metadata), and the page hands back only the serious and critical
# violations, described, not axe's whole result.
_AXE_SERIOUS = """async () => {
  const rank = {minor: 1, moderate: 2, serious: 3, critical: 4};
  const worst = rule => Math.max(rank[rule.impact] || 0, ...[...rule.any, ...rule.all, ...rule.none].map(check => {
    const metadata = (axe._audit.checks[check.id || check] || {}).metadata || {};
    return rank[metadata.impact] || 0;
  }));
  const off = axe._audit.rules.filter(rule => worst(rule) < rank.serious).map(rule => [rule.id, {enabled: false}]);
  const results = await axe.run(document, {resultTypes: ['violations'], rules: Object.fromEntries(off)});
  return results.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact}: ${v.id} – ${v.help} (${v.nodes.length} element(s), e.g. ${v.nodes[0].target})`);
}"""


def _axe_passes(page) -> None:
    # Evaluated through the DevTools protocol: the page's Content Security Policy rightly refuses an injected <script>.
    # Once a page: the check at a phone's width finds axe there from the check before it.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    serious = page.evaluate(_AXE_SERIOUS)
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


def date_fill(scope, day, *, exact: bool = False) -> None:
    """Types `day` into the Day, Month and Year boxes of a date input inside `scope` (a page, a form or a group)."""
    scope.get_by_label("Day", exact=exact).fill(str(day.day))
    scope.get_by_label("Month", exact=exact).fill(str(day.month))
    scope.get_by_label("Year", exact=exact).fill(str(day.year))


def phone_call_record(page, day, notes: str) -> None:
    """On an arrears case whose contact form is open: records a phone call on `day` in which the officer spoke to the
    first named tenant."""
    from playwright.sync_api import expect

    contact = page.locator("form", has=page.get_by_role("button", name="Record contact"))
    expect(contact).to_be_visible()
    contact.get_by_label("Phone call").check()
    contact.locator('input[name="person"]').first.check()
    contact.get_by_label("Spoke to the tenant").check()
    contact.get_by_label("Day", exact=True).first.fill(str(day.day))
    contact.get_by_label("Month", exact=True).first.fill(str(day.month))
    contact.get_by_label("Year", exact=True).first.fill(str(day.year))
    contact.get_by_label("Notes").fill(notes)
    contact.get_by_role("button", name="Record contact").click()
