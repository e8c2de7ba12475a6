"""Read-side of the dashboards: every figure the pages, CSV files and API show.

The functions here read the rollup tables (``wcc.dashboards.models``), never
the raw reports, in a fixed number of queries whatever the number of reports;
sums, counts, running sums and "latest period" picks are done by the
database. Python only combines the few rows that come back (one per area and
period, or per member) and classifies progress with ``wcc.reporting.progress``.

How figures combine (documented in README, "Dashboards"):

- Only approved reports count.
- A member's actual over a range follows the goal's aggregation over its own
  approved reports: sum → sum, latest → the value of the latest period in
  the range, average → the mean of its values.
- An area (a province as a whole: its own and its municipalities' reports; or
  the network) per period: additive goals add the members' values up, level
  goals average them. Over the range the area's per-period values combine by
  the goal's aggregation in the same way.
- Targets are yearly. Over a range, an additive target is each year's target
  pro-rated to the part of that year the range covers (by days); a level
  target is the target of the range's last year. A province without its own
  target for an additive goal is judged against its municipalities' targets.

Results are plain dicts and lists (codes, numbers as floats), ready for JSON,
for templates and for the cache.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Integer, Select, and_, case, cast, func, null, or_, select, true
from sqlalchemy.orm import aliased

from wcc.dashboards.models import AreaPeriod, MemberPeriod, MemberSeries
from wcc.extensions import db
from wcc.goals.models import Aggregation, Goal
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import (
    Frequency,
    Period,
    PeriodRange,
    due_date,
    goal_periods,
    parse_period,
    period_seq,
    period_share_of_year,
)
from wcc.reporting.progress import Observation, ProgressStatus, assess_additive, assess_level
from wcc.reporting.queries import municipal_target_sums, network_base, targets_for

MEMBER_KINDS = (OrgKind.PROVINCE, OrgKind.MUNICIPALITY)

TRACKS = {
    ProgressStatus.TARGET_ACHIEVED: "on_track",
    ProgressStatus.SUBSTANTIAL: "on_track",
    ProgressStatus.MODERATE: "at_risk",
    ProgressStatus.LIMITED: "off_track",
    ProgressStatus.DETERIORATION: "off_track",
    ProgressStatus.NOT_ENOUGH_DATA: "no_data",
}


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: a period range and optional narrowing; all kept in the URL."""

    range: PeriodRange
    province: str | None = None
    theme: str | None = None
    category: str | None = None
    craft: str | None = None
    #: The overview's chosen goal (ranking, trend, map).
    goal: str | None = None
    #: The period whose missing reports are listed.
    period: str | None = None

    def key(self) -> str:
        return "|".join(str(v or "") for v in (self.range.key, self.province, self.theme, self.category,
                                                 self.craft, self.goal, self.period))

    def args(self, **changes) -> dict[str, str]:
        values = {"period_from": self.range.first.key, "period_to": self.range.last.key,
                  "province": self.province, "theme": self.theme, "category": self.category,
                  "craft": self.craft, "goal": self.goal, "period": self.period}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


# --- small helpers ----------------------------------------------------------------------

def _num(value) -> float | None:
    return None if value is None else float(value)


def percent(actual: float | None, target: float | None) -> float | None:
    if actual is None or not target:
        return None
    return 100.0 * actual / target


def track(status: str) -> str:
    return TRACKS[ProgressStatus(status)]


def _range_condition(seq_col, goal_col, goals: list[Goal], rng: PeriodRange):
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
    for r in db.session.execute(stmt):
        province = r.code if r.kind == OrgKind.PROVINCE else (r.parent_code if r.kind == OrgKind.MUNICIPALITY
                                                               else None)
        out[r.id] = {"code": r.code, "kind": r.kind, "name": {"fa": r.name_fa, "en": r.name_en, "ru": r.name_ru},
                     "province": province, "parent_id": r.parent_id, "lat": r.latitude, "lon": r.longitude,
                     "active": r.active}
    return out


def goal_info(goal: Goal) -> dict:
    return {"code": goal.code, "title": {"fa": goal.title_fa, "en": goal.title_en, "ru": goal.title_ru},
            "theme": goal.theme, "unit": goal.unit, "aggregation": goal.aggregation, "direction": goal.direction,
            "frequency": goal.frequency, "public": bool(goal.public_dashboard)}


def dashboard_goals(filters: Filters | None = None, public_only: bool = False) -> list[Goal]:
    stmt = select(Goal).where(Goal.active.is_(True)).order_by(Goal.theme, Goal.code)
    if filters is not None and filters.theme:
        stmt = stmt.where(Goal.theme == filters.theme)
    if public_only:
        stmt = stmt.where(Goal.public_dashboard.is_(True))
    return list(db.session.scalars(stmt))


def default_range(today: date) -> PeriodRange:
    """The latest Solar Hijri year with approved figures; this year when there are none."""
    from wcc.periods import period_containing

    # The network's rows hold every approved period; (area_id, seq) is indexed, so this reads a few rows.
    network = select(Organisation.id).where(Organisation.kind == OrgKind.NETWORK).scalar_subquery()
    latest = db.session.scalar(select(func.max(AreaPeriod.seq))
                               .where(AreaPeriod.area_id == network, AreaPeriod.value_count > 0))
    year = latest // 4 if latest else period_containing(today, Frequency.YEARLY).year
    return PeriodRange(Period(year), Period(year))


# --- targets over a range ---------------------------------------------------------------

