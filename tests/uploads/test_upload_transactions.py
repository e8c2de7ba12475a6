"""Uploaded files follow their transaction: on disk once it commits, gone when it rolls back.

A refused request leaves no stored file behind (what passed the checks is only
kept with the form, see tests/uploads/test_kept_files.py); deleting a stored file removes it only
when the deletion commits; ``flask sweep-uploads`` removes what no row points to.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.initiatives.samples import HTML, PDF, image_bytes, upload
from tests.initiatives.test_pages import form
from wcc.extensions import db
from wcc.uploads.models import StoredFile
from wcc.uploads.services import PENDING_DIR, STAGED_DIR, delete_stored, store_bytes


def files_on_disk(app) -> set[Path]:
    """Stored files and those still pending, not the files kept with forms shown again."""
    root = Path(app.config["UPLOAD_DIR"])
    return {p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != STAGED_DIR} \
        if root.exists() else set()


def on_disk(app, key: str) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / key[:2] / key


@pytest.fixture
def goal(make_goal):
    return make_goal()


def test_refused_requests_leave_no_file_behind(app, client, network, goal, make_initiative, reference_data,
                                               login_as):
    ini = make_initiative(network.orgs["IR-10"])
    before = files_on_disk(app)
    login_as(network.users["isfahan_city"])
    # A new report with a photo, submitted without its value: the photo was stored, then the step refused.
    report = client.post("/reports/new?lang=en", content_type="multipart/form-data", data={
        "goal": goal.code, "period": "1404-Q2", "value": "", "action": "submit",
        "evidence": [upload(image_bytes("JPEG"), "namad.jpg")]})
    assert report.status_code == 422
    login_as(network.users["isfahan"])
    # A new initiative with a good photo and a document that is really a web page.
    new = client.post("/initiatives/new?lang=en", content_type="multipart/form-data", data={
        **form(), "photos": [upload(image_bytes("PNG"), "stand.png")], "documents": [upload(HTML, "plan.pdf")]})
    assert new.status_code == 400
    # Two files added to an initiative, the second refused: nothing is added.
    added = client.post(f"/initiatives/{ini.id}/files?lang=en", content_type="multipart/form-data",
                        data={"files": [upload(image_bytes("WEBP"), "a.webp"), upload(HTML, "b.png")]},
                        follow_redirects=True)
    assert "Nothing was added" in added.get_data(as_text=True)
    assert files_on_disk(app) == before
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_a_committed_upload_is_in_place_and_a_rolled_back_one_is_gone(app):
    before = files_on_disk(app)
    kept = store_bytes(image_bytes("JPEG"), "kept.jpg")
    assert not on_disk(app, kept.key).exists()  # not before its row is committed
    db.session.commit()
    assert on_disk(app, kept.key).exists() and on_disk(app, kept.thumbnail_key).exists()
    dropped = store_bytes(PDF, "dropped.pdf")
    db.session.rollback()
    assert not on_disk(app, dropped.key).exists()
    assert files_on_disk(app) - before == {on_disk(app, kept.key), on_disk(app, kept.thumbnail_key)}


def test_a_file_stored_in_a_savepoint_that_rolls_back_is_not_kept(app):
    before = files_on_disk(app)
    kept = store_bytes(PDF, "kept.pdf")
    savepoint = db.session.begin_nested()
    undone = store_bytes(PDF, "undone.pdf")
    savepoint.rollback()
    db.session.commit()
    assert on_disk(app, kept.key).exists() and not on_disk(app, undone.key).exists()
    assert files_on_disk(app) - before == {on_disk(app, kept.key)}


def test_a_deleted_file_goes_only_when_the_deletion_commits(app):
    stored = store_bytes(image_bytes("PNG"), "photo.png")
    db.session.commit()
    paths = [on_disk(app, stored.key), on_disk(app, stored.thumbnail_key)]
    delete_stored(stored)
    db.session.flush()
    db.session.rollback()
    assert all(p.exists() for p in paths)  # the deletion was rolled back: the file stays
    delete_stored(db.session.get(StoredFile, stored.id))
    db.session.commit()
    assert not any(p.exists() for p in paths)


def test_sweep_uploads_removes_only_files_no_row_points_to(app, runner):
    stored = store_bytes(PDF, "kept.pdf")
    db.session.commit()
    root = Path(app.config["UPLOAD_DIR"])
    orphan = root / "ab" / "ab0000000000000000000000000000ff.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PDF)
    pending = root / PENDING_DIR
    pending.mkdir(parents=True, exist_ok=True)
    abandoned, in_progress = pending / "old.pdf.1234.part", pending / "new.pdf.5678.part"
    abandoned.write_bytes(PDF)
    in_progress.write_bytes(PDF)
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    # Other tests of this session may have left files too; this test only looks at its own.
    dry = runner.invoke(args=["sweep-uploads", "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.output
    assert "ab0000000000000000000000000000ff.pdf" in dry.output and "old.pdf.1234.part" in dry.output
    assert stored.key not in dry.output and "new.pdf.5678.part" not in dry.output
    assert orphan.exists() and abandoned.exists()
    swept = runner.invoke(args=["sweep-uploads"])
    assert swept.exit_code == 0 and "removed" in swept.output
    assert not orphan.exists() and not abandoned.exists()
    assert in_progress.exists() and on_disk(app, stored.key).exists()
    in_progress.unlink()
