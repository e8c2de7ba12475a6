"""Generated documents and their versions.

A ``Document`` is what a person asked for (an activity report of a member over
a span, a brochure about some initiatives in one language), with the choices
it was made from (``sources``), so it can be made again after the data
changes. Each making adds a ``DocumentVersion`` holding the PDF; old versions
are kept.

Making a version is a background job (``wcc.documents.services.render_job``):
the document says how its latest making went (``state``), and why it failed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import TimestampMixin, UTCDateTime, utcnow
from wcc.extensions import db

if TYPE_CHECKING:
    from wcc.auth.models import User
    from wcc.designations.models import DesignationReport
    from wcc.orgs.models import Organisation
    from wcc.uploads.models import StoredFile


class DocumentKind(enum.StrEnum):
    DESIGNATION_REPORT = "designation_report"
    BROCHURE = "brochure"


class DocumentState(enum.StrEnum):
    """How the latest making of a document went: waiting for a worker, being rendered, done, failed."""

    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"


#: States in which a making is still under way.
PENDING_STATES = (DocumentState.QUEUED, DocumentState.RENDERING)


class Document(TimestampMixin, db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    #: The organisation the document is about; its visibility follows that organisation's data.
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(300))
    span_start: Mapped[date | None] = mapped_column(Date)
    span_end: Mapped[date | None] = mapped_column(Date)
    #: What it is made from: initiative ids, ticked photos, craft, paper size, confirmed contacts...
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The officer's own words (the activity report's narrative).
    narrative: Mapped[str] = mapped_column(Text, default="")
    #: The World Craft City obligation (the activity report owed to the Council) this report answers.
    obligation_id: Mapped[int | None] = mapped_column(
        ForeignKey("designation_reports.id", ondelete="SET NULL"), index=True)
    #: How the latest making went (``DocumentState``); ``failure`` says why it failed, as a kind
    #: and its figures (``{"kind": "too_long", "pages": 120, "limit": 80}``), put in words when shown.
    state: Mapped[str] = mapped_column(String(12), default=DocumentState.READY, server_default="ready")
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The making's lease: when it was last queued or begun. A making still pending long after
    #: this was left by a process that stopped (``services.requeue_stale``), which queues it again
    #: (``job_requeues`` times; after ``MAX_REQUEUES`` it is marked failed, interrupted).
    job_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    job_requeues: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    org: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    obligation: Mapped[DesignationReport | None] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan",
        order_by="DocumentVersion.number.desc()")

    @property
    def pending(self) -> bool:
        return self.state in PENDING_STATES

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.kind} {self.language}>"


class DocumentVersion(db.Model):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    pages: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    stored: Mapped[StoredFile] = relationship()
    created_by: Mapped[User | None] = relationship()
