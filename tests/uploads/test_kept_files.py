"""Files picked in a form that comes back with an error are kept with it and attached once on saving.

The re-shown form lists them (name, size, a small preview of photos) with a
"remove" checkbox and carries a signed token naming the user; saving attaches
them as they were checked on arrival, once, and clears them from the staging area.
"""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.initiatives.samples import HTML, PDF, image_bytes, jpeg_with_gps, upload
from tests.initiatives.test_pages import form
from wcc.extensions import db
from wcc.initiatives.models import Initiative, InitiativeFile
from wcc.reporting.models import ProgressReport, ReportEvidence
from wcc.uploads import staging
from wcc.uploads.models import StoredFile
from wcc.uploads.services import STAGED_DIR, _path

pytestmark = pytest.mark.usefixtures("reference_data")


def token_of(page: str) -> str:
    match = re.search(r'name="kept_uploads" value="([^"]+)"', page)
    assert match, "the re-shown form carries the kept files' token"
    return match.group(1)


def kept_ids(page: str) -> dict[str, str]:
    """File name → the value of its remove checkbox, as the form lists them."""
    return dict(re.findall(r'<li class="kept-file[^>]*>.*?<bdi>([^<]+)</bdi>.*?name="kept_remove" value="([0-9a-f]+)"',
                           page, re.S))


def stages(app) -> set[Path]:
    """The staging folders (the upload folder is shared by the tests of a session: compare sets)."""
    root = Path(app.config["UPLOAD_DIR"]) / STAGED_DIR
    return set(root.iterdir()) if root.exists() else set()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_initiative_form_with_an_error_keeps_its_photo_and_document_until_it_is_saved(
        app, client, network, login_as):
    before = stages(app)
    login_as(network.users["isfahan"])
    first = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(title=""), "photos": [upload(jpeg_with_gps(), "stand.jpg")],
        "documents": [upload(PDF, "programme.pdf")]})
    assert first.status_code == 400
    page = first.get_data(as_text=True)
    assert "Kept from your last attempt" in page
    assert set(kept_ids(page)) == {"stand.jpg", "programme.pdf"}
    assert 'src="data:image/jpeg;base64,' in page  # a preview of the photo
    assert count(StoredFile) == 0 and count(Initiative) == 0  # kept aside, nothing stored yet
    assert len(stages(app) - before) == 1

    saved = client.post("/initiatives/new?lang=en", content_type="multipart/form-data",
                        data={**form(title="نمایشگاه"), "kept_uploads": token_of(page)})
    assert saved.status_code == 302
    ini = db.session.scalars(select(Initiative)).one()
    assert [(f.kind, f.stored.original_name) for f in ini.files] == [("photo", "stand.jpg"),
                                                                     ("document", "programme.pdf")]
    assert ini.cover.stored.original_name == "stand.jpg"
    # The photo was cleaned when it arrived: no position in the stored copy.
    with Image.open(_path(ini.cover.stored.key)) as image:
        assert not image.getexif().get_ifd(0x8825)
    assert stages(app) == before  # the staging area is cleared once the save commits


def test_a_new_pick_adds_to_the_kept_files_and_a_ticked_one_is_dropped(client, network, login_as):
    login_as(network.users["isfahan"])
    first = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(title=""), "photos": [upload(image_bytes("PNG"), "a.png"), upload(image_bytes("JPEG"), "b.jpg")]})
    page = first.get_data(as_text=True)
    ids = kept_ids(page)
    second = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(title=""), "kept_uploads": token_of(page), "kept_remove": [ids["a.png"]],
        "photos": [upload(image_bytes("WEBP"), "c.webp")]})
    assert second.status_code == 400
    page = second.get_data(as_text=True)
    assert set(kept_ids(page)) == {"b.jpg", "c.webp"}
    saved = client.post("/initiatives/new", content_type="multipart/form-data",
                        data={**form(), "kept_uploads": token_of(page)})
    assert saved.status_code == 302
    ini = db.session.scalars(select(Initiative)).one()
    assert [f.stored.original_name for f in ini.files] == ["b.jpg", "c.webp"]


def test_a_refused_file_is_not_kept_and_the_others_are(client, network, login_as):
    login_as(network.users["isfahan"])
    response = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(), "photos": [upload(image_bytes("PNG"), "good.png")], "documents": [upload(HTML, "plan.pdf")]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "plan.pdf" in page  # the reason it was refused
    assert set(kept_ids(page)) == {"good.png"}
    assert count(Initiative) == 0


def test_another_user_cannot_use_the_token(client, network, login_as):
    login_as(network.users["isfahan"])
    page = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(title=""), "photos": [upload(image_bytes("PNG"), "private.png")]}).get_data(as_text=True)
    token = token_of(page)

    login_as(network.users["fars"])
    shown = client.post("/initiatives/new?lang=en", content_type="multipart/form-data",
                        data={**form(org="IR-07", title=""), "kept_uploads": token})
    assert "private.png" not in shown.get_data(as_text=True)
    saved = client.post("/initiatives/new", content_type="multipart/form-data",
                        data={**form(org="IR-07"), "kept_uploads": token})
    assert saved.status_code == 302
    assert count(InitiativeFile) == 0 and count(StoredFile) == 0

    login_as(network.users["isfahan"])  # the owner still has them
    assert client.post("/initiatives/new", content_type="multipart/form-data",
                       data={**form(), "kept_uploads": token}).status_code == 302
    assert [f.stored.original_name for f in db.session.scalars(select(InitiativeFile))] == ["private.png"]


