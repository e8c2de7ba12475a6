"""Evidence on reports: photos and PDFs checked by wcc.uploads, readable by those who see the report."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.reporting.models import ProgressReport, ReportEvidence
from wcc.uploads.models import StoredFile
from wcc.uploads.services import PENDING_DIR, STAGED_DIR

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 90, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def goal(make_goal):
    return make_goal()


def new_report(client, *files, action="save"):
    return client.post("/reports/new?lang=en", content_type="multipart/form-data", data={
        "goal": "EXPORT-RU", "period": "1404-Q2", "value": "۱۲٬۵۰۰", "action": action,
        "evidence": [(io.BytesIO(data), name) for data, name in files]})


def test_photos_and_pdfs_go_with_the_report_and_only_its_readers_get_them(client, network, goal, login_as):
    login_as(network.users["isfahan_city"])
    assert new_report(client, (photo(), "namad.jpg"), (PDF, "invoice.pdf"), action="submit").status_code == 302
    report = db.session.scalar(select(ProgressReport))
    items = db.session.scalars(select(ReportEvidence).order_by(ReportEvidence.id)).all()
    assert [(e.file.kind, e.file.original_name) for e in items] == [("image", "namad.jpg"), ("pdf", "invoice.pdf")]
    page = client.get(f"/reports/{report.id}?lang=en").get_data(as_text=True)
    assert f"/reports/{report.id}/evidence/{items[0].id}?thumb=1" in page and "invoice.pdf" in page
    for name, status in (("isfahan_city", 200), ("isfahan", 200), ("ministry", 200), ("kashan_city", 404)):
        login_as(network.users[name])
        with client.get(f"/reports/{report.id}/evidence/{items[0].id}") as response:
            assert response.status_code == status, name
            if status == 200:
                assert response.mimetype == "image/jpeg"
                assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report.evidence_add")) == 2


@pytest.mark.parametrize("data, name, message", [
    (b"<html><script>alert(1)</script></html>", "photo.jpg", "not accepted"),
    (b"MZ\x90\x00 a program", "setup.pdf", "not accepted"),
    (PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "tricky.pdf",
     "scripts"),
])
def test_a_refused_file_keeps_the_whole_report_from_being_saved(client, network, goal, login_as, data, name,
                                                                message):
    login_as(network.users["isfahan_city"])
    response = new_report(client, (photo(), "good.jpg"), (data, name))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReportEvidence)) == 0


def test_files_can_be_removed_while_the_report_is_open_and_not_once_approved(client, network, goal, login_as):
    login_as(network.users["isfahan_city"])
    new_report(client, (PDF, "invoice.pdf"))
    report = db.session.scalar(select(ProgressReport))
    item = db.session.scalar(select(ReportEvidence))
    login_as(network.users["kashan_city"])
    assert client.post(f"/reports/{report.id}/evidence/{item.id}/delete").status_code == 404
    login_as(network.users["isfahan"])
    assert client.post(f"/reports/{report.id}/evidence/{item.id}/delete").status_code == 403
    login_as(network.users["isfahan_city"])
    assert client.post(f"/reports/{report.id}/evidence/{item.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ReportEvidence)) == 0
    client.post(f"/reports/{report.id}/edit", content_type="multipart/form-data",
                data={"version": "1", "value": "1", "evidence": [(io.BytesIO(PDF), "again.pdf")]})
    item = db.session.scalar(select(ReportEvidence))
    report = db.session.get(ProgressReport, report.id)
    report.status = "approved"
    db.session.commit()
    response = client.post(f"/reports/{report.id}/evidence/{item.id}/delete?lang=en")
    assert response.status_code == 409 and "locked" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ReportEvidence)) == 1


def test_an_upload_folder_that_refuses_the_file_answers_503_and_keeps_nothing(app, client, network, goal,
                                                                             login_as, tmp_path, monkeypatch):
    # The folder for files in transit is taken by a plain file: the file system refuses every write there,
    # as a full or read-only disk does.
    root = tmp_path / "uploads"
    root.mkdir()
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(root))
    (root / PENDING_DIR).write_bytes(b"")
    login_as(network.users["isfahan_city"])
    response = new_report(client, (photo(), "namad.jpg"), action="submit")
    assert response.status_code == 503
    assert "Nothing has been saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    # Nothing stored; the picked photo is only kept with the re-shown form (the staging area).
    assert [p.name for p in root.iterdir() if p.name != STAGED_DIR] == [PENDING_DIR]
    # Once the folder takes files again, the same report goes through.
    (root / PENDING_DIR).unlink()
    assert new_report(client, (photo(), "namad.jpg"), action="submit").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ReportEvidence)) == 1
