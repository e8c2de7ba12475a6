"""SQL over the dashboards' rollup tables (``wcc.dashboards.models``), never the raw reports.

Every function runs a fixed number of queries whatever the number of members
and reports; sums, counts, running sums and "latest period" picks are done by
the database. Periods sit on the rollups' integer ``seq`` axis
(``wcc.periods.period_seq``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Float, Integer, Select, and_, bindparam, case, cast, func, null, or_, select, true
from sqlalchemy.orm import aliased

from wcc.dashboards.models import AreaPeriod, MemberPeriod, MemberSeries
from wcc.extensions import db
from wcc.goals.models import Aggregation, Goal
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import (
    Frequency,
    Period,
    PeriodRange,
    goal_periods,
    period_seq,
)
from wcc.reporting.progress import Observation, base_seq

MEMBER_KINDS = (OrgKind.PROVINCE, OrgKind.MUNICIPALITY)


def as_float(value) -> float | None:
    return None if value is None else float(value)


def _connection():
    """The session's connection and transaction, its pending changes flushed first (as
    ``Session.execute`` would)."""
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection()


def _rows(stmt, params=None):
    """The rows of a SELECT of columns (no entity), through the session's connection: the ORM's
    handling of each row of a result costs about as much as the row's own reading, for the
    thousands of rows a goal page reads."""
    return _connection().execute(stmt, params)


def rows_soon(stmt, params=None) -> Callable[[], Sequence]:
    """The rows of a SELECT of columns, asked for now and read when the answer is called.

    On PostgreSQL, when this transaction has written nothing, the query runs at once on a
    connection of its own in a thread, while this one goes on with the page's other queries and
    Python work (a cold goal page at 1M reports waits ~14 ms for its members' figures). That is
    what the page would read itself: each statement of a READ COMMITTED transaction sees what was
    committed when it began, whichever connection runs it. A transaction that has written would
    see its own rows, another connection would not: then, and on SQLite (one writer, no gain), the
    query runs in this transaction when the answer is called, as ``_rows`` would."""
    session = db.session
    if session.get_bind().dialect.name != "postgresql" or _wrote_in_this_transaction():
        return lambda: _rows(stmt, params).all()
    return _Apart(session.get_bind(), stmt, params).rows


def _wrote_in_this_transaction() -> bool:
    return _connection().exec_driver_sql("SELECT txid_current_if_assigned()").scalar() is not None


class _Apart(threading.Thread):
    """One SELECT on a connection of the engine's pool, run in a thread of its own (``rows_soon``)."""

    def __init__(self, engine, stmt, params) -> None:
        super().__init__(name="wcc-rows-soon", daemon=True)
        self.engine, self.stmt, self.params = engine, stmt, params
        self.result: Sequence | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            with self.engine.connect() as connection:
                self.result = connection.execute(self.stmt, self.params).all()
        except BaseException as error:  # raised again in the thread that reads the rows
            self.error = error

    def rows(self) -> Sequence:
        self.join()
        if self.error is not None:
            raise self.error
        return self.result


def range_condition(seq_col, goal_col, goals: list[Goal], rng: PeriodRange):
    """SQL: the row's period is inside the range (seq bounds differ by the goal's frequency)."""
    parts = []
    for frequency in Frequency:
        ids = [g.id for g in goals if g.frequency == frequency]
        bounds = rng.seq_bounds(frequency)
        if ids and bounds:
            parts.append(and_(goal_col.in_(ids), seq_col.between(*bounds)))
    return or_(*parts) if parts else False


def member_orgs_stmt(province_id: int | None = None, org_id: int | None = None) -> Select:
    """Active members (provinces and municipalities), optionally of one province or one member."""
    stmt = select(Organisation.id).where(Organisation.active.is_(True), Organisation.kind.in_(MEMBER_KINDS))
    if province_id is not None:
        stmt = stmt.where(or_(Organisation.id == province_id, Organisation.parent_id == province_id))
    if org_id is not None:
        stmt = stmt.where(Organisation.id == org_id)
    return stmt


def org_directory(ids: set[int] | None = None) -> dict[int, dict]:
    """Names, kind, province and place of organisations: {id: {...}}. One query."""
    parent = aliased(Organisation)
    stmt = (select(Organisation.id, Organisation.code, Organisation.kind, Organisation.name_fa,
                   Organisation.name_en, Organisation.name_ru, Organisation.latitude, Organisation.longitude,
                   Organisation.parent_id, parent.code.label("parent_code"), Organisation.active)
            .outerjoin(parent, Organisation.parent_id == parent.id).order_by(Organisation.code))
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(ids))
    out = {}
    for r in _rows(stmt):
        province = r.code if r.kind == OrgKind.PROVINCE else (r.parent_code if r.kind == OrgKind.MUNICIPALITY
                                                               else None)
        out[r.id] = {"code": r.code, "kind": r.kind, "name": {"fa": r.name_fa, "en": r.name_en, "ru": r.name_ru},
                     "province": province, "parent_id": r.parent_id, "lat": r.latitude, "lon": r.longitude,
                     "active": r.active}
    return out


