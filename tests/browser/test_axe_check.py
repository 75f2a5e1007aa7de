"""The accessibility check every journey relies on (tests/browser/conftest.py) can fail: a page with a serious
violation is refused with each violation named, at desktop width and at a phone's, and a clean page passes."""

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

CLEAN = """<!DOCTYPE html><html lang="en"><head><title>Clean</title></head><body>
<main><h1>A page</h1><label for="name">Name</label><input id="name" type="text"></main></body></html>"""


def test_a_page_with_serious_violations_is_refused_and_each_is_named(page):
    page.set_content(CLEAN.replace('<label for="name">Name</label>', "").replace("</main>", '<img src="x.png"></main>'))
    with pytest.raises(AssertionError) as refused:
        assert_accessible(page)
    assert "critical: image-alt" in str(refused.value)
    assert "critical: label" in str(refused.value)


def test_a_clean_page_passes_at_both_widths_and_a_violation_at_a_phones_width_is_still_found(page):
    page.set_content(CLEAN)
    assert_accessible(page, phone=True)
    # The second check on the same page (axe already there) still sees what has changed since the first.
    page.evaluate("document.querySelector('label').remove()")
    with pytest.raises(AssertionError, match="critical: label"):
        assert_accessible(page, phone=True)
