"""Progress reports: one per (organisation, goal, period), with comments.

The report table is laid out for aggregation in SQL: a numeric ``value``, the
goal and organisation ids, the period's key with its Solar Hijri year and
quarter and its Gregorian first and last day, the status, the submission and
approval times and whether the first submission was late.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import TimestampMixin, UTCDateTime, utcnow
from wcc.extensions import db
from wcc.goals.models import VALUE_TYPE
from wcc.periods import Period

if TYPE_CHECKING:
    from wcc.auth.models import User
    from wcc.goals.models import Goal
    from wcc.initiatives.models import Initiative
    from wcc.orgs.models import Organisation
    from wcc.uploads.models import StoredFile


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    RETURNED = "returned"


#: States in which the owner may still change the report.
EDITABLE = (Status.DRAFT, Status.RETURNED)
#: States waiting for someone else's decision.
PENDING = (Status.SUBMITTED, Status.REVIEWED)


#: The initiatives a report cites: the work behind its value.
report_initiatives = Table(
    "report_initiatives",
    db.metadata,
    Column("report_id", ForeignKey("progress_reports.id", ondelete="CASCADE"), primary_key=True),
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ProgressReport(TimestampMixin, db.Model):
    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("org_id", "goal_id", "period_key"),
        Index("ix_progress_reports_goal_period", "goal_id", "period_start"),
        Index("ix_progress_reports_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    # Lookups by organisation use the unique constraint, by goal the (goal, period) index.
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    period_key: Mapped[str] = mapped_column(String(7))
    period_year: Mapped[int] = mapped_column(Integer)
    period_quarter: Mapped[int | None] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(VALUE_TYPE)
    narrative: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=Status.DRAFT)
    # Optimistic locking: every UPDATE checks and bumps it, so a stale write fails.
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The first submission: it decides lateness and never moves.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}

    goal: Mapped[Goal] = relationship()
    org: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    comments: Mapped[list[ReportComment]] = relationship(
        back_populates="report", order_by="ReportComment.id", cascade="all, delete-orphan")
    evidence: Mapped[list[ReportEvidence]] = relationship(
        back_populates="report", order_by="ReportEvidence.id", cascade="all, delete-orphan")
    initiatives: Mapped[list[Initiative]] = relationship(
        "Initiative", secondary=report_initiatives, order_by="Initiative.id")

    @property
    def period(self) -> Period:
        return Period(self.period_year, self.period_quarter)

    def set_period(self, period: Period) -> None:
        self.period_key = period.key
        self.period_year = period.year
        self.period_quarter = period.quarter
        self.period_start = period.first_day
        self.period_end = period.last_day

    @property
    def is_locked(self) -> bool:
        return self.status == Status.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def was_made_by(self, user) -> bool:
        """Whether ``user`` wrote or submitted this report (and so may not approve it)."""
        return user.id in (self.created_by_id, self.submitted_by_id, self.updated_by_id)

    def __repr__(self) -> str:
        return f"<ProgressReport {self.id} {self.period_key} {self.status}>"


class CommentKind(enum.StrEnum):
    COMMENT = "comment"
    RETURN = "return"
    REOPEN = "reopen"


class ReportComment(db.Model):
    """The conversation on a report; returning or reopening one always adds its reason here."""

    __tablename__ = "report_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10), default=CommentKind.COMMENT)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[ProgressReport] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class ReportEvidence(db.Model):
    """A photo or PDF document backing a report, checked and stored by ``wcc.uploads``."""

    __tablename__ = "report_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")
    file: Mapped[StoredFile] = relationship()
