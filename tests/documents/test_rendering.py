"""The renderer: an A4 tagged PDF whose text reads back with the names, address, figures and page numbers."""

import io

import pypdf

from tests.documents.conftest import letter_to_priya_shah


def read(pdf: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_a_letter_reads_back_with_its_names_address_figures_and_page_numbers():
    pdf = letter_to_priya_shah("<p>Your account shows £412.50 owing.</p>")
    reader, text = read(pdf)
    assert pdf.startswith(b"%PDF")
    for expected in (
        "Harbour Homes",
        "1 Quay Street",
        "Ms Priya Shah",
        "Flat 3, 12 Mill Lane",
        "BS2 9XY",
        "30 November 2026",
        "RW000123",
        "£412.50 owing",
        "Page 1 of 1",
    ):
        assert expected in text
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)  # A4 in points
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_a_long_letter_numbers_every_page_and_escapes_what_it_is_given():
    body = "".join(f"<p>Paragraph {n} about <b>rent</b>.</p>" for n in range(120))
    pdf = letter_to_priya_shah(body, title="Statement <script>", large_print=True)
    reader, text = read(pdf)
    pages = len(reader.pages)
    assert pages > 2
    assert f"Page {pages} of {pages}" in text
    assert "Statement <script>" in text  # the title is text, not markup