@dataclass
class TargetBook:
    """Yearly targets, {(goal id, org id): {year: value}}, with provinces' defaults."""

    explicit: dict[tuple[int, int], dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    defaults: dict[tuple[int, int], dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))

    @classmethod
    def load(cls, goals: list[Goal], org_ids=None, province_ids: list[int] | None = None) -> TargetBook:
        """Targets of ``org_ids`` (all when None); with ``province_ids``, also the sums of their
        municipalities' targets for provinces that lack one of their own (one more query, when any do)."""
        book = cls()
        for (goal_id, org_id, key), value in targets_for(goals, org_ids=org_ids).items():
            book.explicit[(goal_id, org_id)][int(key)] = value
        if province_ids:
            lacking = {pid for goal in goals if goal.is_additive for pid in province_ids
                       if len(book.explicit.get((goal.id, pid), {})) < goal.last.year - goal.first.year + 1}
            if lacking:
                for (goal_id, org_id, key), value in municipal_target_sums(goals, province_ids=lacking).items():
                    book.defaults[(goal_id, org_id)][int(key)] = value
        return book

    def yearly(self, goal: Goal, org_id: int, as_area: bool = False) -> dict[int, Decimal]:
        own = self.explicit.get((goal.id, org_id), {})
        if as_area and goal.is_additive:
            defaults = self.defaults.get((goal.id, org_id), {})
            return {**defaults, **own}
        return own

    def over(self, goal: Goal, org_id: int, rng: PeriodRange, as_area: bool = False) -> float | None:
        return range_target(goal, self.yearly(goal, org_id, as_area), rng)


def range_target(goal: Goal, yearly: dict[int, Decimal], rng: PeriodRange) -> float | None:
    """The target over ``rng``: additive goals pro-rate each year's target by the days covered;
    level goals take the target of the last year. None when a year the range needs has none."""
    shares = _year_shares(goal.first_period, goal.last_period, rng)
    if not shares:
        return None
    if not goal.is_additive:
        return _num(yearly.get(shares[-1][0]))
    total = 0.0
    for year, share in shares:
        value = yearly.get(year)
        if value is None:
            return None
        total += float(value) * share
    return total


@lru_cache(maxsize=1024)
def _year_shares(first_key: str, last_key: str, rng: PeriodRange) -> tuple[tuple[int, float], ...]:
    """(year, share of it the range covers) for the goal's years the range touches."""
    first, last = parse_period(first_key).year, parse_period(last_key).year
    return tuple((y, rng.year_share(y)) for y in rng.years if first <= y <= last and rng.year_share(y) > 0)


def period_target(goal: Goal, yearly: dict[int, Decimal], period: Period) -> float | None:
    value = yearly.get(period.year)
    if value is None:
        return None
    return float(value) * period_share_of_year(period) if goal.is_additive else float(value)


# --- progress status over a range ---------------------------------------------------------

def _covered(goal: Goal, rng: PeriodRange, last_with_data: int | None, today: date) -> float:
    """The share of the range's periods that are due by ``today`` or already reported."""
    due, seqs = _due_prefix(goal.frequency, goal.first_period, goal.last_period, goal.due_days, rng, today)
    if not seqs:
        return 0.0
    reached = bisect_right(seqs, last_with_data) if last_with_data is not None else 0
    return max(due, reached) / len(seqs)


@lru_cache(maxsize=1024)
def _due_prefix(frequency: str, first_key: str, last_key: str, due_days: int, rng: PeriodRange,
                today: date) -> tuple[int, tuple[int, ...]]:
    """How many of the goal's periods in the range are past their due date, and their seqs."""
    from wcc.periods.ranges import _goal_periods

    periods = _goal_periods(frequency, first_key, last_key, rng)
    due = sum(1 for p in periods if due_date(p, due_days) < today)
    return due, tuple(period_seq(p) for p in periods)


def judge(goal: Goal, actual: float | None, target: float | None, observations: list[Observation],
          last_seq: int | None, rng: PeriodRange, today: date, base: Observation | None = None) -> str:
    """The progress status (``ProgressStatus`` value) of a figure over the range."""
    if actual is None:
        return ProgressStatus.NOT_ENOUGH_DATA.value
    if goal.is_additive:
        covered = _covered(goal, rng, last_seq, today)
        return assess_additive(actual, covered, direction=goal.direction, target=target).status.value
    target_time = Period(rng.last.year).time
    return assess_level(observations, direction=goal.direction, base=base, target=target,
                        target_time=target_time).status.value


def figure(goal: Goal, actual, target, reports: int, status: str) -> dict:
    return {"actual": actual, "target": target, "percent_of_target": percent(actual, target),
            "status": status, "track": track(status), "reports": reports}


# --- areas: provinces as a whole and the network -----------------------------------------

def area_period_rows(goals: list[Goal], rng: PeriodRange, area_ids, *, by_kind: bool = False,
                     values_only: bool = True) -> list:
    """Per goal, area (and kind) and period: value sum and count, on time, late, pending."""
    a = AreaPeriod
    columns = [a.goal_id, a.area_id, a.seq, a.period_key]
    if by_kind:
        columns.append(a.kind)
    stmt = (select(*columns, func.sum(a.value_sum).label("s"), func.sum(a.value_count).label("c"),
                   func.sum(a.on_time).label("on_time"), func.sum(a.late).label("late"),
                   func.sum(a.pending).label("pending"))
            .where(_range_condition(a.seq, a.goal_id, goals, rng), a.area_id.in_(area_ids))
            .group_by(*columns).order_by(a.seq))
    if values_only:
        stmt = stmt.having(func.sum(a.value_count) > 0)
    return db.session.execute(stmt).all()


