"""The memory a photo upload may take is bounded, and photos are decoded one at a time.

Memory is measured, not estimated: each upload runs in a fresh process
(``decode_memory.py``) that reads its resident memory before and its peak after
(the kernel's high-water mark, ``VmHWM``), through the real ``store_upload`` on the
test's database.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from werkzeug.datastructures import FileStorage

from tests.fixtures.images import turn_held_elsewhere, wait_until
from wcc.errors import ServiceError
from wcc.uploads.services import check_upload, decode_turn

HELPER = Path(__file__).with_name("decode_memory.py")
ROOT = Path(__file__).resolve().parents[2]
#: What one upload may add to a worker's memory (the requirement says about 100 MB).
MAX_GROWTH_MB = 120
ORIENTATION = 0x0112


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> dict[str, Path]:
    """Large photos written once: made here, so that making them costs the measured process nothing."""
    folder = tmp_path_factory.mktemp("large-photos")
    made = {}

    def write(name: str, image: Image.Image, fmt: str, **save_args) -> None:
        made[name] = folder / name
        image.save(made[name], fmt, **save_args)
        image.close()

    # The pixel flood of the review: 150 KB on disk, 39.7 megapixels, just under WCC_MAX_IMAGE_PIXELS.
    write("flood.png", Image.new("RGB", (6300, 6300), (250, 250, 250)), "PNG")
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # taken holding the camera upright: shown turned a quarter
    write("large.jpg", Image.linear_gradient("L").resize((7000, 5000)).convert("RGB"), "JPEG",
          quality=85, exif=exif.tobytes())
    write("camera.jpg", Image.linear_gradient("L").resize((4000, 2667)).convert("RGB"), "JPEG", quality=85)
    # The most a PNG may have to be decoded at full size, with transparency and turned a quarter: the
    # costliest path (the decoded picture and its turned copy are both in memory for a moment).
    budget = Image.linear_gradient("L").resize((4096, 3072)).convert("RGBA")
    budget.putalpha(200)
    write("budget.png", budget, "PNG", exif=exif.tobytes())
    return made


def measure(app, photo: Path, *extra: str) -> dict:
    config = {key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "UPLOAD_DIR",
        "RATELIMIT_STORAGE_URI", "CACHE_TYPE", "REDIS_URL", "SERVER_NAME", "WTF_CSRF_ENABLED")}
    config_path = Path(app.config["INSTANCE_DIR"]) / "decode-memory.json"
    config_path.write_text(json.dumps(config))
    done = subprocess.run([sys.executable, str(HELPER), str(config_path), str(photo), *extra],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["growth_mb"] = (result["peak_after_kb"] - result["rss_before_kb"]) / 1024
    return result


def test_the_measurement_sees_a_full_decode(app, photos):
    """Without the checks, decoding the pixel flood alone takes about 160 MB: the method can fail."""
    result = measure(app, photos["flood.png"], "--pillow-only")
    assert (result["width"], result["height"]) == (6300, 6300)
    assert result["growth_mb"] > 150


def test_a_png_pixel_flood_is_refused_without_being_decoded(app, photos):
    result = measure(app, photos["flood.png"])
    assert "flood.png" in result["refused"] and "JPEG" in result["refused"]
    assert result["growth_mb"] < MAX_GROWTH_MB, result


def test_a_large_jpeg_is_decoded_at_a_smaller_scale_and_turned_upright(app, photos):
    result = measure(app, photos["large.jpg"])
    assert "refused" not in result, result
    assert (result["width"], result["height"]) == (2500, 3500)  # half of 7000 × 5000, turned a quarter
    assert result["growth_mb"] < MAX_GROWTH_MB, result


@pytest.mark.parametrize("name, size", [("camera.jpg", (4000, 2667)), ("budget.png", (3072, 4096))])
def test_photos_within_the_decode_budget_are_kept_at_full_size_within_the_bound(app, photos, name, size):
    result = measure(app, photos[name])
    assert (result["width"], result["height"]) == size
    assert result["growth_mb"] < MAX_GROWTH_MB, result


def test_a_png_over_the_decode_budget_is_refused_with_advice(make_app):
    app = make_app(IMAGE_DECODE_PIXELS=1_000_000)
    out = io.BytesIO()
    Image.new("RGB", (1500, 1000), (1, 2, 3)).save(out, "PNG")
    with app.test_request_context("/"), force_locale("en"), \
            pytest.raises(ServiceError, match="Save it as JPEG") as refused:
        check_upload(FileStorage(io.BytesIO(out.getvalue()), "scan.png"))
    assert "scan.png" in refused.value.message


def test_photos_are_decoded_one_at_a_time(app):
    photo = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 120, 40)).save(photo, "JPEG")
    checked = []

    def second_upload():
        with app.app_context():
            checked.append(check_upload(FileStorage(io.BytesIO(photo.getvalue()), "second.jpg")))

    worker = threading.Thread(target=second_upload)
    with decode_turn():  # a decode in progress in this thread
        worker.start()
        wait_until(lambda: decode_turn.waiting == 1)  # the second upload is in line ...
        assert checked == [] and worker.is_alive()  # ... and cannot get past while the turn is held
    worker.join(timeout=60)
    assert [(c.width, c.height) for c in checked] == [(800, 600)]
    assert decode_turn.waiting == 0


def test_an_upload_that_waits_too_long_for_its_turn_is_asked_to_try_again(make_app):
    app = make_app(IMAGE_DECODE_WAIT_SECONDS=0)
    photo = io.BytesIO()
    Image.new("RGB", (80, 60)).save(photo, "JPEG")
    with app.test_request_context("/"), force_locale("en"):
        with turn_held_elsewhere(app), pytest.raises(ServiceError, match="try again") as busy:
            check_upload(FileStorage(io.BytesIO(photo.getvalue()), "busy.jpg"))
        assert busy.value.status == 503
        # The turn is free again afterwards.
        assert check_upload(FileStorage(io.BytesIO(photo.getvalue()), "later.jpg")).width == 80
