"""World Craft City designations and the activity reports the World Crafts Council asks for.

A designated member reports on its activities two and four years after its
designation (and on further due dates an admin adds). A report is received
with a file (a stored upload) or with a document the platform generated
(``document_type`` and ``document_id`` name it, so other areas can attach
their own documents without this table knowing them).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import TimestampMixin, UTCDateTime, utcnow
from wcc.extensions import db

if TYPE_CHECKING:
    from wcc.orgs.models import Organisation
    from wcc.uploads.models import StoredFile


class ReportState(enum.StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"
    OVERDUE = "overdue"
    RECEIVED = "received"


class Designation(TimestampMixin, db.Model):
    __tablename__ = "designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), unique=True)
    designated_on: Mapped[date] = mapped_column(Date)
    #: False while only the year is known (the reference data); an admin records the exact day.
    date_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    org: Mapped[Organisation] = relationship()
    reports: Mapped[list[DesignationReport]] = relationship(
        back_populates="designation", order_by="DesignationReport.due_on", cascade="all, delete-orphan")


class DesignationReport(db.Model):
    """One activity report owed to the World Crafts Council."""

    __tablename__ = "designation_reports"
    __table_args__ = (UniqueConstraint("designation_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    designation_id: Mapped[int] = mapped_column(ForeignKey("designations.id", ondelete="CASCADE"))
    #: 2 or 4 for the reports due two and four years after designation; None for added ones.
    years_after: Mapped[int | None] = mapped_column()
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date | None] = mapped_column(Date)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    document_type: Mapped[str | None] = mapped_column(String(40))
    document_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    designation: Mapped[Designation] = relationship(back_populates="reports")
    file: Mapped[StoredFile | None] = relationship()

    def state(self, today: date, due_window_days: int) -> ReportState:
        """Received once recorded; overdue after the due day; due from ``due_window_days`` before."""
        if self.received_on is not None:
            return ReportState.RECEIVED
        if today > self.due_on:
            return ReportState.OVERDUE
        if (self.due_on - today).days <= due_window_days:
            return ReportState.DUE
        return ReportState.NOT_DUE
