"""Pages as PDF: the report, initiative, goal, province and member pages, rendered by WeasyPrint
from the very HTML the browser gets (``?format=pdf``), with the print stylesheet.

The PDF is made from the page's own response, after the view has checked every
permission; the renderer may fetch the app's static files and the photos of
initiatives the signed-in user may see, nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, Response, current_app, request
from flask_login import current_user

from wcc.documents.pdf import PdfTooLong, PdfUnavailable, render_pdf

#: Pages that offer "Download PDF", and the file name they download as.
PRINTABLE = {
    "reporting.detail": "wcc-report-{report_id}",
    "initiatives.detail": "wcc-initiative-{initiative_id}",
    "goals.detail": "wcc-goal-{code}",
    "dashboards.goal": "wcc-goal-dashboard-{code}",
    "dashboards.province": "wcc-province-{code}",
    "dashboards.member": "wcc-member-{code}",
}
_INITIATIVE_FILE = re.compile(r"^/initiatives/(\d+)/files/(\d+)$")


def wants_pdf() -> bool:
    return request.args.get("format") == "pdf" and request.endpoint in PRINTABLE


def _initiative_file(path: str) -> Path | None:
    """The file behind an initiative's photo URL, when the signed-in user may see it."""
    from wcc.extensions import db
    from wcc.initiatives.models import InitiativeFile
    from wcc.permissions import can
    from wcc.uploads.services import _path

    match = _INITIATIVE_FILE.match(path)
    if match is None:
        return None
    link = db.session.get(InitiativeFile, int(match.group(2)))
    if link is None or link.initiative_id != int(match.group(1)):
        return None
    if not can(current_user, "initiative.view_files", link.initiative) or link.kind != "photo":
        return None
    return _path(link.stored.key)


def _file_name() -> str:
    pattern = PRINTABLE[request.endpoint]
    safe = {k: re.sub(r"[^A-Za-z0-9-]", "", str(v)) for k, v in (request.view_args or {}).items()}
    return pattern.format(**safe) + ".pdf"


def page_as_pdf(response: Response) -> Response:
    """Turn a printable page's HTML answer into its PDF (errors and redirects pass unchanged)."""
    from wcc.errors import ServiceError, error_response

    if not wants_pdf() or response.status_code != 200 or response.mimetype != "text/html":
        return response
    html = response.get_data(as_text=True)
    try:
        rendered = render_pdf(html, resolve=_initiative_file,
                              max_pages=current_app.config.get("PDF_MAX_PAGES", 80))
    except (PdfUnavailable, PdfTooLong) as exc:
        return error_response(503 if isinstance(exc, PdfUnavailable) else 422, str(exc))
    except ServiceError as exc:  # a photo waited too long for its turn to be decoded
        return error_response(exc.status, exc.message)
    pdf = Response(rendered.data, mimetype="application/pdf")
    pdf.headers["Content-Disposition"] = f'attachment; filename="{_file_name()}"'
    pdf.headers["X-Content-Type-Options"] = "nosniff"
    pdf.headers["Cache-Control"] = "private, no-store"
    pdf.headers["X-Page-Count"] = str(rendered.pages)
    return pdf


def printable_page() -> str | None:
    """The URL of this page's PDF when the page is printable, else None."""
    from urllib.parse import urlencode

    if request.endpoint not in PRINTABLE:
        return None
    args = request.args.to_dict(flat=False)
    args["format"] = ["pdf"]
    return request.path + "?" + urlencode(args, doseq=True)


def init_page_pdfs(app: Flask) -> None:
    app.after_request(page_as_pdf)
    from wcc.documents.svg import table_chart
    from wcc.periods import today

    app.jinja_env.globals.update(printable_page=printable_page, network_today=today, table_chart=table_chart)