def area_totals(goals: list[Goal], rng: PeriodRange, area_ids) -> dict[tuple[int, int], dict]:
    """Per goal and area over the range, computed by the database from the period rows:
    {(goal id, area id): {sum, mean, latest, count, last_seq, first_seq, first_mean}}."""
    a = AreaPeriod
    per_period = (select(a.goal_id, a.area_id, a.seq, func.sum(a.value_sum).label("s"),
                         func.sum(a.value_count).label("c"))
                  .where(_range_condition(a.seq, a.goal_id, goals, rng), a.area_id.in_(area_ids))
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
    return {(r.goal_id, r.area_id): r._asdict() for r in db.session.execute(stmt)}


def _area_actual(goal: Goal, row: dict | None) -> float | None:
    if row is None or not row["count"]:
        return None
    if goal.aggregation == Aggregation.SUM:
        return _num(row["sum"])
    return _num(row["latest"] if goal.aggregation == Aggregation.LATEST else row["mean"])


def _period_value(goal: Goal, value_sum, value_count) -> float | None:
    if not value_count:
        return None
    return float(value_sum) if goal.is_additive else float(value_sum) / value_count


def combine(goal: Goal, values: list[float]) -> float | None:
    """Per-period values (oldest first) combined over a range by the goal's aggregation."""
    if not values:
        return None
    if goal.aggregation == Aggregation.SUM:
        return sum(values)
    if goal.aggregation == Aggregation.LATEST:
        return values[-1]
    return sum(values) / len(values)


def by_area(rows) -> dict[tuple[int, int], dict[int, object]]:
    """Period rows grouped: {(goal id, area id): {seq: row}}."""
    out: dict[tuple[int, int], dict[int, object]] = defaultdict(dict)
    for r in rows:
        out[(r.goal_id, r.area_id)][r.seq] = r
    return out


def area_series(goal: Goal, rng: PeriodRange, grouped, area_id: int, yearly: dict[int, Decimal]) -> list[dict]:
    """Per period of the range: the area's actual and target, with running totals."""
    by_seq = grouped.get((goal.id, area_id), {})
    out, cum_actual, cum_target = [], 0.0, 0.0
    for period in goal_periods(goal, rng):
        row = by_seq.get(period_seq(period))
        actual = _period_value(goal, row.s, row.c) if row is not None else None
        target = period_target(goal, yearly, period)
        cum_actual += actual or 0.0
        cum_target += target or 0.0
        out.append({"period": period.key, "actual": actual, "target": target,
                    "cumulative_actual": cum_actual if goal.is_additive else None,
                    "cumulative_target": cum_target if goal.is_additive and target is not None else None})
    return out


def area_figure(goal: Goal, rng: PeriodRange, today: date, series: list[dict], target: float | None,
                reports: int, base: Observation | None = None) -> dict:
    values = [p["actual"] for p in series if p["actual"] is not None]
    actual = combine(goal, values)
    observations = [Observation(parse_period(p["period"]).time, p["actual"]) for p in series
                    if p["actual"] is not None]
    last_seq = max((period_seq(parse_period(p["period"])) for p in series if p["actual"] is not None),
                   default=None)
    status = judge(goal, actual, target, observations, last_seq, rng, today, base)
    return figure(goal, actual, target, reports, status)


# --- members -----------------------------------------------------------------------------

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
    # The first value inside the range is only needed to judge levels (rates, stocks).
    levels = any(not g.is_additive for g in goals)
    first_probe = probe(func.min, s.seq.between(lo_bound, hi_bound)) if levels else cast(null(), Integer)
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
    for r in db.session.execute(stmt):
        g = by_id[r.goal_id]
        count = (r.hi_count or 0) - (r.lo_count or 0) if r.hi is not None else 0
        actual = None
        if count > 0:
            total = (r.hi_cum or 0) - (r.lo_cum or 0)
            actual = {Aggregation.SUM: total, Aggregation.LATEST: r.hi_value}.get(g.aggregation, None)
            if g.aggregation == Aggregation.AVERAGE:
                actual = Decimal(total) / count
        out[(r.goal_id, r.org_id)] = {"actual": _num(actual), "reports": count, "last_seq": r.hi if count else None,
                                      "first_seq": r.first, "first_value": _num(r.first_value),
                                      "last_value": _num(r.hi_value) if count else None}
    return out


#: A member with nothing approved in the range.
NO_FIGURE = {"actual": None, "reports": 0, "last_seq": None, "first_seq": None, "first_value": None,
             "last_value": None}


def goal_periods_bounds(goal: Goal, rng: PeriodRange) -> tuple[int, int] | None:
    periods = goal_periods(goal, rng)
    return (period_seq(periods[0]), period_seq(periods[-1])) if periods else None


def member_status(goal: Goal, fig: dict, target: float | None, rng: PeriodRange, today: date) -> str:
    observations = []
    if fig["first_seq"] is not None and fig["last_seq"] is not None:
        observations = [Observation(_seq_time(fig["first_seq"], goal), fig["first_value"]),
                        Observation(_seq_time(fig["last_seq"], goal), fig["actual"] if goal.aggregation
                                    == Aggregation.AVERAGE else fig["last_value"])]
        if fig["first_seq"] == fig["last_seq"]:
            observations = observations[1:]
    return judge(goal, fig["actual"], target, observations, fig["last_seq"], rng, today)


def seq_period(seq: int, goal: Goal) -> Period:
    year, quarter = divmod(seq, 4)
    return Period(year) if goal.frequency == Frequency.YEARLY else Period(year, quarter + 1)


def _seq_time(seq: int, goal: Goal) -> float:
    return seq_period(seq, goal).time


def member_period_values(goal: Goal, rng: PeriodRange, members: Select) -> dict[int, dict[str, float]]:
    """{org id: {period key: approved value}} inside the range. One query over the rollup."""
    bounds = goal_periods_bounds(goal, rng)
    if bounds is None:
        return {}
    s = MemberSeries
    stmt = (select(s.org_id, s.period_key, s.value)
            .where(s.goal_id == goal.id, s.seq.between(*bounds), s.org_id.in_(members)))
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for r in db.session.execute(stmt):
        out[r.org_id][r.period_key] = float(r.value)
    return out


# --- who is expected to report ------------------------------------------------------------

def reporting_members_stmt(province_id: int | None = None) -> Select:
    """Members expected to report: active municipalities, and active provinces that have an
    active municipality or have ever reported (a province alone is a region, not yet a member)."""
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


def expected_per_member(goals: list[Goal], period: Period, today: date) -> dict[str, int]:
    """How many reports a member of each kind owes for ``period``: {kind: count}."""
    out = {OrgKind.PROVINCE.value: 0, OrgKind.MUNICIPALITY.value: 0}
    if period.first_day > today:
        return out
    for goal in goals:
        if goal.frequency != period.frequency or not goal.first.sort_key <= period.sort_key <= goal.last.sort_key:
            continue
        for kind in goal.reporting_kinds:
            out[kind] += 1
    return out


def compliance_periods(goals: list[Goal], rng: PeriodRange, today: date) -> list[Period]:
    """Periods of the range that some goal is reported for and that have begun, oldest first."""
    periods = {p for goal in goals for p in goal_periods(goal, rng) if p.first_day <= today}
    return sorted(periods, key=lambda p: p.sort_key)


def compliance(goals: list[Goal], rng: PeriodRange, today: date, directory: dict[int, dict],
               members: list[int], province_id: int | None = None) -> dict:
    """On time, late, awaiting approval and missing reports per province and period.

    On time and late count approved reports (late: first sent after the due
    date); awaiting approval counts reports sent but not yet approved; missing
    is what the active members owed for goals their kind reports, minus all of these.
    """
    periods = compliance_periods(goals, rng, today)
    expected = {p.key: expected_per_member(goals, p, today) for p in periods}
    kinds_per_province: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org_id in members:
        org = directory[org_id]
        area = org_id if org["kind"] == OrgKind.PROVINCE else org["parent_id"]
        kinds_per_province[area][org["kind"]] += 1
    provinces = sorted(kinds_per_province, key=lambda pid: directory[pid]["code"])
    if province_id is not None:
        provinces = [p for p in provinces if p == province_id]
    a = AreaPeriod
    stmt = (select(a.area_id, a.period_key, func.sum(a.on_time).label("on_time"), func.sum(a.late).label("late"),
                   func.sum(a.pending).label("pending"))
            .where(_range_condition(a.seq, a.goal_id, goals, rng), a.area_id.in_(provinces))
            .group_by(a.area_id, a.period_key))
    counted = {(r.area_id, r.period_key): r for r in db.session.execute(stmt)} if provinces and periods else {}
    rows = []
    for pid in provinces:
        cells = []
        total = {name: 0 for name in ("expected", "on_time", "late", "pending", "missing")}
        for period in periods:
            owed = sum(n * expected[period.key][kind] for kind, n in kinds_per_province[pid].items())
            r = counted.get((pid, period.key))
            cell = {"period": period.key, "expected": owed, "on_time": int(r.on_time) if r else 0,
                    "late": int(r.late) if r else 0, "pending": int(r.pending) if r else 0}
            cell["missing"] = max(0, owed - cell["on_time"] - cell["late"] - cell["pending"])
            cells.append(cell)
            for name in ("expected", "on_time", "late", "pending", "missing"):
                total[name] += cell[name]
        rows.append({"org": directory[pid]["code"], "periods": cells, **total})
    return {"periods": [p.key for p in periods], "provinces": rows}


def default_compliance_period(goals: list[Goal], rng: PeriodRange, today: date) -> Period | None:
    """The latest period of the range whose reports are overdue, else the latest that has begun."""
    periods = compliance_periods(goals, rng, today)
    quarters = [p for p in periods if p.quarter] or periods
    overdue = [p for p in quarters if due_date(p, max((g.due_days for g in goals), default=30)) < today]
    return (overdue or quarters or [None])[-1]


def member_compliance(goals: list[Goal], period: Period, today: date, directory: dict[int, dict],
                      members: list[int]) -> list[dict]:
    """Every member that owes reports for ``period``: owed, approved (on time, late), awaiting, missing.

    Members are listed by province and code; the ones with something missing answer
    "who has not reported". One query over the member rollup.
    """
    expected = expected_per_member(goals, period, today)
    owing = [m for m in members if expected.get(directory[m]["kind"], 0)]
    if not owing:
        return []
    m = MemberPeriod
    stmt = select(m.org_id, m.on_time, m.late, m.pending).where(m.period_key == period.key, m.org_id.in_(owing))
    sent = {r.org_id: r for r in db.session.execute(stmt)}
    out = []
    for org_id in owing:
        org, r = directory[org_id], sent.get(org_id)
        owed = expected[org["kind"]]
        on_time, late, pending = (r.on_time, r.late, r.pending) if r else (0, 0, 0)
        out.append({"org": org["code"], "province": org["province"], "kind": org["kind"], "expected": owed,
                    "on_time": on_time, "late": late, "pending": pending,
                    "missing": max(0, owed - on_time - late - pending)})
    out.sort(key=lambda row: (row["province"] or "", row["kind"] != OrgKind.PROVINCE, row["org"]))
    return out


# --- the dashboards -------------------------------------------------------------------------

@dataclass
class Context:
    """What every dashboard needs first: today, the network, the organisations."""

    today: date
    network_id: int | None
    directory: dict[int, dict]

    @classmethod
    def load(cls, today: date) -> Context:
        directory = org_directory()
        network = next((i for i, o in directory.items() if o["kind"] == OrgKind.NETWORK), None)
        return cls(today, network, directory)

    def provinces(self, province_id: int | None = None) -> list[int]:
        ids = [i for i, o in self.directory.items() if o["kind"] == OrgKind.PROVINCE and o["active"]]
        return [i for i in ids if i == province_id] if province_id is not None else ids

    def by_code(self, code: str | None, kind: str | None = None) -> int | None:
        for org_id, org in self.directory.items():
            if org["code"] == code and (kind is None or org["kind"] == kind):
                return org_id
        return None

    def code(self, org_id: int) -> str:
        return self.directory[org_id]["code"]


def _members(province_id: int | None = None) -> list[int]:
    return list(db.session.scalars(reporting_members_stmt(province_id)))


def network_goal_figures(goals: list[Goal], ctx: Context, rng: PeriodRange, book: TargetBook) -> dict[int, dict]:
    """The network's figure per goal, with its per-period series. One query."""
    if ctx.network_id is None:
        return {}
    grouped = by_area(area_period_rows(goals, rng, [ctx.network_id]))
    out = {}
    for goal in goals:
        series = area_series(goal, rng, grouped, ctx.network_id, book.yearly(goal, ctx.network_id))
        reports = sum(int(r.c) for r in grouped.get((goal.id, ctx.network_id), {}).values())
        fig = area_figure(goal, rng, ctx.today, series, book.over(goal, ctx.network_id, rng), reports,
                          network_base(goal))
        out[goal.id] = {**fig, "periods": series}
    return out


def goal_dashboard(goal: Goal, filters: Filters, today: date, *, member_periods: bool = True) -> dict:
    """One goal: the network against its target, each province as a whole, every member.

    Members are ranked by their share of their target (then by actual). The
    ``periods`` of each member list every period of the range, with ``actual``
    None where nothing is approved.
    """
    rng = filters.range
    ctx = Context.load(today)
    province_id = ctx.by_code(filters.province, OrgKind.PROVINCE)
    members = _members(province_id)
    book = TargetBook.load([goal], province_ids=ctx.provinces())
    network = network_goal_figures([goal], ctx, rng, book).get(goal.id)
    provinces = []
    province_ids = ctx.provinces(province_id)
    grouped = by_area(area_period_rows([goal], rng, province_ids) if province_ids else [])
    for pid in province_ids:
        series = area_series(goal, rng, grouped, pid, book.yearly(goal, pid, as_area=True))
        reports = sum(int(r.c) for r in grouped.get((goal.id, pid), {}).values())
        fig = area_figure(goal, rng, today, series, book.over(goal, pid, rng, as_area=True), reports)
        if fig["actual"] is not None or fig["target"] is not None:
            provinces.append({"org": ctx.code(pid), **fig, "periods": series})
    provinces.sort(key=_ranking_key)
    figs = member_figures([goal], rng, select(Organisation.id).where(Organisation.id.in_(members))) \
        if members else {}
    values = member_period_values(goal, rng, select(Organisation.id).where(Organisation.id.in_(members))) \
        if member_periods and members else {}
    periods = goal_periods(goal, rng)
    out_members = []
    for org_id in members:
        if ctx.directory[org_id]["kind"] not in goal.reporting_kinds:
            continue
        fig = figs.get((goal.id, org_id)) or NO_FIGURE
        yearly = book.yearly(goal, org_id)
        target = range_target(goal, yearly, rng)
        item = {"org": ctx.code(org_id), "kind": ctx.directory[org_id]["kind"],
                "province": ctx.directory[org_id]["province"],
                **figure(goal, fig["actual"], target, fig["reports"], member_status(goal, fig, target, rng, today))}
        if member_periods:
            own = values.get(org_id, {})
            item["periods"] = [{"period": p.key, "actual": own.get(p.key), "target": period_target(goal, yearly, p)}
                               for p in periods]
        out_members.append(item)
    out_members.sort(key=_ranking_key)
    return {"goal": goal.code, "info": goal_info(goal), "range": {"from": rng.first.key, "to": rng.last.key},
            "province_filter": filters.province if province_id is not None else None,
            "network": network or figure(goal, None, None, 0, ProgressStatus.NOT_ENOUGH_DATA.value),
            "provinces": provinces, "members": out_members, "orgs": _names(ctx, [m["org"] for m in out_members]
                                                                          + [p["org"] for p in provinces])}


def _ranking_key(item: dict):
    pct, actual = item.get("percent_of_target"), item.get("actual")
    return (pct is None, -(pct or 0), actual is None, -(actual or 0), item["org"])


def _names(ctx: Context, codes) -> dict[str, dict]:
    wanted = set(codes)
    return {o["code"]: {"name": o["name"], "kind": o["kind"], "province": o["province"]}
            for o in ctx.directory.values() if o["code"] in wanted}


def default_goal(goals: list[Goal], code: str | None) -> Goal | None:
    """The chosen goal, else the first goal counted in euros and added up (export value), else the first."""
    by_code = {g.code: g for g in goals}
    if code and code in by_code:
        return by_code[code]
    return next((g for g in goals if g.unit == "EUR" and g.is_additive), goals[0] if goals else None)


def overview(filters: Filters, today: date, *, initiatives=None) -> dict:
    """The network overview: tiles, goals with status, provinces × goals, ranking, trend,
    compliance and the map. ``initiatives`` adds the initiative figures when given."""
    rng = filters.range
    ctx = Context.load(today)
    goals = dashboard_goals(filters)
    all_goals = goals if not filters.theme else dashboard_goals()
    province_id = ctx.by_code(filters.province, OrgKind.PROVINCE)
    province_ids = ctx.provinces()
    org_ids = province_ids + ([ctx.network_id] if ctx.network_id else [])
    book = TargetBook.load(all_goals, org_ids=org_ids, province_ids=province_ids)
    network = network_goal_figures(goals, ctx, rng, book)
    goal_rows = [{"code": g.code, **{k: v for k, v in network.get(g.id, {}).items() if k != "periods"}}
                 for g in goals]
    totals = area_totals(goals, rng, province_ids) if province_ids and goals else {}
    heat = []
    for pid in province_ids:
        row = []
        for goal in goals:
            actual = _area_actual(goal, totals.get((goal.id, pid)))
            row.append(percent(actual, book.over(goal, pid, rng, as_area=True)))
        if any(v is not None for v in row):
            heat.append({"org": ctx.code(pid), "percent": row})
    chosen = default_goal(goals, filters.goal)
    ranking, trend, choropleth = [], [], []
    if chosen is not None:
        for pid in province_ids:
            actual = _area_actual(chosen, totals.get((chosen.id, pid)))
            target = book.over(chosen, pid, rng, as_area=True)
            ranking.append({"org": ctx.code(pid), "actual": actual, "target": target,
                            "percent_of_target": percent(actual, target)})
        ranking.sort(key=lambda r: (r["actual"] is None, -(r["actual"] or 0), r["org"]))
        ranking = [r for r in ranking if r["actual"] is not None or r["target"] is not None]
        trend = network.get(chosen.id, {}).get("periods", [])
        choropleth = [{"org": r["org"], "percent_of_target": r["percent_of_target"], "actual": r["actual"]}
                      for r in ranking]
    scope = _members(province_id)
    comp = compliance(all_goals, rng, today, ctx.directory, scope, province_id)
    period = _compliance_period(filters, all_goals, rng, today)
    missing = member_compliance(all_goals, period, today, ctx.directory, scope) if period else []
    markers = [{"org": ctx.code(m), "lat": ctx.directory[m]["lat"], "lon": ctx.directory[m]["lon"],
                "initiatives": (initiatives or {}).get("per_org", {}).get(ctx.code(m), 0)}
               for m in scope if ctx.directory[m]["lat"] is not None and ctx.directory[m]["lon"] is not None]
    assessed = [g for g in goal_rows if g.get("track") not in (None, "no_data")]
    tiles = {
        "members_reporting": {"period": period.key if period else None,
                              "count": sum(1 for r in missing if r["on_time"] + r["late"] > 0),
                              "of": len(missing)},
        "export_eur": {"year": rng.last.year, "value": _export_eur(all_goals, ctx, rng.last.year)},
        "goals_on_track": {"on_track": sum(1 for g in assessed if g["track"] == "on_track"),
                           "assessed": len(assessed), "goals": len(goal_rows),
                           "share": (100.0 * sum(1 for g in assessed if g["track"] == "on_track") / len(assessed))
                           if assessed else None},
        "active_initiatives": (initiatives or {}).get("active"),
    }
    return {"range": {"from": rng.first.key, "to": rng.last.key}, "tiles": tiles, "goals": goal_rows,
            "goal_info": {g.code: goal_info(g) for g in goals},
            "heatmap": {"goals": [g.code for g in goals], "provinces": heat},
            "chosen_goal": chosen.code if chosen else None, "ranking": ranking, "trend": trend,
            "compliance": comp, "compliance_period": period.key if period else None,
            "missing": missing, "map": {"provinces": choropleth, "members": markers},
            "initiatives": initiatives, "orgs": _names(ctx, [ctx.code(i) for i in province_ids] +
                                                      [r["org"] for r in missing] + [m["org"] for m in markers])}


def _compliance_period(filters: Filters, goals: list[Goal], rng: PeriodRange, today: date) -> Period | None:
    if filters.period:
        try:
            return parse_period(filters.period)
        except ValueError:
            pass
    return default_compliance_period(goals, rng, today)


def _export_eur(goals: list[Goal], ctx: Context, year: int) -> float | None:
    """The network's approved export value in euros in ``year``: every additive EUR goal added up."""
    eur = [g for g in goals if g.unit == "EUR" and g.is_additive]
    if not eur or ctx.network_id is None:
        return None
    rows = area_period_rows(eur, PeriodRange(Period(year), Period(year)), [ctx.network_id])
    return sum(float(r.s) for r in rows) if rows else None


def kind_averages(goals: list[Goal], ctx: Context, rng: PeriodRange, members: list[int]) -> dict[tuple[int, str | None], float | None]:
    """The average member's figure per goal, by kind of member and for all kinds (None):
    additive goals divide the total by the number of members of that kind expected to report
    (so members that reported nothing count as zero); level goals average the reported values."""
    counts: dict[str, int] = defaultdict(int)
    for m in members:
        counts[ctx.directory[m]["kind"]] += 1
    rows = area_period_rows(goals, rng, [ctx.network_id], by_kind=True) if ctx.network_id else []
    out: dict[tuple[int, str | None], float | None] = {}
    for goal in goals:
        mine = [r for r in rows if r.goal_id == goal.id]
        for kind in (*goal.reporting_kinds, None):
            selected = [r for r in mine if kind is None or r.kind == kind]
            n = counts[kind] if kind else sum(counts[k] for k in goal.reporting_kinds)
            if goal.is_additive:
                out[(goal.id, kind)] = sum(float(r.s) for r in selected) / n if n and selected else None
                continue
            per_seq: dict[int, list] = defaultdict(lambda: [0.0, 0])
            for r in selected:
                per_seq[r.seq][0] += float(r.s)
                per_seq[r.seq][1] += int(r.c)
            values = [s / c for _seq, (s, c) in sorted(per_seq.items()) if c]
            out[(goal.id, kind)] = combine(goal, values)
    return out


def province_dashboard(province: Organisation, filters: Filters, today: date, *, initiatives=None) -> dict:
    """A province: as a whole against the provinces' average and its target, each of its
    members × goals, and its members' reporting compliance."""
    rng = filters.range
    ctx = Context.load(today)
    goals = dashboard_goals(filters)
    all_goals = goals if not filters.theme else dashboard_goals()
    province_ids = ctx.provinces()
    members = _members(province.id)
    book = TargetBook.load(goals, org_ids=province_ids + members + ([ctx.network_id] if ctx.network_id else []),
                           province_ids=province_ids)
    totals = area_totals(goals, rng, province_ids) if province_ids and goals else {}
    grouped = by_area(area_period_rows(goals, rng, [province.id]) if goals else [])
    network = network_goal_figures(goals, ctx, rng, book)
    goal_rows = []
    for goal in goals:
        series = area_series(goal, rng, grouped, province.id, book.yearly(goal, province.id, as_area=True))
        fig = area_figure(goal, rng, today, series, book.over(goal, province.id, rng, as_area=True),
                          sum(int(r.c) for r in grouped.get((goal.id, province.id), {}).values()))
        peers = [_area_actual(goal, totals.get((goal.id, pid))) for pid in province_ids]
        peers = [p for p in peers if p is not None]
        average = sum(peers) / len(peers) if peers else None
        goal_rows.append({"code": goal.code, **fig, "peers_average": average,
                          "index_vs_peers": percent(fig["actual"], average),
                          "network_actual": network.get(goal.id, {}).get("actual")})
    figs = member_figures(goals, rng, select(Organisation.id).where(Organisation.id.in_(members))) \
        if members and goals else {}
    member_ids = sorted(members, key=lambda m: (ctx.directory[m]["kind"] != OrgKind.PROVINCE, ctx.code(m)))
    heat = [{"org": ctx.code(m), "percent": [
        percent(figs[(g.id, m)]["actual"], book.over(g, m, rng)) if (g.id, m) in figs else None for g in goals]}
        for m in member_ids]
    comp = compliance(all_goals, rng, today, ctx.directory, members, province.id)
    period = _compliance_period(filters, all_goals, rng, today)
    return {"org": province.code, "range": {"from": rng.first.key, "to": rng.last.key}, "goals": goal_rows,
            "goal_info": {g.code: goal_info(g) for g in goals},
            "heatmap": {"goals": [g.code for g in goals], "members": heat},
            "compliance": comp, "compliance_period": period.key if period else None,
            "members_compliance": member_compliance(all_goals, period, today, ctx.directory, member_ids)
            if period else [],
            "initiatives": initiatives,
            "orgs": _names(ctx, [ctx.code(m) for m in member_ids] + [province.code])}


def member_dashboard(org: Organisation, filters: Filters, today: date, *, initiatives=None) -> dict:
    """One member: its figures per goal against its target, the average member of its kind
    (its peers) and the average member of the network; its reporting per period."""
    rng = filters.range
    ctx = Context.load(today)
    goals = [g for g in dashboard_goals(filters) if g.reported_by(org)]
    all_goals = dashboard_goals()
    members = _members()
    book = TargetBook.load(goals, org_ids=[org.id])
    figs = member_figures(goals, rng, select(Organisation.id).where(Organisation.id == org.id)) if goals else {}
    averages = kind_averages(goals, ctx, rng, members) if goals else {}
    goal_rows = []
    for goal in goals:
        fig = figs.get((goal.id, org.id))
        target = book.over(goal, org.id, rng)
        status = member_status(goal, fig, target, rng, today) if fig else ProgressStatus.NOT_ENOUGH_DATA.value
        actual = fig["actual"] if fig else None
        peers, everyone = averages.get((goal.id, org.kind)), averages.get((goal.id, None))
        goal_rows.append({"code": goal.code, **figure(goal, actual, target, fig["reports"] if fig else 0, status),
                          "peers_average": peers, "network_average": everyone,
                          "index_vs_peers": percent(actual, peers), "index_vs_network": percent(actual, everyone)})
    periods = compliance_periods(all_goals, rng, today)
    m = MemberPeriod
    sent = {r.period_key: r for r in db.session.execute(
        select(m.period_key, m.on_time, m.late, m.pending).where(
            m.org_id == org.id, m.period_key.in_([p.key for p in periods])))} if periods else {}
    comp = []
    for period in periods:
        owed = expected_per_member(all_goals, period, today).get(org.kind, 0)
        r = sent.get(period.key)
        on_time, late, pending = (r.on_time, r.late, r.pending) if r else (0, 0, 0)
        if owed or r:
            comp.append({"period": period.key, "expected": owed, "on_time": on_time, "late": late,
                         "pending": pending, "missing": max(0, owed - on_time - late - pending)})
    return {"org": org.code, "kind": org.kind, "range": {"from": rng.first.key, "to": rng.last.key},
            "goals": goal_rows, "goal_info": {g.code: goal_info(g) for g in goals}, "compliance": comp,
            "initiatives": initiatives, "orgs": _names(ctx, [org.code])}


def public_goal_dashboard(goal: Goal, filters: Filters, today: date) -> dict:
    """A goal for the public: the network and the provinces as a whole; approved figures only,
    no members' own figures and no people."""
    data = goal_dashboard(goal, Filters(filters.range), today, member_periods=False)
    return {key: data[key] for key in ("goal", "info", "range", "network", "provinces")} | {
        "orgs": {code: v for code, v in data["orgs"].items() if v["kind"] == OrgKind.PROVINCE}}


# --- caching ------------------------------------------------------------------------------

def cached(kind: str, filters_key: str, today: date, compute, *, memo: bool = False):
    """``compute()``'s result, cached per dashboard, filter set and day under the data version.

    Approvals, reopenings, corrections and target changes bump the version in
    their own transaction, so a cached figure never outlives the numbers it
    came from; the day is part of the key because statuses depend on it.
    ``memo`` also keeps the value in this process (for small values asked on
    every request): safe with many workers, as the key holds the data version.
    """
    import hashlib

    from wcc.dashboards.rollups import data_version
    from wcc.extensions import cache

    version = data_version()
    raw = f"{version}|{today.isoformat()}|{kind}|{filters_key}"
    key = "dash:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    memo = memo and version != 0  # 0: no version drawn yet, so it names no particular data
    if memo and key in _MEMO:
        return _MEMO[key]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=CACHE_SECONDS)
    if memo:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = value
    return value


