"""Printing a document decodes its photos under the rule uploads follow (``wcc.images``): one at
a time per process, within ``IMAGE_DECODE_PIXELS``. A PNG stored before that budget existed (up
to 40 MP) is not decoded: the document prints a translated note in its place.

Memory is measured, not estimated, as for uploads (``tests/uploads/test_image_memory.py``): the
document is rendered in a fresh process (``render_memory.py``) that reads its resident memory
before and its peak after (``VmHWM``), from the test's database and upload folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image

from tests.documents.conftest import BIDI_AND_JOINERS, pdf_text
from tests.fixtures.images import turn_held_elsewhere, wait_until
from wcc.documents.models import Document, DocumentKind
from wcc.documents.pdf import photo_url, render_pdf
from wcc.documents.queries import Span
from wcc.documents.services import render
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.initiatives import services as initiatives
from wcc.uploads.services import decode_turn as upload_decode_turn
from wcc.uploads.services import store_generated

HELPER = Path(__file__).with_name("render_memory.py")
ROOT = Path(__file__).resolve().parents[2]
#: What printing one document may add to a worker's memory (as for one upload: about 100 MB).
MAX_GROWTH_MB = 120
NOTE = ("This photo is not printed: it is a PNG or WebP picture stored before the size limit, too large to "
        "prepare for printing. Upload it again as a JPEG, then make the document again.")


@pytest.fixture(scope="module")
def old_photos(tmp_path_factory) -> dict[str, Path]:
    """Photos uploads accepted before the decode budget: written once, outside the measured process."""
    folder = tmp_path_factory.mktemp("old-photos")
    made = {"scan.png": folder / "scan.png", "panorama.jpg": folder / "panorama.jpg"}
    # 39.7 MP, 150 KB: decoded, 160 MB (and as much again for a copy in RGB).
    Image.new("RGB", (6300, 6300), (250, 250, 250)).save(made["scan.png"], "PNG")
    # 38.4 MP, too low for the print size alone to let the decoder scale it down (80 mm at
    # 300 dpi is 945 px: 1600 px high allows no 1/2): the budget makes it decode at 1/2.
    Image.linear_gradient("L").resize((24000, 1600)).convert("RGB").save(made["panorama.jpg"], "JPEG",
                                                                          quality=80)
    return made


def _keep_old_photo(ini, path: Path, content_type: str, caption: str):
    """Attach a photo as uploads stored it before the budget: its bytes and size, unchanged."""
    with Image.open(path) as probe:
        size = probe.size
    stored = store_generated(path.read_bytes(), path.name, content_type)
    stored.kind, stored.width, stored.height = "image", *size
    return initiatives.add_file(ini, stored, caption=caption)


def _report(org, photo_ids: list[int], language: str = "en") -> Document:
    document = Document(kind=DocumentKind.DESIGNATION_REPORT, org_id=org.id, org=org, language=language,
                        title="Activity report", span_start=Span(1404, 1405).start, span_end=Span(1404, 1405).end,
                        sources={"photos": photo_ids}, narrative="")
    db.session.add(document)
    db.session.commit()
    return document


@pytest.fixture
def documents(city, old_photos):
    """Two activity reports of the city: one with today's photo, one with the two old photos too."""
    scan = _keep_old_photo(city.felt, old_photos["scan.png"], "image/png", "The old workshop")
    panorama = _keep_old_photo(city.felt, old_photos["panorama.jpg"], "image/jpeg", "The bazaar")
    db.session.commit()
    today = city.felt.photos[0]
    return {"small": _report(city.org, [today.id]),
            "old": _report(city.org, [today.id, scan.id, panorama.id]),
            "old_fa": _report(city.org, [today.id, scan.id, panorama.id], "fa")}


def _images(pdf: bytes) -> list[tuple[int, int]]:
    listing = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True)
    rows = [line.split() for line in listing.stdout.decode().splitlines()[2:] if line.strip()]
    return [(int(row[3]), int(row[4])) for row in rows]


def _render(app, document: Document) -> bytes:
    with app.test_request_context("/"):
        return render(db.session.get(Document, document.id)).data


@pytest.mark.parametrize("name, language", [("old", "en"), ("old_fa", "fa")])
def test_an_old_png_over_the_budget_is_not_printed_and_a_note_says_why(app, documents, name, language):
    pdf = _render(app, documents[name])
    with force_locale(language):
        note = _(NOTE)
    assert language == "en" or note != NOTE
    text = pdf_text(pdf)
    # pdftotext reorders the punctuation of right-to-left lines: the note's first sentence is compared
    first, _rest = BIDI_AND_JOINERS.sub("", note).split(":", 1)
    assert first in text and (language != "en" or NOTE in text)
    assert "The old workshop" in text  # its caption is still there
    # Today's photo and the panorama are printed (at 300 dpi over 80 mm at most); the scan is not.
    assert sorted(_images(pdf)) == sorted([(945, 630), (945, 63)])


