"""Test helper: a PDF's pages as PNG images (pdftoppm, from poppler-utils), so a person can look at what tenants get.

Set DOCUMENT_PREVIEWS=DIR to keep the images there (for example `DOCUMENT_PREVIEWS=var/previews make test`)."""

import os
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

DPI = 60  # A4 at 60 dpi is 496 x 702 pixels


def pdf_pages_as_png(pdf: bytes, name: str) -> list[Image.Image]:
    keep = os.environ.get("DOCUMENT_PREVIEWS")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(keep) if keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source = Path(scratch) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), str(source), str(folder / name)], check=True)
        images = []
        for path in sorted(folder.glob(f"{name}-*.png")):
            with Image.open(path) as image:
                images.append(image.convert("L"))
        return images


def ink(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """The share of dark pixels in a region given as fractions of the page (left, top, right, bottom)."""
    width, height = image.size
    region = image.crop((int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height)))
    pixels = list(region.get_flattened_data())
    return sum(1 for value in pixels if value < 128) / max(1, len(pixels))