class AreaRow(NamedTuple):
    """One row of ``area_period_rows``. (A plain tuple: a result row's attributes cost ten times
    as much to read, and a page reads these thousands of times.)"""

    goal_id: int
    area_id: int
    seq: int
    period_key: str
    s: Decimal
    c: int
    kind: str | None = None


def area_period_rows(goals: list[Goal], rng: PeriodRange, area_ids, *, by_kind: bool = False,
                     values_only: bool = True) -> list[AreaRow]:
    """Per goal, area (and kind) and period: the approved values' sum and count."""
    a = AreaPeriod
    columns = [a.goal_id, a.area_id, a.seq, a.period_key]
    kind = [a.kind] if by_kind else []
    stmt = (select(*columns, func.sum(a.value_sum).label("s"), func.sum(a.value_count).label("c"), *kind)
            .where(range_condition(a.seq, a.goal_id, goals, rng), a.area_id.in_(area_ids))
            .group_by(*columns, *kind).order_by(a.seq))
    if values_only:
        stmt = stmt.having(func.sum(a.value_count) > 0)
    return [AreaRow(*row) for row in _rows(stmt)]


def area_totals(goals: list[Goal], rng: PeriodRange, area_ids) -> dict[tuple[int, int], dict]:
    """Per goal and area over the range, computed by the database from the period rows:
    {(goal id, area id): {sum, mean, latest, count, last_seq, first_seq, first_mean}}."""
    a = AreaPeriod
    per_period = (select(a.goal_id, a.area_id, a.seq, func.sum(a.value_sum).label("s"),
                         func.sum(a.value_count).label("c"))
                  .where(range_condition(a.seq, a.goal_id, goals, rng), a.area_id.in_(area_ids))
                  .group_by(a.goal_id, a.area_id, a.seq).having(func.sum(a.value_count) > 0).subquery())
    window = {"partition_by": (per_period.c.goal_id, per_period.c.area_id)}
    mean = per_period.c.s * 1.0 / per_period.c.c
    ranked = select(per_period, mean.label("mean"),
                    func.row_number().over(**window, order_by=per_period.c.seq.desc()).label("from_last"),
                    func.row_number().over(**window, order_by=per_period.c.seq).label("from_first")).subquery()
    stmt = (select(ranked.c.goal_id, ranked.c.area_id, func.sum(ranked.c.s).label("sum"),
                   func.avg(ranked.c.mean).label("mean"),
                   func.max(case((ranked.c.from_last == 1, ranked.c.mean))).label("latest"),
                   func.max(case((ranked.c.from_first == 1, ranked.c.mean))).label("first_mean"),
                   func.sum(ranked.c.c).label("count"), func.max(ranked.c.seq).label("last_seq"),
                   func.min(ranked.c.seq).label("first_seq"))
            .group_by(ranked.c.goal_id, ranked.c.area_id))
    return {(r.goal_id, r.area_id): r._asdict() for r in _rows(stmt)}