def test_a_forged_or_expired_token_keeps_nothing(client, network, login_as, monkeypatch):
    login_as(network.users["isfahan"])
    page = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(title=""), "photos": [upload(image_bytes("PNG"), "late.png")]}).get_data(as_text=True)
    token = token_of(page)
    forged = client.post("/initiatives/new", content_type="multipart/form-data",
                         data={**form(title="forged"), "kept_uploads": token[:-4] + "AAAA"})
    assert forged.status_code == 302
    monkeypatch.setattr(staging, "STAGE_SECONDS", -1)
    expired = client.post("/initiatives/new?lang=en", content_type="multipart/form-data",
                          data={**form(title=""), "kept_uploads": token})
    assert "have expired; choose them again" in expired.get_data(as_text=True)
    assert count(InitiativeFile) == 0


def _edit(client, report, value, token="", files=()):
    return client.post(f"/reports/{report.id}/edit?lang=en", content_type="multipart/form-data", data={
        "version": str(report.version), "value": value, "narrative": "", "action": "save",
        "kept_uploads": token, "evidence": [upload(data, name) for data, name in files]})


def test_report_evidence_is_kept_across_an_error_and_a_retried_submit_attaches_it_once(
        client, network, make_goal, login_as):
    goal = make_goal()
    login_as(network.users["isfahan_city"])
    assert client.post("/reports/new", content_type="multipart/form-data", data={
        "goal": goal.code, "period": "1404-Q2", "value": "10", "action": "save"}).status_code == 302
    report = db.session.scalars(select(ProgressReport)).one()
    refused = _edit(client, report, "not a number", files=[(image_bytes("JPEG"), "namad.jpg"), (PDF, "bill.pdf")])
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert set(kept_ids(page)) == {"namad.jpg", "bill.pdf"}
    token = token_of(page)
    assert _edit(client, report, "12", token).status_code == 302
    db.session.expire_all()
    report = db.session.get(ProgressReport, report.id)
    assert sorted(e.file.original_name for e in report.evidence) == ["bill.pdf", "namad.jpg"]
    # The same form sent again (a double click, a retry after a lost answer) attaches nothing more.
    assert _edit(client, report, "12", token).status_code == 302
    assert count(ReportEvidence) == 2 and count(StoredFile) == 2


def test_sweep_uploads_removes_kept_files_whose_token_expired(app, client, network, login_as, runner):
    before = stages(app)
    login_as(network.users["isfahan"])
    client.post("/initiatives/new", content_type="multipart/form-data", data={
        **form(title=""), "photos": [upload(image_bytes("PNG"), "old.png")]})
    client.post("/initiatives/new", content_type="multipart/form-data", data={
        **form(title=""), "photos": [upload(image_bytes("PNG"), "new.png")]})
    made = stages(app) - before
    assert len(made) == 2
    old = next(p for p in made if "old.png" in (p / "manifest.json").read_text())
    long_ago = time.time() - staging.STAGE_SECONDS - 60
    os.utime(old / "manifest.json", (long_ago, long_ago))
    result = runner.invoke(args=["sweep-uploads"])
    assert result.exit_code == 0 and "1 expired" in result.output
    assert not old.exists() and all(p.exists() for p in made if p != old)


def test_a_save_that_rolls_back_gives_the_kept_files_back(app, network):
    """Claimed by a save whose transaction then rolls back, the files stay kept for the next try."""
    from flask_login import login_user

    user = network.users["isfahan"]
    before = stages(app)
    with app.test_request_context("/initiatives/new", method="POST",
                                  data={"photos": [(io.BytesIO(image_bytes("PNG")), "p.png")]},
                                  content_type="multipart/form-data"):
        login_user(user)
        from wcc.initiatives.forms import InitiativeForm

        kept = staging.KeptUploads({"photos": ("image",)})
        assert kept.keep_new(InitiativeForm(meta={"csrf": False}))
        token = kept.token
        assert [s.original_name for s in kept.store()["photos"]] == ["p.png"]
        assert len(stages(app) - before) == 1 and next(iter(stages(app) - before)).name != kept.stage_id
        db.session.rollback()
        assert [p.name for p in stages(app) - before] == [kept.stage_id]
    with app.test_request_context("/initiatives/new", method="POST", data={"kept_uploads": token}):
        login_user(user)
        again = staging.KeptUploads({"photos": ("image",)})
        assert [f.name for f in again.files] == ["p.png"]
        again.store()
        db.session.commit()
    assert stages(app) == before


def test_a_form_whose_files_cannot_be_kept_says_so_and_keeps_nothing(app, client, network, login_as, tmp_path,
                                                                    monkeypatch):
    # The staging folder is taken by a plain file: the file system refuses every write there, as a full
    # or read-only disk does. The form comes back with its error and the storage's, never a 500.
    root = tmp_path / "uploads"
    root.mkdir()
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(root))
    (root / STAGED_DIR).write_bytes(b"")
    login_as(network.users["isfahan"])
    response = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(title=""), "photos": [upload(image_bytes("PNG"), "good.png")]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "the server&#39;s storage is not available" in page or "the server's storage is not available" in page
    assert kept_ids(page) == {}
    assert count(Initiative) == 0 and count(StoredFile) == 0
    assert [p.name for p in root.rglob("*")] == [STAGED_DIR]
