"""Read side of designations: the page's and the API's rows, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wcc.designations.models import Designation, DesignationReport
from wcc.designations.services import next_open, state_of
from wcc.extensions import db
from wcc.notifications.models import Notification


@dataclass
class ReportRow:
    report: DesignationReport
    state: str
    #: (kind, reminder number or None, first sent) of every notice sent about this report
    reminders: list[tuple[str, int | None, datetime]] = field(default_factory=list)


@dataclass
class DesignationRow:
    designation: Designation
    reports: list[ReportRow]
    next_due: DesignationReport | None
    state: str


def designation_rows(today: date, visible=None) -> list[DesignationRow]:
    """Every designation (``visible(designation)`` filters), with each report's state and reminders.

    Three queries: designations with their organisations, their reports, the notices sent.
    """
    designations = [d for d in db.session.scalars(
        select(Designation).options(selectinload(Designation.reports), selectinload(Designation.org))
        .join(Designation.org).order_by(Designation.designated_on, Designation.id))
        if visible is None or visible(d)]
    report_ids = [str(r.id) for d in designations for r in d.reports]
    sent: dict[str, list] = {}
    if report_ids:
        rows = db.session.execute(
            select(Notification.object_id, Notification.event_key, Notification.kind,
                   func.min(Notification.created_at))
            .where(Notification.object_type == "designation_report", Notification.object_id.in_(report_ids))
            .group_by(Notification.object_id, Notification.event_key, Notification.kind)
            .order_by(func.min(Notification.created_at)))
        for object_id, key, kind, first in rows:
            number = int(key.rsplit(":", 1)[1]) if kind == "designation.due_soon" else None
            sent.setdefault(object_id, []).append((kind, number, first))
    out = []
    for designation in designations:
        reports = [ReportRow(r, str(state_of(r, today)), sent.get(str(r.id), [])) for r in designation.reports]
        upcoming = next_open(designation.reports)
        state = str(state_of(upcoming, today)) if upcoming else "received"
        out.append(DesignationRow(designation, reports, upcoming, state))
    return out