def by_area(rows: list[AreaRow]) -> dict[tuple[int, int], dict[int, AreaRow]]:
    """Period rows grouped: {(goal id, area id): {seq: row}}."""
    out: dict[tuple[int, int], dict[int, AreaRow]] = defaultdict(dict)
    for row in rows:
        out[(row.goal_id, row.area_id)][row.seq] = row
    return out


def area_bases(goals: list[Goal], rng: PeriodRange, area_ids) -> dict[tuple[int, int], Observation]:
    """Each area's base for level goals: its first approved per-period value (mean across its
    members) at or after the goal's base period and not after the range. One query, none when
    every goal adds up. {(goal id, area id): Observation}."""
    levels = [g for g in goals if not g.is_additive and goal_periods_bounds(g, rng)]
    if not levels or not area_ids:
        return {}
    a = AreaPeriod
    window = or_(*[and_(a.goal_id == g.id, a.seq.between(base_seq(g), goal_periods_bounds(g, rng)[1]))
                   for g in levels])
    per_period = (select(a.goal_id, a.area_id, a.seq, func.sum(a.value_sum).label("s"),
                         func.sum(a.value_count).label("c"))
                  .where(window, a.area_id.in_(area_ids))
                  .group_by(a.goal_id, a.area_id, a.seq).having(func.sum(a.value_count) > 0).subquery())
    ranked = select(per_period, func.row_number().over(
        partition_by=(per_period.c.goal_id, per_period.c.area_id), order_by=per_period.c.seq).label("n")).subquery()
    by_id = {g.id: g for g in levels}
    out = {}
    for r in _rows(select(ranked).where(ranked.c.n == 1)):
        goal = by_id[r.goal_id]
        out[(r.goal_id, r.area_id)] = Observation(seq_period(r.seq, goal).time, float(r.s) / int(r.c))
    return out


def member_figures(goals: list[Goal], rng: PeriodRange, members: Select) -> dict[tuple[int, int], dict]:
    """Each member's approved figures over the range, for each goal its kind reports.

    Four index lookups per member and goal in ``dashboard_member_series`` (the
    latest row up to the range's end, the latest before its start, the first
    inside it), whatever the number of reports: running sums turn any range
    into a difference. {(goal id, org id): {actual, reports, first, last_seq, ...}}.
    """
    goals = [g for g in goals if goal_periods_bounds(g, rng)]
    if not goals:
        return {}
    s = MemberSeries
    org, goal = aliased(Organisation), aliased(Goal)
    bounds = {g.id: goal_periods_bounds(g, rng) for g in goals}
    lo_bound = case(*[(goal.id == gid, b[0]) for gid, b in bounds.items()])
    hi_bound = case(*[(goal.id == gid, b[1]) for gid, b in bounds.items()])

    def probe(fn, condition):
        return (select(fn(s.seq)).where(s.goal_id == goal.id, s.org_id == org.id, condition)
                .scalar_subquery())

    kind_ok = or_(and_(org.kind == OrgKind.PROVINCE, goal.reported_by_province.is_(True)),
                  and_(org.kind == OrgKind.MUNICIPALITY, goal.reported_by_municipality.is_(True)))
    # The base (the first value at or after the goal's base period) only judges levels (rates, stocks).
    levels = any(not g.is_additive for g in goals)
    base_bound = case(*[(goal.id == g.id, base_seq(g)) for g in goals])
    first_probe = probe(func.min, s.seq.between(base_bound, hi_bound)) if levels else cast(null(), Integer)
    pairs = (select(goal.id.label("goal_id"), org.id.label("org_id"),
                    probe(func.max, s.seq <= hi_bound).label("hi"), probe(func.max, s.seq < lo_bound).label("lo"),
                    first_probe.label("first"))
             .select_from(goal).join(org, true())
             .where(goal.id.in_(list(bounds)), org.id.in_(members), kind_ok).subquery())
    hi, lo, first = aliased(s), aliased(s), aliased(s)

    def join(alias, column):
        return and_(alias.goal_id == pairs.c.goal_id, alias.org_id == pairs.c.org_id, alias.seq == column)

    stmt = (select(pairs.c.goal_id, pairs.c.org_id, pairs.c.hi, hi.value.label("hi_value"),
                   hi.cum_value.label("hi_cum"), hi.cum_count.label("hi_count"), lo.cum_value.label("lo_cum"),
                   lo.cum_count.label("lo_count"), pairs.c.first, first.value.label("first_value"))
            .select_from(pairs).outerjoin(hi, join(hi, pairs.c.hi)).outerjoin(lo, join(lo, pairs.c.lo))
            .outerjoin(first, join(first, pairs.c.first)))
    by_id = {g.id: g for g in goals}
    out = {}
    # Rows unpacked: reading a result row's attributes by name costs ten times as much.
    for goal_id, org_id, hi, hi_value, hi_cum, hi_count, lo_cum, lo_count, first, first_value \
            in _rows(stmt):
        count = (hi_count or 0) - (lo_count or 0) if hi is not None else 0
        out[(goal_id, org_id)] = member_figure(by_id[goal_id], (hi_cum or 0) - (lo_cum or 0), count, hi_value, hi,
                                               first, first_value)
    return out


