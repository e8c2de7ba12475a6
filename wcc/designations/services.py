"""Rules about World Craft City designations and their activity reports.

Services flush and never commit, and raise ServiceError (422) with a
translated message for values that cannot be stored. Every change is audited.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from wcc.audit.services import record
from wcc.designations.models import Designation, DesignationReport, ReportState
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.i18n.text import clean_text, has_control_characters

#: Years after designation at which the World Crafts Council asks for an activity report.
REPORT_YEARS = (2, 4)
#: A report counts as due (rather than not due yet) this many days before its due date:
#: from the first reminder on.
DUE_WINDOW_DAYS = 90
MAX_NOTE = 500


def _today() -> date:
    from wcc.periods import today

    return today()


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def designate(org, designated_on: date, *, confirmed: bool) -> Designation:
    """The designation of ``org`` on ``designated_on``, with its two- and four-year reports."""
    designation = Designation(org_id=org.id, org=org, designated_on=designated_on, date_confirmed=confirmed)
    db.session.add(designation)
    for years in REPORT_YEARS:
        designation.reports.append(DesignationReport(years_after=years, due_on=add_years(designated_on, years)))
    db.session.flush()
    record("designation.create", designation, after={"org": org.code, "designated_on": designated_on})
    return designation


def ensure_designations() -> list[Designation]:
    """A designation for every organisation with a World Craft City year and none yet.

    Until an admin records the exact day, the designation counts from 1 January of its year.
    """
    from wcc.orgs.models import Organisation

    have = set(db.session.scalars(select(Designation.org_id)))
    made = []
    for org in db.session.scalars(select(Organisation).where(Organisation.wcc_year.is_not(None))
                                  .order_by(Organisation.code)):
        if org.id not in have:
            made.append(designate(org, date(org.wcc_year, 1, 1), confirmed=False))
    return made


def set_designation_date(designation: Designation, day: date | None, user) -> None:
    """Record the exact day; the two- and four-year reports not yet received move with it."""
    if day is None:
        raise ServiceError(_("Enter the date of designation."), "designated_on")
    if day > _today():
        raise ServiceError(_("The date of designation cannot be in the future."), "designated_on")
    before = {"designated_on": designation.designated_on}
    designation.designated_on = day
    designation.date_confirmed = True
    for report in designation.reports:
        if report.years_after and report.received_on is None:
            report.due_on = add_years(day, report.years_after)
    db.session.flush()
    record("designation.set_date", designation, before=before, after={"designated_on": day}, actor=user)


def _clean_note(text: str | None) -> str:
    text = clean_text(text or "")
    if has_control_characters(text):
        raise ServiceError(_("Remove the invisible control characters from this text."), "note")
    if len(text) > MAX_NOTE:
        raise ServiceError(_("At most %(max)d characters, please.", max=MAX_NOTE), "note")
    return text


def add_due_date(designation: Designation, due_on: date | None, note: str, user) -> DesignationReport:
    """A further activity report the Council asks for."""
    if due_on is None:
        raise ServiceError(_("Enter the due date."), "due_on")
    if any(r.due_on == due_on for r in designation.reports):
        raise ServiceError(_("A report is already due on this day."), "due_on")
    report = DesignationReport(due_on=due_on, note=_clean_note(note))
    designation.reports.append(report)
    db.session.flush()
    record("designation.add_report", designation, after={"due_on": due_on, "report_id": report.id}, actor=user)
    return report


def record_received(report: DesignationReport, received_on: date | None, user, *, upload=None,
                    document_type: str | None = None, document_id: str | None = None) -> None:
    """Mark a report received on ``received_on`` with its file (an upload) or a generated document."""
    from wcc.errors import ServiceError
    from wcc.uploads.models import StoredFile
    from wcc.uploads.services import store_upload

    if received_on is None:
        raise ServiceError(_("Enter the day the report was received."), "received_on")
    if received_on > _today():
        raise ServiceError(_("The day received cannot be in the future."), "received_on")
    if isinstance(upload, StoredFile):  # checked when it was kept with the form
        report.file = upload
    elif upload is not None and getattr(upload, "filename", ""):
        try:
            report.file = store_upload(upload, allow=("pdf",))
        except ServiceError as exc:
            raise ServiceError(exc.message, "file") from None
    if document_type:
        report.document_type, report.document_id = document_type[:40], str(document_id)[:64]
    report.received_on = received_on
    report.received_by_id = user.id
    db.session.flush()
    record("designation.report_received", report.designation,
           after={"report_id": report.id, "received_on": received_on, "file_id": report.file_id,
                  "document": f"{report.document_type}:{report.document_id}" if report.document_type else None},
           actor=user)


def next_open(reports: list[DesignationReport]) -> DesignationReport | None:
    """The earliest report not yet received."""
    return next((r for r in sorted(reports, key=lambda r: r.due_on) if r.received_on is None), None)


def state_of(report: DesignationReport, today: date) -> ReportState:
    return report.state(today, DUE_WINDOW_DAYS)
