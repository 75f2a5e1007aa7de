"""The one PDF renderer (WeasyPrint): the shared stylesheet and fonts are loaded once per process, every document is
A4 with page numbers and is written as a tagged PDF (PDF/UA-1) so screen readers can follow it.

The documents app knows no domain app: callers hand it a template and a plain context.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STYLESHEET = Path(__file__).resolve().parent / "print" / "letter.css"
PDF_VARIANT = "pdf/ua-1"


@lru_cache(maxsize=1)
def _shared() -> tuple[FontConfiguration, CSS]:
    fonts = FontConfiguration()
    return fonts, CSS(filename=str(STYLESHEET), font_config=fonts)


class FetchRefused(ValueError):
    pass


def _allowed_roots() -> list[Path]:
    return [STYLESHEET.parent.resolve(), Path(settings.STATIC_ROOT).resolve(), Path(settings.MEDIA_ROOT).resolve()]


class LocalURLFetcher(URLFetcher):
    """The renderer fetches nothing from outside the product (issue 21, item 4): a `data:` URL, or a file under the
    print stylesheet's folder, the static files or the media files. Anything else (http, https, ftp, another file) is
    refused, so text merged into a letter can never make the server call out or read its own files."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if any(path.is_relative_to(root) for root in _allowed_roots()):
                return super().fetch(url, headers)
        raise FetchRefused(f"The PDF renderer does not fetch {url[:100]}: only the product's own files.")


def pdf_from_html(html: str) -> bytes:
    fonts, stylesheet = _shared()
    return HTML(string=html, url_fetcher=LocalURLFetcher()).write_pdf(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant=PDF_VARIANT
    )


def letter_pdf(
    *,
    title: str,
    landlord: dict,
    recipient: dict,
    reference: str,
    dated,
    body_html: str,
    large_print: bool = False,
) -> bytes:
    """A one-recipient letter. `landlord`: name and address lines (and phone); `recipient`: name and address lines.
    `body_html` is the merged template body (already escaped by the template engine)."""
    html = render_to_string(
        "documents/letter.html",
        {
            "title": title,
            "landlord": landlord,
            "recipient": recipient,
            "reference": reference,
            "dated": dated,
            "body_html": body_html,
            "large_print": large_print,
        },
    )
    return pdf_from_html(html)