def member_figure(goal: Goal, total, count: int, last_value, last_seq: int | None, base_seq: int | None,
                  base_value) -> dict:
    """A member's figure over a range from the sum, count and latest value of its approved values
    there: the goal's aggregation (sum: the sum; latest: the latest value; average: the mean)."""
    actual = None
    if count > 0:
        actual = {Aggregation.SUM: total, Aggregation.LATEST: last_value}.get(goal.aggregation)
        if goal.aggregation == Aggregation.AVERAGE:
            actual = Decimal(total) / count
    return {"actual": as_float(actual), "reports": count, "last_seq": last_seq if count else None,
            "base_seq": base_seq, "base_value": as_float(base_value)}


def member_range_figures_soon(goal: Goal, rng: PeriodRange) -> Callable[[], dict[int, dict]]:
    """Every member's approved figure for one goal over the range, in one aggregate query over the
    member × period rollup: per member the sum, count and latest value inside the range and (for
    levels) the base, the first value at or after the goal's base period. Over a long range
    (``LONG_RANGE``) the same figures come from the rollup's running sums instead. Members are not
    filtered here: the caller keeps those it shows. The query is sent now (``rows_soon``); call
    the answer for the figures when the page needs them: {org id: like ``member_figures``}."""
    query = _member_range_query(goal, rng)
    if query is None:
        return dict
    stmt, params, convert = query
    rows = rows_soon(stmt, params)
    return lambda: convert(rows())


def _member_range_query(goal: Goal, rng: PeriodRange) -> tuple[Select, dict | None, Callable] | None:
    """The statement of ``member_range_figures_soon``, its parameters, and what turns its rows into figures."""
    bounds = goal_periods_bounds(goal, rng)
    if bounds is None:
        return None
    lo, hi = bounds
    if hi - lo + 1 >= LONG_RANGE:
        return _running_sums_query(goal, lo, hi)
    s = MemberSeries
    level = not goal.is_additive
    if not level:
        # Sums need neither the latest value nor a base: a plain GROUP BY, no window to sort.
        # The sum comes as the database's double (correctly rounded, as float(Decimal) is).
        stmt = (select(s.org_id, cast(func.sum(s.value), Float), func.count(s.value), func.max(s.seq))
                .where(s.goal_id == goal.id, s.seq.between(lo, hi)).group_by(s.org_id))
        return stmt, None, lambda rows: {
            org_id: {"actual": total if count else None, "reports": count or 0,
                     "last_seq": last_seq if count else None, "base_seq": None, "base_value": None}
            for org_id, total, count, last_seq in rows}
    base = base_seq(goal)
    inside, based = s.seq >= lo, s.seq >= base
    rows = (select(s.org_id, s.seq, s.value,
                   func.row_number().over(partition_by=(s.org_id, inside), order_by=s.seq.desc()).label("from_last"),
                   func.row_number().over(partition_by=(s.org_id, based), order_by=s.seq).label("from_first"))
            .where(s.goal_id == goal.id, s.seq.between(min(lo, base), hi)).subquery())
    r = rows.c
    in_range = r.seq >= lo
    stmt = (select(r.org_id, func.sum(r.value).filter(in_range).label("total"),
                   func.count(r.value).filter(in_range).label("count"),
                   func.max(r.seq).filter(in_range).label("last_seq"),
                   func.max(r.value).filter(in_range, r.from_last == 1).label("last_value"),
                   func.min(r.seq).filter(r.seq >= base).label("base_seq"),
                   func.max(r.value).filter(r.seq >= base, r.from_first == 1).label("base_value"))
            .group_by(r.org_id))
    return stmt, None, lambda rows: {
        org_id: member_figure(goal, total, count or 0, last_value, last_seq, first_seq, first_value)
        for org_id, total, count, last_seq, last_value, first_seq, first_value in rows}


