from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wcc.db import UTCDateTime, utcnow
from wcc.extensions import db


class StoredFile(db.Model):
    """A file that passed the upload checks. ``key`` is its random name on disk."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))  # "image" or "pdf"
    content_type: Mapped[str] = mapped_column(String(50))
    original_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"
