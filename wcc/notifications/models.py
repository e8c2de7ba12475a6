"""Notifications, the user's choices about them, and the record of every e-mail sent.

A notification is stored as a kind, an object and parameters, never as text:
it is written in the reader's language when it is shown or mailed. It is also
the audit of who was notified of what and when. ``event_key`` names the event
(an audit event, or a reminder's day-independent key), and is unique per user:
replaying a day or retrying a job cannot notify anyone twice.

A delivery is one e-mail (a single notification, or a day's digest) with its
attempts; no mail body is stored, only the address, the outcome and the error.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import UTCDateTime, utcnow
from wcc.extensions import db

if TYPE_CHECKING:
    from wcc.auth.models import User


class Mode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    #: A job is handing it to the mail server now (committed first: a process that stops here
    #: may or may not have sent it, so it is never sent again without an admin's say).
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "event_key"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_key: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: How the user wanted it mailed when it was made (immediate, digest or off).
    mail_mode: Mapped[str] = mapped_column(String(10), default=Mode.IMMEDIATE)
    #: The e-mail that carries it, once one is queued (at most one: one mail per user per event).
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"),
                                                    index=True)

    user: Mapped[User] = relationship()
    delivery: Mapped[Delivery | None] = relationship()

    @property
    def read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(db.Model):
    """How one user wants one kind mailed; no row means immediately."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10), default=Mode.IMMEDIATE)


class Delivery(db.Model):
    """One e-mail to one user. ``key`` makes queuing it twice impossible."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: "notification" or "digest"
    kind: Mapped[str] = mapped_column(String(20))
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    #: What the mail was about, for the admin page: the kind of its (first) notification.
    subject_kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When a failed delivery is tried again (``services.retry_delay``); None once it has
    #: been tried ``MAX_ATTEMPTS`` times or its sending was interrupted (then only an admin's
    #: retry sends it).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The job's lease: when it was last put on the queue (queued) or taken by a job to send
    #: (sending). One left queued or sending long after this was left by a process that stopped
    #: (``services.requeue_stale``).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()
    attempts_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id", cascade="all, delete-orphan")


class DeliveryAttempt(db.Model):
    """One try at handing a delivery to the mail server (or to the log, without one)."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    #: "smtp" or "log"
    channel: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)

    delivery: Mapped[Delivery] = relationship(back_populates="attempts_log")
