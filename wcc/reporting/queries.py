"""Read-side SQL for reports: lists, the review queue, "My reporting", progress figures.

Every function here runs a fixed number of queries whatever the number of
reports, and leaves the sums and averages to the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Float, Select, and_, cast, false, func, not_, null, or_, select, true
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from wcc.auth.models import User
from wcc.extensions import db
from wcc.goals.models import Aggregation, Goal, Target
from wcc.goals.queries import area_column, area_targets, in_years
from wcc.initiatives.models import Initiative
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import Period, PeriodRange, clock, due_date, parse_period, period_containing, periods_between
from wcc.permissions import can
from wcc.permissions.helpers import org_scope
from wcc.permissions.reporting import decision_sql
from wcc.reporting import workflow
from wcc.reporting.models import PENDING, CommentKind, ProgressReport, ReportComment, Status, report_initiatives
from wcc.reporting.progress import Assessment, Observation, base_period, judge

# --- visibility and lists -----------------------------------------------------------


#: The steps whose reports make up the review queue.
QUEUE_DECISIONS = ("review", "approve")


def visible_reports(stmt: Select, user) -> Select:
    """Restrict a select over ProgressReport to the reports ``user`` may read (``report.view``)."""
    return stmt.where(org_scope(user, ProgressReport.org_id))


def report_list_query(user, *, goal: Goal | None = None, org: Organisation | None = None,
                      province: Organisation | None = None, period: str | None = None,
                      status: str | None = None, year: int | None = None) -> Select:
    """(report, goal code, org code) rows the user may read, newest period first."""
    stmt = (select(ProgressReport, Goal.code, Organisation.code)
            .join(Goal, ProgressReport.goal_id == Goal.id)
            .join(Organisation, ProgressReport.org_id == Organisation.id)
            .order_by(ProgressReport.period_start.desc(), Goal.code, Organisation.code, ProgressReport.id))
    stmt = visible_reports(stmt, user)
    if goal is not None:
        stmt = stmt.where(ProgressReport.goal_id == goal.id)
    if org is not None:
        stmt = stmt.where(ProgressReport.org_id == org.id)
    if province is not None:
        stmt = stmt.where(or_(ProgressReport.org_id == province.id,
                              Organisation.parent_id == province.id))
    if period:
        stmt = stmt.where(ProgressReport.period_key == period)
    if year is not None:
        stmt = stmt.where(ProgressReport.period_year == year)
    if status:
        stmt = stmt.where(ProgressReport.status == status)
    return stmt


def _decidable(user, steps) -> ColumnElement[bool]:
    """SQL over ProgressReport joined to Organisation: rows on which ``user`` may take one of ``steps`` now,
    as the workflow table and the policy say."""
    return or_(*(workflow.queue_clause(step, user, Organisation.kind, ProgressReport.status,
                                       lambda action: decision_sql(user, action)) for step in steps))


def review_queue_query(user) -> Select:
    """Reports waiting for this user's decision, oldest submission first: those on which the workflow
    table and the policy let the user take a review or an approval now.

    A province officer: the province's municipalities' submitted reports. An
    admin: reviewed reports and provinces' submitted reports, and the submitted
    reports of municipalities whose province has no active officer; never one
    the admin created, changed, submitted or reviewed since its last approval.
    """
    return (select(ProgressReport)
            .join(Organisation, ProgressReport.org_id == Organisation.id)
            .where(_decidable(user, QUEUE_DECISIONS))
            .options(joinedload(ProgressReport.goal), joinedload(ProgressReport.org),
                     joinedload(ProgressReport.submitted_by))
            .order_by(ProgressReport.submitted_at, ProgressReport.id))


def decision_steps(user) -> list[str]:
    """The queue's steps (review, approve) the policy ever lets ``user`` take, in workflow order: what
    the user's to-do list waits for."""
    return [step for step in QUEUE_DECISIONS
            if any(decision_sql(user, t.action) is not None for t in workflow.rows(step))]


def waiting_for(user, step: str, limit: int) -> tuple[int, list[ProgressReport]]:
    """(how many reports wait for ``user`` to take ``step``, the ``limit`` submitted longest ago), in
    one query: the same rows as the review queue's, one step at a time."""
    total = func.count().over().label("total")
    stmt = (select(ProgressReport, total)
            .join(Organisation, ProgressReport.org_id == Organisation.id)
            .where(_decidable(user, (step,)))
            .options(joinedload(ProgressReport.goal), joinedload(ProgressReport.org))
            .order_by(ProgressReport.submitted_at, ProgressReport.id)
            .limit(limit))
    rows = db.session.execute(stmt).all()
    return (rows[0].total if rows else 0), [row[0] for row in rows]