#: Quarters from which ``member_range_figures_soon`` reads each member's running sums instead of adding up
#: its rows. The GROUP BY reads every member × period row of the range, so its time grows with the
#: range; the running sums cost two index lookups per member, however long the range. Measured at
#: 1,000 members on PostgreSQL (medians, ms): 12 quarters 8 against 16, 28 quarters 17 against 17,
#: 36 quarters 19 against 15, 50 quarters 24 against 13.
LONG_RANGE = 32


def _running_sums_query(goal: Goal, lo: int, hi: int) -> tuple[Select, dict, Callable]:
    """``_member_range_query`` from ``dashboard_member_series``'s running sums: per member the
    latest row up to ``hi`` and the latest before ``lo`` (their difference is the range's sum and
    count, the first the latest value) and, for levels, the first row at or after the goal's base.
    Members whose latest row lies before the range come back with no figure."""
    level = not goal.is_additive
    params = {"goal_id": goal.id, "lo": lo, "hi": hi, "base": base_seq(goal) if level else 0}
    stmt = _running_sums_stmt(level, db.session.get_bind().dialect.name == "postgresql")
    return stmt, params, lambda rows: {
        org_id: member_figure(goal, cum_value - (before_cum or 0), cum_count - (before_count or 0), value, seq,
                              first_seq, first_value)
        for org_id, seq, value, cum_value, cum_count, before_cum, before_count, first_seq, first_value in rows}


@lru_cache(maxsize=4)
def _running_sums_stmt(level: bool, lateral: bool) -> Select:
    """The statement of ``_running_sums_query``, built once (building it costs more
    than the database takes to plan it): parameters ``goal_id``, ``lo``, ``hi`` and ``base``.

    Each member's row nearest a bound is one index lookup: ``lateral`` (PostgreSQL) takes the
    row itself (ORDER BY seq LIMIT 1), a third fewer index pages than finding its seq first and
    then the row by it, which SQLite, without LATERAL, does."""
    s = MemberSeries
    org = aliased(Organisation)
    goal_id, lo, hi, base = bindparam("goal_id"), bindparam("lo"), bindparam("hi"), bindparam("base")
    # Each row wanted: which rows it is the latest (True) or the earliest (False) of.
    nearest = {"last": (s.seq <= hi, True), "before": (s.seq < lo, True), "first": (s.seq.between(base, hi), False)}
    if not level:
        nearest.pop("first")
    if lateral:
        rows = {name: select(s.seq, s.value, s.cum_value, s.cum_count)
                .where(s.goal_id == goal_id, s.org_id == org.id, condition)
                .order_by(s.seq.desc() if latest else s.seq).limit(1)
                .lateral(name) for name, (condition, latest) in nearest.items()}
        last, before = rows["last"].c, rows["before"].c
        first = rows["first"].c if level else None
        stmt = (select(org.id, last.seq, last.value, last.cum_value, last.cum_count,
                       before.cum_value.label("before_cum"), before.cum_count.label("before_count"),
                       first.seq.label("first") if level else cast(null(), Integer).label("first"),
                       first.value.label("first_value") if level else cast(null(), Float).label("first_value"))
                .select_from(org).join(rows["last"], true()).outerjoin(rows["before"], true()))
        if level:
            stmt = stmt.outerjoin(rows["first"], true())
        return stmt.where(org.kind.in_(MEMBER_KINDS))

    def probe(condition, latest):
        return (select((func.max if latest else func.min)(s.seq))
                .where(s.goal_id == goal_id, s.org_id == org.id, condition).scalar_subquery())

    seqs = {name: probe(*how).label(name) for name, how in nearest.items()}
    probes = (select(org.id.label("org_id"), *seqs.values(),
                     *([] if level else [cast(null(), Integer).label("first")]))
              .where(org.kind.in_(MEMBER_KINDS)).subquery())
    last, before, first = aliased(s), aliased(s), aliased(s)

    def row_at(alias, seq):
        return and_(alias.goal_id == goal_id, alias.org_id == probes.c.org_id, alias.seq == seq)

    return (select(probes.c.org_id, last.seq, last.value, last.cum_value, last.cum_count,
                   before.cum_value.label("before_cum"), before.cum_count.label("before_count"),
                   probes.c.first, first.value.label("first_value"))
            .select_from(probes).join(last, row_at(last, probes.c.last))
            .outerjoin(before, row_at(before, probes.c.before)).outerjoin(first, row_at(first, probes.c.first)))


