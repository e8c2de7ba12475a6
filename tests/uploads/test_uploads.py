"""Upload checks: what is accepted, what is refused, and what is stripped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.uploads.models import StoredFile
from wcc.uploads.services import send_stored, store_bytes

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def image_bytes(fmt: str = "JPEG", size=(64, 48), **save_args) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt, **save_args)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 0.0), 3: "E", 4: (51.0, 23.0, 0.0)}  # GPS IFD
    return image_bytes("JPEG", exif=exif.tobytes())


@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                               ("WEBP", "image/webp")])
def test_photos_are_accepted_reencoded_and_get_a_thumbnail(app, fmt, content_type):
    stored = store_bytes(image_bytes(fmt, size=(1200, 800)), f"photo.{fmt.lower()}")
    db.session.commit()  # the files are in place once the row is committed
    assert stored.kind == "image" and stored.content_type == content_type
    assert (stored.width, stored.height) == (1200, 800)
    root = Path(app.config["UPLOAD_DIR"])
    assert (root / stored.key[:2] / stored.key).exists()
    with Image.open(root / stored.thumbnail_key[:2] / stored.thumbnail_key) as thumb:
        assert max(thumb.size) == 480


def test_location_and_camera_metadata_are_stripped(app):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825), "the test image must carry GPS data"
    stored = store_bytes(original, "with-gps.jpg")
    db.session.commit()
    saved = Path(app.config["UPLOAD_DIR"]) / stored.key[:2] / stored.key
    with Image.open(saved) as image:
        exif = image.getexif()
        assert not exif.get_ifd(0x8825)
        assert 0x010F not in exif


def test_file_names_are_random_and_the_original_name_is_cleaned(app):
    stored = store_bytes(image_bytes(), "../../etc/pass\x00wd\".jpg")
    assert stored.original_name == "passwd'.jpg"
    assert "pass" not in stored.key


def test_pdf_documents_are_accepted(app):
    stored = store_bytes(MINIMAL_PDF, "report.pdf")
    assert stored.kind == "pdf" and stored.content_type == "application/pdf"


REFUSED = {
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg"),
    "html": (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "page.html"),
    "html named as a photo": (b"<html><body>hi</body></html>", "photo.jpg"),
    "renamed executable": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "photo.jpg"),
    "elf binary": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "document.pdf"),
    "jpeg header then garbage": (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20, "broken.jpg"),
    "pdf without an end": (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "cut.pdf"),
    "pdf with javascript": (MINIMAL_PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
                            "active.pdf"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif"),
    "empty": (b"", "empty.jpg"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_other_content_is_refused_with_a_message_naming_the_file(app, case):
    data, name = REFUSED[case]
    with pytest.raises(ServiceError) as info:
        store_bytes(data, name)
    assert name in str(info.value)
    assert db.session.query(StoredFile).count() == 0


def _pdf(catalog_extra: dict | None = None, annotation: dict | None = None) -> bytes:
    """A one-page PDF written by pikepdf with its objects packed into compressed object
    streams: nothing of its content is readable in the raw bytes."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    for key, value in (catalog_extra or {}).items():
        pdf.Root[key] = value
    if annotation is not None:
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=annotation)]))
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


def test_pdfs_are_read_with_a_parser_that_sees_inside_object_streams(app):
    import pikepdf
    from flask_babel import force_locale

    assert store_bytes(_pdf(), "plain.pdf").kind == "pdf"
    script = _pdf({"/OpenAction": pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))})
    assert b"JavaScript" not in script  # hidden from a byte search
    launch = _pdf(annotation=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))
    link = _pdf(annotation=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://evil.example")))
    with app.test_request_context("/"), force_locale("en"):
        for data, name, why in ((script, "hidden-script.pdf", "scripts"), (launch, "launch.pdf", "scripts"),
                                (link, "link.pdf", "links that open web pages")):
            with pytest.raises(ServiceError) as refused:
                store_bytes(data, name)
            assert name in refused.value.message and why in refused.value.message
    # Opening at the first page (an OpenAction that is a destination, not an action) is fine.
    opens_at_page_one = _pdf({"/OpenAction": pikepdf.Array([0, pikepdf.Name.Fit])})
    assert store_bytes(opens_at_page_one, "opens.pdf").kind == "pdf"
    assert db.session.query(StoredFile).count() == 2


@pytest.mark.parametrize("where", ["inside", "appended"])
def test_image_html_polyglots_are_refused(app, where):
    jpeg = image_bytes("JPEG")
    payload = b"<html><script>alert(document.cookie)</script></html>"
    if where == "inside":  # a JPEG comment segment right after SOI
        segment = b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload
        data = jpeg[:2] + segment + jpeg[2:]
    else:
        data = jpeg + payload
    with Image.open(io.BytesIO(data)) as still_valid:
        still_valid.load()
    with pytest.raises(ServiceError, match="polyglot.jpg"):
        store_bytes(data, "polyglot.jpg")


def test_files_over_the_size_limit_are_refused(make_app):
    app = make_app(MAX_UPLOAD_BYTES=1000)
    with app.app_context():
        with pytest.raises(ServiceError, match="big.png"):
            store_bytes(image_bytes("PNG", size=(300, 300), compress_level=0), "big.png")


def test_pixel_bombs_are_refused_before_decoding(make_app):
    app = make_app(MAX_IMAGE_PIXELS=1_000_000)
    with app.app_context():
        with pytest.raises(ServiceError, match="huge.png"):
            store_bytes(image_bytes("PNG", size=(2000, 1000)), "huge.png")


def test_photo_only_fields_refuse_pdfs(app):
    with pytest.raises(ServiceError):
        store_bytes(MINIMAL_PDF, "report.pdf", allow=("image",))


def test_served_files_cannot_be_sniffed_or_run(app):
    photo = store_bytes(image_bytes(), "photo.jpg")
    pdf = store_bytes(MINIMAL_PDF, "گزارش.pdf")
    db.session.commit()
    with app.test_request_context():
        inline = send_stored(photo)
        attachment = send_stored(pdf)
        thumb = send_stored(photo, thumbnail=True)
    for response in (inline, attachment, thumb):
        response.direct_passthrough = False
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "private" in response.headers["Cache-Control"]
    assert inline.headers["Content-Disposition"].startswith("inline")
    assert attachment.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''" in attachment.headers["Content-Disposition"]
    assert thumb.mimetype == "image/jpeg"
    for response in (inline, attachment, thumb):
        response.close()
