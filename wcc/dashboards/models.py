"""Rollups of approved progress reports, and the data version dashboards are cached under.

Three grains, each kept in step with the reports inside the transaction that
changes them (``wcc.dashboards.rollups``):

- ``MemberSeries``: one row per member, goal and period with an approved value,
  with running (cumulative) sums, so a member's total over any range of
  periods is two index lookups instead of a scan.
- ``AreaPeriod``: per goal, area (a province as a whole, or the network) and
  period, split by the kind of member: sums and counts of approved values,
  and how many reports were approved on time, late, or still await approval.
- ``MemberPeriod``: per member and period key, how many reports were approved,
  approved late or await approval: the compliance of one member.

And one of targets, kept in step with the targets, goals and organisations:

- ``AreaTarget``: per goal, province and year, the sum and number of the targets
  set by the organisations that count towards the province as a whole
  (``wcc.goals.queries.area_target_select``).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from wcc.extensions import db
from wcc.goals.models import VALUE_TYPE

#: Running sums over many periods need more whole digits than one value.
SUM_TYPE = Numeric(26, 4)


class MemberSeries(db.Model):
    __tablename__ = "dashboard_member_series"
    __table_args__ = (Index("ix_dashboard_member_series_goal_seq", "goal_id", "seq"),)

    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    #: The period's position on the goal's axis (``wcc.periods.period_seq``).
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(String(7))
    value: Mapped[Decimal] = mapped_column(VALUE_TYPE)
    #: Sum and count of this member's approved values for the goal up to and including this period.
    cum_value: Mapped[Decimal] = mapped_column(SUM_TYPE)
    cum_count: Mapped[int] = mapped_column(Integer)


class AreaPeriod(db.Model):
    __tablename__ = "dashboard_area_periods"
    __table_args__ = (
        Index("ix_dashboard_area_periods_area_seq", "area_id", "seq"),
        # A goal's periods in a range for some areas, with what pages add up (an index-only scan on
        # PostgreSQL: a goal's rows lie on hundreds of pages, written period after period).
        Index("ix_dashboard_area_periods_goal_seq", "goal_id", "seq", "area_id",
              postgresql_include=["kind", "period_key", "value_sum", "value_count"]),
    )

    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    #: A province (its own reports and its municipalities'), or the network organisation.
    area_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    #: The kind of the members counted in this row: province or municipality.
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(String(7))
    value_sum: Mapped[Decimal] = mapped_column(SUM_TYPE, default=0)
    value_count: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)


class MemberPeriod(db.Model):
    __tablename__ = "dashboard_member_periods"
    __table_args__ = (Index("ix_dashboard_member_periods_period", "period_key"),)

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(7), primary_key=True)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)


class AreaTarget(db.Model):
    """A province's targets as a whole for one goal and year, added up: what ``area_target_select``
    computes from the targets, kept so that a page need not add up every organisation's target."""

    __tablename__ = "dashboard_area_targets"

    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    #: The year's period key (targets are yearly).
    period_key: Mapped[str] = mapped_column(String(7), primary_key=True)
    target_sum: Mapped[Decimal] = mapped_column(SUM_TYPE)
    target_count: Mapped[int] = mapped_column(Integer)


class DataVersion(db.Model):
    """One row: a new random number whenever approved figures, targets or goals change; part of
    every cache key."""

    __tablename__ = "dashboard_data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ScopeVersion(db.Model):
    """A random number per goal and year, new whenever a report of that goal in that year changes a
    figure (``goal_id`` 0: any goal; ``year`` 0: any year). A cached answer's key holds the numbers
    of the goals and years it reads, so a change invalidates only the answers it can move."""

    __tablename__ = "dashboard_scope_versions"

    goal_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
