"""Photos and PDF documents of initiatives: uploading, refusing, serving, cover, removal."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from wcc.extensions import db
from wcc.initiatives import services
from wcc.initiatives.models import Initiative, InitiativeFile

from .samples import EXECUTABLE, HTML, PDF, SVG, image_bytes, jpeg_with_gps, png, polyglot, upload
from .test_pages import form


def fetch(client, url: str):
    """GET a file and close the response (file responses hold the file open until closed)."""
    response = client.get(url)
    response.get_data()  # buffered, so the body stays readable after closing
    response.close()
    return response


def test_a_new_initiative_takes_two_photos_and_a_pdf(client, network, login_as):
    login_as(network.users["isfahan"])
    response = client.post("/initiatives/new", data={
        **form(title="نمایشگاه‌های زنده", published="y"),
        "photos": [upload(jpeg_with_gps(), "stand.jpg"), upload(image_bytes("PNG"), "artisans.png")],
        "documents": [upload(PDF, "programme.pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    ini = db.session.scalars(select(Initiative)).one()
    assert [(f.kind, f.stored.original_name) for f in ini.files] == [
        ("photo", "stand.jpg"), ("photo", "artisans.png"), ("document", "programme.pdf")]
    assert ini.cover.stored.original_name == "stand.jpg"

    login_as(network.users["shiraz_city"])  # a member of another province sees them once published
    photo = fetch(client, f"/initiatives/{ini.id}/files/{ini.files[0].id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Content-Disposition"] == "inline; filename=stand.jpg"
    with Image.open(io.BytesIO(photo.data)) as image:
        assert not image.getexif().get_ifd(0x8825), "GPS position must be stripped"
    thumb = fetch(client, f"/initiatives/{ini.id}/files/{ini.files[1].id}?size=thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    document = fetch(client, f"/initiatives/{ini.id}/files/{ini.files[2].id}")
    assert document.mimetype == "application/pdf"
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert document.headers["X-Content-Type-Options"] == "nosniff"


REFUSED = [
    ("photos", SVG, "logo.svg"),
    ("photos", HTML, "page.html"),
    ("photos", EXECUTABLE, "photo.jpg"),
    ("photos", polyglot(), "polyglot.png"),
    ("photos", PDF, "not-a-photo.pdf"),
    ("documents", image_bytes("PNG"), "not-a-pdf.png"),
    ("documents", EXECUTABLE, "report.pdf"),
]


@pytest.mark.parametrize("field, data, name", REFUSED, ids=[r[2] for r in REFUSED])
def test_other_files_are_refused_with_a_message_and_nothing_is_saved(client, network, login_as, field,
                                                                     data, name):
    login_as(network.users["isfahan"])
    response = client.post("/initiatives/new?lang=en", data={**form(), field: [upload(data, name)]},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert name in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Initiative)) == 0
    assert db.session.scalar(select(func.count()).select_from(InitiativeFile)) == 0


def test_files_over_the_size_limit_are_refused(client, app, network, login_as, make_initiative, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 2_000)
    ini = make_initiative(network.orgs["IR-10"])
    login_as(network.users["isfahan"])
    response = client.post(f"/initiatives/{ini.id}/files?lang=en",
                           data={"files": [upload(image_bytes("BMP", size=(400, 400)), "big.png")]},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Nothing was added" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(InitiativeFile)) == 0


def test_owners_add_files_choose_the_cover_and_remove_files(client, network, login_as, make_initiative):
    ini = make_initiative(network.orgs["IR-10-ISFAHAN"])
    login_as(network.users["isfahan_city"])
    response = client.post(f"/initiatives/{ini.id}/files", data={
        "files": [upload(image_bytes("PNG"), "a.png"), upload(image_bytes("WEBP"), "b.webp")],
        "caption": "کارگاه"}, content_type="multipart/form-data")
    assert response.status_code == 302
    first, second = db.session.get(Initiative, ini.id).files
    assert first.is_cover and second.caption == "کارگاه"
    client.post(f"/initiatives/{ini.id}/files/{second.id}/cover")
    assert db.session.get(Initiative, ini.id).cover.id == second.id
    client.post(f"/initiatives/{ini.id}/files/{second.id}/delete")
    ini = db.session.get(Initiative, ini.id)
    assert [f.id for f in ini.files] == [first.id] and ini.cover.id == first.id
    from wcc.audit.models import AuditEvent

    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "initiatives", AuditEvent.object_id == str(ini.id)).order_by(AuditEvent.id)).all()
    assert actions == ["initiative.create", "initiative.add_file", "initiative.add_file",
                       "initiative.set_cover", "initiative.remove_file"]


def test_files_of_a_draft_are_private_like_the_draft(client, network, login_as, make_initiative):
    ini = make_initiative(network.orgs["IR-10-ISFAHAN"])
    link = services.add_file(ini, png())
    db.session.commit()
    login_as(network.users["shiraz_city"])
    assert fetch(client, f"/initiatives/{ini.id}/files/{link.id}").status_code == 404
    login_as(network.users["isfahan"])  # the province of the owner
    assert fetch(client, f"/initiatives/{ini.id}/files/{link.id}").status_code == 200
    assert client.post(f"/initiatives/{ini.id}/files/{link.id}/delete").status_code == 403