def held_for_others_count(user) -> int:
    """Reports awaiting approval that ``user`` may not approve because of what they did to them:
    another administrator decides. 0 for those who approve nothing."""
    approvable = or_(*(and_(ProgressReport.status == t.source,
                            Organisation.kind == t.kind if t.kind is not None else true())
                       for t in workflow.rows("approve")))
    if not can(user, "report.approval_queue"):
        return 0
    stmt = (select(func.count()).select_from(ProgressReport)
            .join(Organisation, ProgressReport.org_id == Organisation.id)
            .where(approvable, not_(_decidable(user, ("approve",)))))
    return db.session.scalar(stmt) or 0


def reports_by_ids(ids: list[int]) -> Select:
    return (select(ProgressReport).where(ProgressReport.id.in_(ids))
            .options(joinedload(ProgressReport.goal), joinedload(ProgressReport.org)))


def review_queue_count(user) -> int:
    stmt = review_queue_query(user).options().order_by(None).with_only_columns(func.count())
    return db.session.scalar(stmt) or 0


def latest_comments(report_ids: list[int], kinds: tuple[str, ...] | None = None) -> dict[int, ReportComment]:
    """The newest comment (of ``kinds``) on each report, in one query."""
    if not report_ids:
        return {}
    newest = select(ReportComment.report_id, func.max(ReportComment.id).label("id")) \
        .where(ReportComment.report_id.in_(report_ids))
    if kinds:
        newest = newest.where(ReportComment.kind.in_(kinds))
    newest = newest.group_by(ReportComment.report_id).subquery()
    rows = db.session.scalars(select(ReportComment).join(newest, ReportComment.id == newest.c.id)
                              .options(joinedload(ReportComment.author)))
    return {c.report_id: c for c in rows}


# --- linked initiatives ----------------------------------------------------------------

def linked_initiative_ids(report_ids: list[int]) -> dict[int, list[int]]:
    """{report id: ids of its linked initiatives, ascending} in one query."""
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(report_initiatives.c.report_id, report_initiatives.c.initiative_id)
        .where(report_initiatives.c.report_id.in_(report_ids))
        .order_by(report_initiatives.c.report_id, report_initiatives.c.initiative_id))
    links: dict[int, list[int]] = defaultdict(list)
    for report_id, initiative_id in rows:
        links[report_id].append(initiative_id)
    return dict(links)


def initiatives_by_ids(ids: list[int]) -> list[Initiative]:
    if not ids:
        return []
    return list(db.session.scalars(select(Initiative).where(Initiative.id.in_(set(ids)))
                                   .options(joinedload(Initiative.org))))


def linkable_initiatives(org: Organisation, goal: Goal | None,
                         linked: Sequence[Initiative] = ()) -> list[tuple[Initiative, bool]]:
    """(initiative, contributes to ``goal``) a report of ``org`` may cite, in one query.

    The organisation's initiatives that are not deleted, those contributing to
    the goal first, then the most recently changed; and those ``linked`` already,
    whatever became of them since.
    """
    contributes = Initiative.goals.any(Goal.id == goal.id) if goal is not None else false()
    # Without a goal nothing contributes; a constant in ORDER BY is an error on both databases.
    first = [contributes.desc()] if goal is not None else []
    stmt = (select(Initiative, contributes.label("contributes"))
            .where(or_(and_(Initiative.org_id == org.id, Initiative.deleted_at.is_(None)),
                       Initiative.id.in_([i.id for i in linked])))
            .options(joinedload(Initiative.org))
            .order_by(*first, Initiative.updated_at.desc(), Initiative.id.desc()))
    return [(ini, bool(flag)) for ini, flag in db.session.execute(stmt)]


def report_history(report: ProgressReport) -> list:
    """The report's audit events, oldest first, with their actors: its history."""
    from wcc.audit.models import AuditEvent

    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == ProgressReport.__tablename__,
               AuditEvent.object_id == str(report.id))
        .order_by(AuditEvent.id)))


# --- beside the value field ---------------------------------------------------------------

