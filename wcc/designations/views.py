"""``/designations``: World Craft City designations, their activity reports and reminders."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wcc.designations import services
from wcc.designations.models import Designation, DesignationReport
from wcc.designations.queries import designation_rows
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.i18n.dates import date_examples, parse_date
from wcc.notifications.services import notices_about
from wcc.periods import today
from wcc.permissions import can, require
from wcc.uploads.staging import TOKEN_FIELD, KeptUploads, expired_notice

bp = Blueprint("designations", __name__)
RECEIVED_FILES = {"file": ("pdf",)}
_RECEIVED_FORM = re.compile(r"received-\d{1,18}")


@bp.get("/designations")
@login_required
def index():
    require(current_user, "designation.list")
    # The page opened in another language after a refused "received": the file kept for that form.
    sent = request.args.get("kept_form", "")[:30]
    if request.args.get(TOKEN_FIELD) and _RECEIVED_FORM.fullmatch(sent):
        return _page(kept=KeptUploads(RECEIVED_FILES, single=True), sent=sent)
    return _page()


def _page(errors: dict | None = None, status: int = 200, kept: KeptUploads | None = None,
          sent: str | None = None):
    """The list. After a refused change, ``sent`` names the one form that was sent ("date-<designation>",
    "due-<designation>" or "received-<report>"): only that form shows the error, what was typed and
    the file kept for it."""
    rows = designation_rows(today(), visible=lambda d: can(current_user, "designation.view", d))
    manage = can(current_user, "designation.manage")
    told = notices_about("designation_report", [r.report.id for row in rows for r in row.reports
                                                if can(current_user, "designation.notices", row.designation)])
    g.page_path = url_for("designations.index")  # also after a form posted to its own address
    if kept is not None and kept.expired:
        flash(expired_notice(), "warning")
    return render_template("designations/index.html", rows=rows, errors=errors or {}, manage=manage, told=told,
                           kept=kept, sent=sent, typed=request.form if sent else {},
                           generated=generated_reports([r.designation.org_id for r in rows]),
                           due_window=services.DUE_WINDOW_DAYS, date_hint=date_examples()), status


def generated_reports(org_ids: list[int]) -> dict[int, list]:
    """The activity reports generated for these members that the user may see, newest first, with
    their versions (two queries). Failed ones, which have nothing to send, are left out."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from wcc.documents.models import Document, DocumentKind, DocumentState
    from wcc.documents.queries import visible_documents

    if not org_ids:
        return {}
    out: dict[int, list] = {}
    for document in db.session.scalars(select(Document).where(
            Document.kind == DocumentKind.DESIGNATION_REPORT, Document.org_id.in_(org_ids),
            Document.state != DocumentState.FAILED, visible_documents(current_user))
            .options(selectinload(Document.versions)).order_by(Document.id.desc())):
        out.setdefault(document.org_id, []).append(document)
    return out


def _generated(designation: Designation):
    """The generated report chosen in the form, if any: it must be this member's activity report."""
    raw = request.form.get("document", "")[:12]
    if not raw:
        return None
    chosen = next((d for d in generated_reports([designation.org_id]).get(designation.org_id, [])
                   if str(d.id) == raw), None)
    if chosen is None:
        raise ServiceError(_("Choose one of this member's generated activity reports."), "file")
    return chosen


def _date_field(name: str):
    try:
        return parse_date(request.form.get(name, "")[:40])
    except ValueError as exc:
        raise ServiceError(str(exc), name) from None


def _change(designation_id: int, change, sent: str, kept: KeptUploads | None = None):
    require(current_user, "designation.manage")
    designation = db.get_or_404(Designation, designation_id)
    try:
        change(designation)
    except ServiceError as exc:
        return _page({exc.field: exc.message}, 422, kept=kept, sent=sent)
    flash(_("Saved."), "success")
    return redirect(url_for("designations.index", _anchor=f"org-{designation.org.code}"))


@bp.post("/designations/<int:designation_id>/date")
@login_required
def set_date(designation_id: int):
    return _change(designation_id, lambda d: services.set_designation_date(
        d, _date_field("designated_on"), current_user), f"date-{designation_id}")


@bp.post("/designations/<int:designation_id>/reports")
@login_required
def add_report(designation_id: int):
    return _change(designation_id, lambda d: services.add_due_date(
        d, _date_field("due_on"), request.form.get("note", "")[:1000], current_user), f"due-{designation_id}")


@bp.post("/designations/<int:designation_id>/reports/<int:report_id>/received")
@login_required
def received(designation_id: int, report_id: int):
    kept = KeptUploads(RECEIVED_FILES, single=True)

    def change(designation):
        report = db.session.get(DesignationReport, report_id)
        if report is None or report.designation_id != designation.id:
            abort(404)
        refused = kept.keep_field("file")  # kept (checked once) even when the date is refused below
        document = _generated(designation)
        received_on = _date_field("received_on")
        if refused:
            raise ServiceError(refused[0], "file")
        stored = kept.store()["file"]
        services.record_received(report, received_on, current_user, upload=stored[-1] if stored else None,
                                 document_type="document" if document else None,
                                 document_id=document.id if document else None)
        if document is not None:
            from wcc.documents.services import attach_to_obligation

            attach_to_obligation(document, report)

    return _change(designation_id, change, f"received-{report_id}", kept=kept)


@bp.get("/designations/reports/<int:report_id>/file")
@login_required
def report_file(report_id: int):
    from wcc.uploads.services import send_stored

    report = db.get_or_404(DesignationReport, report_id)
    require(current_user, "designation.view", report.designation, hide=True)
    if report.file is None:
        abort(404)
    return send_stored(report.file, download=True)