#: A member with nothing approved in the range.
NO_FIGURE = {"actual": None, "reports": 0, "last_seq": None, "base_seq": None, "base_value": None}


def goal_periods_bounds(goal: Goal, rng: PeriodRange) -> tuple[int, int] | None:
    periods = goal_periods(goal, rng)
    return (period_seq(periods[0]), period_seq(periods[-1])) if periods else None


def seq_period(seq: int, goal: Goal) -> Period:
    return _seq_period(seq, goal.frequency)


@lru_cache(maxsize=1024)
def _seq_period(seq: int, frequency: str) -> Period:
    # One Period per seq: its sort key and hash are worked out once, not once per member judged.
    year, quarter = divmod(seq, 4)
    return Period(year) if frequency == Frequency.YEARLY else Period(year, quarter + 1)


def member_period_values(goal: Goal, rng: PeriodRange, members: Select | None = None) -> dict[int, dict[str, float]]:
    """{org id: {period key: approved value}} inside the range, of ``members`` when given (else of
    every member: the caller keeps those it shows). One query over the rollup."""
    bounds = goal_periods_bounds(goal, rng)
    if bounds is None:
        return {}
    s = MemberSeries
    stmt = (select(s.org_id, s.period_key, s.value)
            .where(s.goal_id == goal.id, s.seq.between(*bounds)))
    if members is not None:
        stmt = stmt.where(s.org_id.in_(members))
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for org_id, period_key, value in _rows(stmt):
        out[org_id][period_key] = float(value)
    return out


@lru_cache(maxsize=4)
def reporting_members_stmt(province_id: int | None = None) -> Select:
    """Members expected to report: active municipalities, and active provinces that have an
    active municipality or have ever reported (a province alone is a region, not yet a member).
    The last few are kept built (statements are immutable; callers add to copies): the network's
    is asked for by every goal answer."""
    child = aliased(Organisation)
    has_municipality = (select(child.id).where(child.parent_id == Organisation.id, child.active.is_(True),
                                               child.kind == OrgKind.MUNICIPALITY).exists())
    has_reported = select(MemberPeriod.org_id).where(MemberPeriod.org_id == Organisation.id).exists()
    stmt = select(Organisation.id).where(
        Organisation.active.is_(True),
        or_(Organisation.kind == OrgKind.MUNICIPALITY,
            and_(Organisation.kind == OrgKind.PROVINCE, or_(has_municipality, has_reported))))
    if province_id is not None:
        stmt = stmt.where(or_(Organisation.id == province_id, Organisation.parent_id == province_id))
    return stmt