@dataclass
class ValueContext:
    """What a value is read against: the member's target for the period's year and the value approved
    for the period before."""

    period: Period
    target: Decimal | None
    previous: Period
    previous_value: Decimal | None


def previous_approved_value(org_id: int, goal_id: int, period: Period) -> Decimal | None:
    """The approved value of the member's report for the period before ``period`` (None if there is none)."""
    return db.session.scalar(select(ProgressReport.value).where(
        ProgressReport.org_id == org_id, ProgressReport.goal_id == goal_id,
        ProgressReport.period_key == period.previous().key, ProgressReport.status == Status.APPROVED))


def value_context(org: Organisation, goal: Goal, period: Period) -> ValueContext:
    """Two queries: the target and last period's approved value."""
    year = period.year_period()
    target = db.session.scalar(select(Target.value).where(
        Target.goal_id == goal.id, Target.org_id == org.id, Target.period_key == year.key))
    return ValueContext(period, target, period.previous(), previous_approved_value(org.id, goal.id, period))


# --- "My reporting" -----------------------------------------------------------------

@dataclass
class DueItem:
    goal: Goal
    period: Period
    due: date
    report: ProgressReport | None = None


@dataclass
class Overview:
    """What an organisation has to do about its reports, as of ``today``."""

    due: list[DueItem] = field(default_factory=list)
    overdue: list[DueItem] = field(default_factory=list)
    drafts: list[ProgressReport] = field(default_factory=list)
    returned: list[ProgressReport] = field(default_factory=list)
    waiting: list[ProgressReport] = field(default_factory=list)
    approved: list[ProgressReport] = field(default_factory=list)
    return_comments: dict[int, ReportComment] = field(default_factory=dict)

    @property
    def action_count(self) -> int:
        """Distinct (goal, period) pairs that need the organisation's action."""
        keys = {(i.goal.id, i.period.key) for i in self.due + self.overdue}
        keys |= {(r.goal_id, r.period_key) for r in self.drafts + self.returned}
        return len(keys)


def reporting_goals(org: Organisation) -> list[Goal]:
    """Active goals an organisation of this kind reports, by code."""
    column = {OrgKind.PROVINCE: Goal.reported_by_province,
              OrgKind.MUNICIPALITY: Goal.reported_by_municipality}.get(org.kind)
    if column is None:
        return []
    return list(db.session.scalars(select(Goal).where(Goal.active.is_(True), column.is_(True))
                                   .order_by(Goal.code)))


def expected_periods(goal: Goal, today: date) -> list[Period]:
    """The goal's periods that have begun by ``today``, oldest first."""
    current = period_containing(today, goal.frequency)
    last = goal.last if goal.last.sort_key <= current.sort_key else current
    if last.sort_key < goal.first.sort_key:
        return []
    return periods_between(goal.first, last)


def reporting_overview(org: Organisation, today: date, *, with_details: bool = True,
                       recent: int = 10) -> Overview:
    """Due, overdue, draft, returned, waiting and recently approved reports of ``org``.

    Due: periods under way or ended but not yet past their due date, with
    nothing submitted. Overdue: periods past their due date with nothing
    submitted (a draft or a returned report does not count as submitted).
    Three queries (goals, reports, return comments), or two without details.
    """
    overview = Overview()
    goals = reporting_goals(org)
    if not goals:
        return overview
    goal_by_id = {g.id: g for g in goals}
    stmt = (select(ProgressReport).where(ProgressReport.org_id == org.id,
                                         ProgressReport.goal_id.in_(goal_by_id))
            .order_by(ProgressReport.period_start.desc(), ProgressReport.id))
    reports = list(db.session.scalars(stmt))
    by_key: dict[tuple[int, str], ProgressReport] = {}
    for report in reports:
        # Known already: given as loaded, so the reports are not marked changed (a read stays a read).
        set_committed_value(report, "goal", goal_by_id[report.goal_id])
        set_committed_value(report, "org", org)
        by_key[(report.goal_id, report.period_key)] = report
        if report.status == Status.DRAFT:
            overview.drafts.append(report)
        elif report.status == Status.RETURNED:
            overview.returned.append(report)
        elif report.status in PENDING:
            overview.waiting.append(report)
    for goal in goals:
        for period in expected_periods(goal, today):
            report = by_key.get((goal.id, period.key))
            if report is not None and report.status not in (Status.DRAFT, Status.RETURNED):
                continue
            item = DueItem(goal, period, due_date(period, goal.due_days), report)
            (overview.overdue if item.due < today else overview.due).append(item)
    overview.due.sort(key=lambda i: (i.due, i.goal.code))
    overview.overdue.sort(key=lambda i: (i.due, i.goal.code))
    if with_details:
        approved = [r for r in reports if r.status == Status.APPROVED and r.approved_at is not None]
        approved.sort(key=lambda r: r.approved_at, reverse=True)
        overview.approved = approved[:recent]
        overview.return_comments = latest_comments(
            [r.id for r in overview.returned], (CommentKind.RETURN, CommentKind.REOPEN))
    return overview


