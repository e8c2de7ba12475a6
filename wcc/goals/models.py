"""The union's goals, each with one indicator, and the targets members commit to."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import TimestampMixin, UTCDateTime, utcnow
from wcc.extensions import db
from wcc.periods import Frequency, Period, parse_period

if TYPE_CHECKING:
    from wcc.auth.models import User
    from wcc.orgs.models import Organisation

#: Values are stored exactly: 20 digits, 4 after the point (rials run into the trillions).
VALUE_TYPE = Numeric(20, 4)


class Theme(enum.StrEnum):
    EXPORTS = "exports"
    PROMOTION = "promotion"
    MARKET_ACCESS = "market_access"
    EVENTS = "events"
    CAPACITY = "capacity"
    DESIGNATION = "designation"


class Unit(enum.StrEnum):
    COUNT = "count"
    EUR = "EUR"
    IRR = "IRR"
    PERCENT = "percent"
    PEOPLE = "people"


class Aggregation(enum.StrEnum):
    """How a goal's values for several periods combine into one."""

    SUM = "sum"          # additive: EUR exported, events held
    LATEST = "latest"    # a level: the latest value stands for the whole span
    AVERAGE = "average"  # a level averaged over the span


class Direction(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Goal(TimestampMixin, db.Model):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title_fa: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str] = mapped_column(String(300))
    description_fa: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(20), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    aggregation: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(10), default=Direction.HIGHER)
    frequency: Mapped[str] = mapped_column(String(10), default=Frequency.QUARTERLY)
    baseline_value: Mapped[Decimal | None] = mapped_column(VALUE_TYPE)
    baseline_period: Mapped[str | None] = mapped_column(String(7))
    first_period: Mapped[str] = mapped_column(String(7))
    last_period: Mapped[str] = mapped_column(String(7))
    # Which kinds of member report this goal.
    reported_by_province: Mapped[bool] = mapped_column(Boolean, default=True)
    reported_by_municipality: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Reports are on time until this many days after the period ends.
    due_days: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Whether the goal's network dashboard (approved figures only) is open without signing in.
    public_dashboard: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    targets: Mapped[list[Target]] = relationship(back_populates="goal")

    def title(self, locale: str) -> str:
        return getattr(self, f"title_{locale}", None) or self.title_fa or self.title_en

    def description(self, locale: str) -> str:
        return getattr(self, f"description_{locale}", None) or self.description_fa or ""

    @property
    def is_additive(self) -> bool:
        return self.aggregation == Aggregation.SUM

    @property
    def reporting_kinds(self) -> tuple[str, ...]:
        kinds = []
        if self.reported_by_province:
            kinds.append("province")
        if self.reported_by_municipality:
            kinds.append("municipality")
        return tuple(kinds)

    def reported_by(self, org: Organisation) -> bool:
        return org.kind in self.reporting_kinds

    @property
    def first(self) -> Period:
        return parse_period(self.first_period)

    @property
    def last(self) -> Period:
        return parse_period(self.last_period)

    def __repr__(self) -> str:
        return f"<Goal {self.code}>"


class Target(db.Model):
    """What an organisation commits to for a goal in one Solar Hijri year.

    The network's target (the organisation is the network itself) is set by the
    secretariat; members set their own. Every change is in the audit trail,
    with the previous value, which is the target's history.
    """

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("goal_id", "org_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(7))
    value: Mapped[Decimal] = mapped_column(VALUE_TYPE)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="targets")
    org: Mapped[Organisation] = relationship()
    updated_by: Mapped[User | None] = relationship()
