"""Measure the memory printing one document costs, in a process of its own.

    python tests/documents/render_memory.py CONFIG.json WARM_UP_ID DOCUMENT_ID OUT.pdf

Builds the app from CONFIG (the test's own database and upload folder), warms it up by
rendering document WARM_UP_ID (WeasyPrint, fonts, templates, translations, a small photo),
then renders DOCUMENT_ID as its background job does (``services.render``) and writes the PDF
to OUT. The peak is reset after the warm-up where the kernel allows it. Prints JSON: the resident memory before (kB) and the process's peak after (kB,
``VmHWM``), as ``tests/uploads/decode_memory.py`` does for an upload, and the page count.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

from tests.uploads.decode_memory import memory_kb


def main(config_path: str, warm_up_id: int, document_id: int, out: str) -> dict:
    from wcc import create_app
    from wcc.documents.models import Document
    from wcc.documents.services import render
    from wcc.extensions import db

    app = create_app(json.loads(Path(config_path).read_text()))
    with app.app_context(), app.test_request_context("/"):
        render(db.session.get(Document, warm_up_id))
        db.session.rollback()  # nothing held open while measuring
        document = db.session.get(Document, document_id)
        with contextlib.suppress(OSError):  # the warm-up's own peak is not this document's
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to VmRSS (Linux 4.0+)
        before = memory_kb("VmRSS")
        rendered = render(document)
        peak = memory_kb("VmHWM")
        Path(out).write_bytes(rendered.data)
        db.session.rollback()
    return {"rss_before_kb": before, "peak_after_kb": peak, "pages": rendered.pages}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])))