@dataclass
class NavCounts:
    reporting: int = 0
    review: int = 0


def nav_counts(user, today: date, overview: Overview | None = None) -> NavCounts:
    """The numbers on the navigation: what needs doing in My reporting and in Review.

    At most three queries whatever the data (two when ``overview`` is already known).
    """
    counts = NavCounts()
    if can(user, "report.my_reporting"):
        overview = overview or reporting_overview(user.org, today, with_details=False)
        counts.reporting = overview.action_count
    if can(user, "report.review_queue"):
        counts.review = review_queue_count(user)
    return counts


# --- progress figures ---------------------------------------------------------------

@dataclass
class SeriesPoint:
    year: int
    quarter: int | None
    value: float
    reports: int

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


def _unit_column(unit: str):
    """The column a series is grouped by: each org, its province as a whole, or the network."""
    if unit == "org":
        return ProgressReport.org_id
    if unit == "province":
        return area_column()
    return None


def _value_aggregate(aggregation: str):
    # Additive goals add up across members; levels (rates, stocks) are averaged.
    return func.sum(ProgressReport.value) if aggregation == Aggregation.SUM else func.avg(ProgressReport.value)


def approved_series(goals: list[Goal], unit: str, until_year: int,
                    statuses: tuple[str, ...] = (Status.APPROVED,)) -> dict[tuple[int, int | None], list[SeriesPoint]]:
    """Approved values per goal and unit (``org``, ``province`` or ``network``) and period.

    Returns {(goal_id, unit id or None): [points oldest first]}. One query per
    kind of aggregation among ``goals`` (at most two).
    """
    out: dict[tuple[int, int | None], list[SeriesPoint]] = defaultdict(list)
    by_aggregation: dict[bool, list[int]] = defaultdict(list)
    for goal in goals:
        by_aggregation[goal.aggregation == Aggregation.SUM].append(goal.id)
    unit_col = _unit_column(unit)
    for additive, goal_ids in by_aggregation.items():
        agg = Aggregation.SUM if additive else Aggregation.AVERAGE
        columns = [ProgressReport.goal_id, (unit_col if unit_col is not None else null()).label("unit"),
                   ProgressReport.period_year, ProgressReport.period_quarter,
                   _value_aggregate(agg).label("value"), func.count().label("reports")]
        group = [ProgressReport.goal_id, ProgressReport.period_year, ProgressReport.period_quarter]
        if unit_col is not None:
            group.insert(1, unit_col)
        stmt = (select(*columns).join(Organisation, ProgressReport.org_id == Organisation.id)
                .where(ProgressReport.goal_id.in_(goal_ids), ProgressReport.status.in_(statuses),
                       ProgressReport.value.is_not(None), ProgressReport.period_year <= until_year)
                .group_by(*group)
                .order_by(ProgressReport.period_year, ProgressReport.period_quarter))
        for row in db.session.execute(stmt):
            unit_id = row.unit if unit_col is not None else None
            out[(row.goal_id, unit_id)].append(
                SeriesPoint(row.period_year, row.period_quarter, float(row.value), row.reports))
    return out


def pending_totals(goals: list[Goal], unit: str, year: int) -> dict[tuple[int, int | None], tuple[float, int]]:
    """Submitted and reviewed (not yet approved) values in ``year``: {(goal, unit): (value, count)}.

    Summed for additive goals, averaged for levels; shown apart from approved figures.
    """
    series = approved_series(goals, unit, year, statuses=PENDING)
    out = {}
    for key, points in series.items():
        points = [p for p in points if p.year == year]
        if not points:
            continue
        count = sum(p.reports for p in points)
        values = [p.value for p in points]
        goal_additive = next(g for g in goals if g.id == key[0]).is_additive
        out[key] = (sum(values) if goal_additive else sum(values) / len(values), count)
    return out


