"""Measure the memory one photo upload costs, in a process of its own.

    python tests/uploads/decode_memory.py CONFIG.json PHOTO [--pillow-only]

Builds the app from CONFIG (the test's own database and upload folder), warms it up with a
small photo, then stores PHOTO through ``store_upload`` in a request and rolls back. Prints
JSON: the resident memory before (kB), the process's peak after (kB), and the stored size or
the refusal. ``--pillow-only`` decodes PHOTO with plain Pillow instead, to show that the
measurement sees a full decode.

A fresh process is needed because the peak is the highest the process ever reached, and a
test process has been higher than one upload long before. The peak is the kernel's high-water
mark of this program's memory (``VmHWM``), which is what ``getrusage``'s ``ru_maxrss`` reports
too, except that ``ru_maxrss`` keeps the parent's peak across fork and exec (Linux): started
from a test process that made large photos, it would hide any growth below that.
"""

from __future__ import annotations

import io
import json
import resource
import sys
from pathlib import Path


def memory_kb(field: str) -> int:
    """``VmRSS`` (resident now) or ``VmHWM`` (the peak of resident memory) of this process, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def main(config_path: str, photo_path: str, pillow_only: bool) -> dict:
    from PIL import Image
    from werkzeug.datastructures import FileStorage

    from wcc import create_app
    from wcc.errors import ServiceError
    from wcc.extensions import db
    from wcc.uploads.services import store_upload

    app = create_app(json.loads(Path(config_path).read_text()))
    photo = Path(photo_path).read_bytes()

    def store(data: bytes, name: str) -> dict:
        with app.test_request_context():
            try:
                stored = store_upload(FileStorage(stream=io.BytesIO(data), filename=name), allow=("image",))
                return {"width": stored.width, "height": stored.height}
            except ServiceError as exc:
                return {"refused": exc.message}
            finally:
                db.session.rollback()

    small = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 90, 160)).save(small, "JPEG")
    store(small.getvalue(), "warm-up.jpg")  # imports, translations, the database connection

    before = memory_kb("VmRSS")
    if pillow_only:
        with Image.open(io.BytesIO(photo)) as image:
            image.load()
            result = {"width": image.width, "height": image.height}
    else:
        result = store(photo, Path(photo_path).name)
    return {"rss_before_kb": before, "peak_after_kb": memory_kb("VmHWM"),
            "maxrss_after_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, **result}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], "--pillow-only" in sys.argv[3:])))
