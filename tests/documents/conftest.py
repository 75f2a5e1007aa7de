from datetime import date

from documents.rendering import letter_pdf

LANDLORD = {"name": "Harbour Homes", "address_lines": ["1 Quay Street", "Bristol", "BS1 4AA"], "phone": "0117 000 0000"}
RECIPIENT = {"name": "Ms Priya Shah", "address_lines": ["Flat 3, 12 Mill Lane", "Bristol", "BS2 9XY"]}


def letter_to_priya_shah(body_html: str, *, title: str = "About your rent account", **options) -> bytes:
    """A letter from Harbour Homes to Ms Priya Shah (tenancy RW000123) dated 30 November 2026, rendered to PDF."""
    return letter_pdf(
        title=title,
        landlord=LANDLORD,
        recipient=RECIPIENT,
        reference="RW000123",
        dated=date(2026, 11, 30),
        body_html=body_html,
        **options,
    )