def targets_for(goals: list[Goal], year: int | None = None, org_ids=None,
                years=None) -> dict[tuple[int, int, str], Decimal]:
    """Explicit targets: {(goal id, org id, year key): value}, of ``org_ids`` (ids or a SELECT of
    ids) and of ``years`` (a list of years) when given. One query."""
    if not goals:
        return {}
    return {(goal_id, org_id, key): value
            for goal_id, org_id, key, value in target_rows(goals, year, org_ids, years)}


def target_rows(goals: list[Goal], year: int | None = None, org_ids=None, years=None):
    """``targets_for``'s rows, unpacked as (goal id, org id, year key, value), for callers that
    arrange thousands of them their own way and compute with floats: the value comes as the
    database's double (correctly rounded, as ``float(Decimal)`` is), not as a Decimal to convert."""
    stmt = select(Target.goal_id, Target.org_id, Target.period_key, cast(Target.value, Float)) \
        .where(Target.goal_id.in_([g.id for g in goals]), *in_years(Target.period_key, year, years))
    if org_ids is not None:
        stmt = stmt.where(Target.org_id.in_(org_ids))
    return db.session.execute(stmt)


def municipal_target_sums(goals: list[Goal], year: int | None = None,
                          province_ids=None) -> dict[tuple[int, int, str], Decimal]:
    """Sum of the municipalities' targets per province for additive goals, shown beside a
    province's own target on the targets page. {(goal id, province id, year key): sum}, of
    ``province_ids`` when given. One query."""
    additive = [g.id for g in goals if g.is_additive]
    if not additive:
        return {}
    stmt = (select(Target.goal_id, Organisation.parent_id, Target.period_key, func.sum(Target.value))
            .join(Organisation, Target.org_id == Organisation.id)
            .where(Target.goal_id.in_(additive), Organisation.kind == OrgKind.MUNICIPALITY)
            .group_by(Target.goal_id, Organisation.parent_id, Target.period_key))
    if province_ids is not None:
        stmt = stmt.where(Organisation.parent_id.in_(province_ids))
    stmt = stmt.where(*in_years(Target.period_key, year))
    return {(r[0], r[1], r[2]): r[3] for r in db.session.execute(stmt)}


def progress_year(years: list[str], requested: str, goal: Goal | None = None) -> int:
    """The year a progress page or answer is about: ``requested`` if it is one of ``years``; else
    the latest year with approved reports (of ``goal``), else this year (or the nearest of ``years``)."""
    if requested in years:
        return int(requested)
    latest = latest_approved_year(goal)
    if latest is not None and str(latest) in years:
        return latest
    this_year = period_containing(clock.today(), "yearly").year
    if years and str(this_year) not in years:
        return int(years[-1] if this_year > int(years[-1]) else years[0])
    return this_year


def latest_approved_year(goal: Goal | None = None) -> int | None:
    stmt = select(func.max(ProgressReport.period_year)).where(ProgressReport.status == Status.APPROVED)
    if goal is not None:
        stmt = stmt.where(ProgressReport.goal_id == goal.id)
    return db.session.scalar(stmt)


def users_by_id(ids: set[int]) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


# --- progress status per goal ---------------------------------------------------------

@dataclass
class ProgressRow:
    """One line of a progress table: a member, a province as a whole, or the network."""

    assessment: Assessment
    #: Approved figure for the year: the goal's aggregation (sum, latest value or mean).
    approved: float | None = None
    reports: int = 0
    pending: float | None = None
    pending_count: int = 0
    target: Decimal | float | None = None
    #: A province as a whole: (organisations that set a target, organisations that report the goal).
    target_coverage: tuple[int, int] | None = None

    @property
    def percent_of_target(self) -> float | None:
        if self.approved is None or not self.target:
            return None
        return 100.0 * self.approved / float(self.target)


def network_base(goal: Goal) -> Observation | None:
    """The goal's recorded baseline as the network's base, when one is recorded."""
    if goal.baseline_value is None or not goal.baseline_period:
        return None
    return Observation(parse_period(goal.baseline_period).time, float(goal.baseline_value))