#: Small values kept per process by ``cached(memo=True)``, keyed like the shared cache.
_MEMO: dict[str, object] = {}
MEMO_SIZE = 64

#: Entries are keyed by data version, so they only expire to free memory.
CACHE_SECONDS = 6 * 3600


# --- initiatives ----------------------------------------------------------------------------

def initiative_figures(filters: Filters, *, org_ids: list[int] | None = None, published_only: bool = True,
                       recent: int = 0) -> dict:
    """Initiatives counted for a dashboard: active now, by category, by craft and by member.

    Network views count published initiatives only (what every member may
    see); a province's or member's own page, seen only by those who may read
    its drafts, passes ``published_only=False``. Category, craft and province
    filters apply; categories and crafts count initiatives that overlap the
    period range (or have no dates). ``recent`` lists that many, newest first.
    """
    from wcc.initiatives.models import Category, Craft, Initiative, Status, initiative_crafts

    i = Initiative
    conditions = [i.deleted_at.is_(None)]
    if published_only:
        conditions.append(i.published.is_(True))
    if org_ids is not None:
        conditions.append(i.org_id.in_(org_ids))
    elif filters.province:
        conditions.append(i.org_id.in_(select(Organisation.id).join(
            parent := aliased(Organisation), Organisation.parent_id == parent.id, isouter=True).where(
            or_(Organisation.code == filters.province, parent.code == filters.province))))
    if filters.category:
        conditions.append(i.category_id.in_(select(Category.id).where(Category.code == filters.category)))
    if filters.craft:
        conditions.append(i.id.in_(select(initiative_crafts.c.initiative_id).join(
            Craft, Craft.id == initiative_crafts.c.craft_id).where(Craft.code == filters.craft)))
    in_range = [or_(i.start_date.is_(None), i.start_date <= filters.range.end),
                or_(i.end_date.is_(None), i.end_date >= filters.range.start)]
    active = db.session.scalar(select(func.count()).select_from(i).where(*conditions, i.status == Status.ACTIVE))
    # Grouped by ids, without joins (the names of a dozen categories and crafts come in small queries).
    per_category = dict(db.session.execute(
        select(i.category_id, func.count()).where(*conditions, *in_range).group_by(i.category_id)).all())
    per_craft = dict(db.session.execute(
        select(initiative_crafts.c.craft_id, func.count()).join(i, i.id == initiative_crafts.c.initiative_id)
        .where(*conditions, *in_range).group_by(initiative_crafts.c.craft_id)).all())
    per_org_id = dict(db.session.execute(
        select(i.org_id, func.count()).where(*conditions, *in_range).group_by(i.org_id)).all())

    def named(model, counts: dict[int, int]) -> list[dict]:
        if not counts:
            return []
        rows = db.session.execute(select(model.id, model.code, model.name_fa, model.name_en, model.name_ru)
                                  .where(model.id.in_(list(counts))))
        out = [{"code": r.code, "name": {"fa": r.name_fa, "en": r.name_en, "ru": r.name_ru}, "count": counts[r.id]}
               for r in rows]
        return sorted(out, key=lambda item: (-item["count"], item["code"]))

    by_category, by_craft = named(Category, per_category), named(Craft, per_craft)
    codes = dict(db.session.execute(select(Organisation.id, Organisation.code)
                                    .where(Organisation.id.in_(list(per_org_id)))).all()) if per_org_id else {}
    per_org = {codes[org_id]: n for org_id, n in per_org_id.items() if org_id in codes}
    out = {"active": active, "by_category": by_category, "by_craft": by_craft, "per_org": per_org}
    if recent:
        category_name = {c["code"]: c["name"] for c in by_category}
        rows = db.session.execute(
            select(i.id, i.title, i.status, i.start_date, i.end_date, Category.code.label("category"),
                   Organisation.code.label("org"))
            .join(Category, Category.id == i.category_id).join(Organisation, Organisation.id == i.org_id)
            .where(*conditions, *in_range).order_by(i.updated_at.desc(), i.id.desc()).limit(recent))
        out["recent"] = [{"id": r.id, "title": r.title, "status": r.status, "start": r.start_date,
                          "end": r.end_date, "org": r.org, "category": category_name.get(r.category, {})}
                         for r in rows]
    return out