def measure(app, warm_up: Document, document: Document, **config) -> dict:
    settings = {key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "UPLOAD_DIR",
        "RATELIMIT_STORAGE_URI", "CACHE_TYPE", "REDIS_URL", "SERVER_NAME", "WTF_CSRF_ENABLED")} | config
    folder = Path(app.config["INSTANCE_DIR"])
    (folder / "render-memory.json").write_text(json.dumps(settings))
    done = subprocess.run([sys.executable, str(HELPER), str(folder / "render-memory.json"), str(warm_up.id),
                           str(document.id), str(folder / "render-memory.pdf")],
                          capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["growth_mb"] = (result["peak_after_kb"] - result["rss_before_kb"]) / 1024
    result["pdf"] = (folder / "render-memory.pdf").read_bytes()
    return result


def test_printing_old_photos_stays_within_the_bound(app, documents):
    result = measure(app, documents["small"], documents["old"])
    assert NOTE in pdf_text(result["pdf"])
    assert len(_images(result["pdf"])) == 2
    assert result["growth_mb"] < MAX_GROWTH_MB, {k: v for k, v in result.items() if k != "pdf"}


def test_the_measurement_sees_the_scan_decoded_without_the_budget(app, documents):
    """With a budget as large as the scan (as before), the same document costs far more: the
    method can fail, and it is the budget that keeps printing small."""
    result = measure(app, documents["small"], documents["old"], IMAGE_DECODE_PIXELS=40_000_000)
    assert len(_images(result["pdf"])) == 3  # the scan printed, so decoded at full size
    assert result["growth_mb"] > 150, {k: v for k, v in result.items() if k != "pdf"}


def test_a_document_waits_while_an_upload_decodes(app, documents):
    """Uploads and documents take turns in one line: a document being printed waits while an
    upload holds the turn (the uploads' own ``decode_turn``) and goes on when it is free."""
    made = []

    def print_document():
        with app.app_context():
            made.append(_render(app, documents["small"]))

    printer = threading.Thread(target=print_document)
    with upload_decode_turn():  # an upload's photo being decoded
        printer.start()
        wait_until(lambda: upload_decode_turn.waiting == 1)  # the document's photo is in line ...
        assert made == [] and printer.is_alive()  # ... and is not decoded while the upload is
    printer.join(timeout=120)
    assert len(made) == 1 and _images(made[0]) == [(945, 630)]
    assert upload_decode_turn.waiting == 0


def test_a_document_printed_during_a_decode_does_not_wait_for_itself(app, documents):
    """A thread that has the turn keeps it: a job run inside a request that holds it goes on."""
    with upload_decode_turn():
        pdf = _render(app, documents["small"])
        assert upload_decode_turn.waiting == 0
    assert _images(pdf) == [(945, 630)]


def test_a_page_printed_in_a_request_that_waits_too_long_is_asked_to_try_again(app, city, monkeypatch):
    """A request (a page as PDF) waits for its turn only so long, then answers 503 rather than
    leaving the photo out; a background job waits as long as it takes."""
    monkeypatch.setitem(app.config, "IMAGE_DECODE_WAIT_SECONDS", 0)
    photo = city.felt.photos[0]
    html = f'<html><body><img src="{photo_url(photo.stored_file_id, 80)}"></body></html>'
    with app.test_request_context("/"), force_locale("en"):
        with turn_held_elsewhere(app), pytest.raises(ServiceError, match="try again") as busy:
            render_pdf(html, photos={photo.stored_file_id: photo.stored.key})
        assert busy.value.status == 503
        assert len(_images(render_pdf(html, photos={photo.stored_file_id: photo.stored.key}).data)) == 1


def test_a_brochure_prints_the_note_and_takes_no_unprintable_cover(app, network, city, old_photos):
    scan = _keep_old_photo(city.felt, old_photos["scan.png"], "image/png", "The old workshop")
    for photo in city.felt.photos:
        photo.is_cover = photo.id == scan.id
    brochure = Document(kind=DocumentKind.BROCHURE, org_id=network.orgs["WCC"].id, org=network.orgs["WCC"],
                        language="ru", title="Brochure", sources={"initiatives": [city.felt.id], "paper": "A4"})
    db.session.add(brochure)
    db.session.commit()
    pdf = _render(app, brochure)
    with force_locale("ru"):
        note = _(NOTE)
    assert note != NOTE and note.split(":")[0] in pdf_text(pdf)
    # No cover (the felt story's chosen cover cannot be printed), and its other photo in the story.
    assert _images(pdf) == [(945, 630)]
