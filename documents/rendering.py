"""The one PDF renderer (WeasyPrint): the shared stylesheet and fonts are loaded once per process, every document is
A4 with page numbers and is written as a tagged PDF (PDF/UA-1) so screen readers can follow it.

The documents app knows no domain app: callers hand it a template and a plain context.
"""

from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STYLESHEET = Path(__file__).resolve().parent / "print" / "letter.css"
PDF_VARIANT = "pdf/ua-1"


@lru_cache(maxsize=1)
def _shared() -> tuple[FontConfiguration, CSS]:
    fonts = FontConfiguration()
    return fonts, CSS(filename=str(STYLESHEET), font_config=fonts)


def pdf_from_html(html: str) -> bytes:
    fonts, stylesheet = _shared()
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_variant=PDF_VARIANT)


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
