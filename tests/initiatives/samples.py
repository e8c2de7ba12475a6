"""Files for upload tests: real photos and PDFs, and things that only pretend to be."""

from __future__ import annotations

import io

from PIL import Image
from werkzeug.datastructures import FileStorage

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120


def image_bytes(fmt: str = "PNG", size=(96, 64), **save_args) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (160, 40, 50)).save(out, fmt, **save_args)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (32.0, 39.0, 0.0), 3: "E", 4: (51.0, 40.0, 0.0)}
    return image_bytes("JPEG", exif=exif.tobytes())


def polyglot() -> bytes:
    """A real PNG with a web page appended."""
    return image_bytes("PNG") + HTML


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    """A (stream, filename) pair as the test client posts files."""
    return io.BytesIO(data), name


def png(name: str = "photo.png") -> FileStorage:
    return FileStorage(io.BytesIO(image_bytes("PNG")), filename=name)


def pdf(name: str = "document.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name)