def year_figure(goal: Goal, points: list[SeriesPoint], year: int) -> tuple[float | None, Period | None, int]:
    """(the goal's aggregation of the approved values of ``year``, the latest period among them,
    the number of reports) from per-period ``points`` oldest first."""
    in_year = [p for p in points if p.year == year]
    if not in_year:
        return None, None, 0
    values = [p.value for p in in_year]
    if goal.aggregation == Aggregation.SUM:
        actual = sum(values)
    elif goal.aggregation == Aggregation.LATEST:
        actual = values[-1]
    else:
        actual = sum(values) / len(values)
    return actual, in_year[-1].period, sum(p.reports for p in in_year)


def first_base(goal: Goal, points: list[SeriesPoint], year: int) -> Observation | None:
    """The first approved value at or after the goal's base period and not after ``year``."""
    start = base_period(goal).sort_key
    for p in points:
        if start <= p.period.sort_key and p.year <= year:
            return Observation(p.period.time, p.value)
    return None


def assess_year(goal: Goal, points: list[SeriesPoint], year: int, target, today: date,
                base: Observation | None = None) -> tuple[Assessment, float | None, int]:
    """``judge`` over ``year`` from approved per-period ``points`` (oldest first); also the figure
    judged and the report count. ``base`` defaults to the first value at or after the base period."""
    actual, last, reports = year_figure(goal, points, year)
    if base is None and not goal.is_additive:
        base = first_base(goal, points, year)
    span = PeriodRange(Period(year), Period(year))
    return judge(goal, actual=actual, last=last, target=target, span=span, today=today, base=base), actual, reports


def network_org() -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kind == OrgKind.NETWORK))


def network_progress(goals: list[Goal], year: int, today: date) -> dict[int, ProgressRow]:
    """The network's status per goal in ``year``: a fixed number of queries for any number of goals.

    The network's target is its own (set by the administrators for all members together)."""
    if not goals:
        return {}
    network = network_org()
    series = approved_series(goals, "network", year)
    pending = pending_totals(goals, "network", year)
    targets = targets_for(goals, year) if network is not None else {}
    rows = {}
    for goal in goals:
        target = targets.get((goal.id, network.id, str(year))) if network is not None else None
        assessment, approved, reports = assess_year(goal, series.get((goal.id, None), []), year, target,
                                                    today, network_base(goal))
        pend, pend_count = pending.get((goal.id, None), (None, 0))
        rows[goal.id] = ProgressRow(assessment, approved, reports, pend, pend_count, target)
    return rows


@dataclass
class GoalProgress:
    network: ProgressRow
    provinces: dict[int, ProgressRow]
    members: dict[int, ProgressRow]
    orgs: list[Organisation]


def goal_progress(goal: Goal, year: int, today: date) -> GoalProgress:
    """Status of one goal in ``year`` for the network, each province as a whole and each member.

    ``members`` holds every active organisation of a kind that reports the goal,
    judged on its own reports against its own target. A province as a whole
    counts its own reports and its municipalities', against the sum of the same
    organisations' targets (``AreaTargets``).
    """
    kinds = goal.reporting_kinds
    orgs = list(db.session.scalars(
        select(Organisation).where(Organisation.active.is_(True),
                                   Organisation.kind.in_((OrgKind.PROVINCE, OrgKind.MUNICIPALITY)))
        .order_by(Organisation.code)))
    member_series = approved_series([goal], "org", year)
    province_series = approved_series([goal], "province", year)
    member_pending = pending_totals([goal], "org", year)
    province_pending = pending_totals([goal], "province", year)
    targets = targets_for([goal], year)
    areas = area_targets([goal], year)
    key = str(year)
    members, provinces = {}, {}
    for org in orgs:
        if org.kind in kinds:
            target = targets.get((goal.id, org.id, key))
            assessment, approved, reports = assess_year(goal, member_series.get((goal.id, org.id), []),
                                                        year, target, today)
            pend, count = member_pending.get((goal.id, org.id), (None, 0))
            members[org.id] = ProgressRow(assessment, approved, reports, pend, count, target)
        if org.kind == OrgKind.PROVINCE:
            target = areas.target(goal, org.id, year)
            assessment, approved, reports = assess_year(goal, province_series.get((goal.id, org.id), []),
                                                        year, target, today)
            pend, count = province_pending.get((goal.id, org.id), (None, 0))
            provinces[org.id] = ProgressRow(assessment, approved, reports, pend, count, target,
                                            areas.coverage(goal, org.id, year))
    network = network_progress([goal], year, today)[goal.id]
    return GoalProgress(network, provinces, members, orgs)
