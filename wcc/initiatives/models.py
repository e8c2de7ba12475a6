"""Initiatives: what members do for the union, with their categories, crafts and milestones."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import TimestampMixin, UTCDateTime, utcnow
from wcc.extensions import db

if TYPE_CHECKING:
    from wcc.goals.models import Goal
    from wcc.orgs.models import Organisation
    from wcc.uploads.models import StoredFile


class Status(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


CURRENCIES = ("IRR", "EUR", "USD", "RUB")

# Limits shared by forms, the API and imports.
TITLE_MAX = 300
SUMMARY_MAX = 1_000
STORY_MAX = 20_000
EXTERNAL_ID_MAX = 100
PARTNERS_MAX = 20
PARTNER_MAX = 200
MILESTONES_MAX = 50
# Numeric(18, 2): sixteen whole digits hold any budget in rials.
AMOUNT_MAX = Decimal("9999999999999999.99")


class _ReferenceItem(TimestampMixin):
    """An entry of a list admins keep (categories, crafts): a stable code, names in fa/en/ru."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_fa or self.name_en

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class Category(_ReferenceItem, db.Model):
    __tablename__ = "initiative_categories"


class Craft(_ReferenceItem, db.Model):
    __tablename__ = "crafts"


initiative_crafts = Table(
    "initiative_crafts",
    db.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("craft_id", ForeignKey("crafts.id"), primary_key=True, index=True),
)

#: The union goals an initiative contributes to.
initiative_goals = Table(
    "initiative_goals",
    db.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_id", ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True, index=True),
)


@dataclass(frozen=True)
class Money:
    """An amount in a currency, valued on a date (IATI's rule for every money value)."""

    amount: Decimal
    currency: str
    value_date: date | None


class Initiative(TimestampMixin, db.Model):
    __tablename__ = "initiatives"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        # The list's order: newest change first, among the initiatives not deleted, so a
        # page of the list reads a few index entries instead of sorting the whole table.
        Index("ix_initiatives_listing", "updated_at", "id", postgresql_where=text("deleted_at IS NULL"),
              sqlite_where=text("deleted_at IS NULL")),
        # Substring search (LIKE '%...%') over the folded text: a trigram index on
        # PostgreSQL; on SQLite a plain index the planner can scan instead of the table.
        Index("ix_initiatives_search_text", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("initiative_categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Title and story for readers of English and Russian (brochures); the Persian ones are the source.
    title_en: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    title_ru: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    #: The story in Persian, the source of the translations below.
    story: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str] = mapped_column(Text, default="")
    story_ru: Mapped[str] = mapped_column(Text, default="")
    #: Set when the Persian story changed after it was translated; cleared by the officer.
    story_needs_translation: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=Status.PLANNED.value, index=True)
    start_date: Mapped[date | None] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    partner_country: Mapped[str | None] = mapped_column(String(2), index=True)
    budget_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    budget_value_date: Mapped[date | None] = mapped_column(Date)
    deal_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    deal_currency: Mapped[str | None] = mapped_column(String(3))
    deal_value_date: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    # The id this initiative has in the member's own spreadsheet or system.
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Folded title, summary, partners and external id (wcc.i18n.text.fold) for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    org: Mapped[Organisation] = relationship()
    category: Mapped[Category] = relationship()
    crafts: Mapped[list[Craft]] = relationship(secondary=initiative_crafts, order_by="Craft.position")
    goals: Mapped[list[Goal]] = relationship("Goal", secondary=initiative_goals, order_by="Goal.code")
    partners: Mapped[list[Partner]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="Partner.position")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan",
        order_by=lambda: (Milestone.due_date, Milestone.position))
    files: Mapped[list[InitiativeFile]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan",
        order_by=lambda: (InitiativeFile.position, InitiativeFile.id))

    # The app sets the version; every UPDATE is guarded by the version it read.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def budget(self) -> Money | None:
        if self.budget_amount is None:
            return None
        return Money(self.budget_amount, self.budget_currency or "", self.budget_value_date)

    @property
    def deal_value(self) -> Money | None:
        if self.deal_amount is None:
            return None
        return Money(self.deal_amount, self.deal_currency or "", self.deal_value_date)

    def title_in(self, language: str) -> str:
        """The title for readers of ``language``: its translation when there is one."""
        return (getattr(self, f"title_{language}", "") or self.title) if language != "fa" else self.title

    def story_in(self, language: str) -> str:
        """The story written for readers of ``language`` ("" when there is none yet)."""
        return self.story if language == "fa" else (getattr(self, f"story_{language}", "") or "")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def photos(self) -> list[InitiativeFile]:
        return [f for f in self.files if f.kind == FileKind.PHOTO]

    @property
    def documents(self) -> list[InitiativeFile]:
        return [f for f in self.files if f.kind == FileKind.DOCUMENT]

    @property
    def cover(self) -> InitiativeFile | None:
        """The chosen cover photo, else the first photo."""
        photos = self.photos
        return next((f for f in photos if f.is_cover), photos[0] if photos else None)

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.title[:30]!r}>"


class Partner(db.Model):
    """A partner organisation named by the member (a buyer, an embassy, a studio...)."""

    __tablename__ = "initiative_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(PARTNER_MAX))

    initiative: Mapped[Initiative] = relationship(back_populates="partners")


class Milestone(db.Model):
    __tablename__ = "initiative_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    due_date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    done: Mapped[bool] = mapped_column(Boolean, default=False)

    initiative: Mapped[Initiative] = relationship(back_populates="milestones")


class FileKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class InitiativeFile(db.Model):
    """A photo or PDF document of an initiative; the bytes live in a StoredFile."""

    __tablename__ = "initiative_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    caption: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    is_cover: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="files")
    stored: Mapped[StoredFile] = relationship()
