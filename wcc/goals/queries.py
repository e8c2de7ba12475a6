"""Read-side queries for goals and targets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Float, and_, case, cast, func, or_, select, true
from sqlalchemy.orm import joinedload

from wcc.audit.models import AuditEvent
from wcc.dashboards.models import AreaTarget
from wcc.extensions import db
from wcc.goals.models import Goal, Target
from wcc.goals.services import target_years
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import period_containing


def get_goal(code: str) -> Goal | None:
    return db.session.scalar(select(Goal).where(Goal.code == code[:40].upper()))


def all_goals(active_only: bool = False) -> list[Goal]:
    stmt = select(Goal).order_by(Goal.theme, Goal.code)
    if active_only:
        stmt = stmt.where(Goal.active.is_(True))
    return list(db.session.scalars(stmt))


def goals_for_org(org: Organisation) -> list[Goal]:
    """Active goals that ``org`` sets targets for: all for the network, its kind's for members."""
    stmt = select(Goal).where(Goal.active.is_(True)).order_by(Goal.theme, Goal.code)
    if org.kind == OrgKind.PROVINCE:
        stmt = stmt.where(Goal.reported_by_province.is_(True))
    elif org.kind == OrgKind.MUNICIPALITY:
        stmt = stmt.where(Goal.reported_by_municipality.is_(True))
    return list(db.session.scalars(stmt))


def year_span(goals: list[Goal]) -> list[str]:
    """Every Solar Hijri year any of ``goals`` runs in, oldest first."""
    years = sorted({y for goal in goals for y in target_years(goal)})
    return years


def current_year(today: date) -> int:
    return period_containing(today, "yearly").year


def org_targets(org: Organisation, goals: list[Goal]) -> dict[tuple[int, str], Target]:
    if not goals:
        return {}
    rows = db.session.scalars(select(Target).where(Target.org_id == org.id,
                                                   Target.goal_id.in_([g.id for g in goals])))
    return {(t.goal_id, t.period_key): t for t in rows}


def target_history(targets: list[Target], limit: int = 30) -> list[AuditEvent]:
    """The latest changes to these targets, newest first, with who made them."""
    if not targets:
        return []
    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == Target.__tablename__,
               AuditEvent.object_id.in_([str(t.id) for t in targets]))
        .order_by(AuditEvent.id.desc()).limit(limit)))


def goal_target_rows(goal: Goal, org_code: str | None = None, period: str | None = None):
    """(target, org code) for the API, in org and period order."""
    stmt = (select(Target, Organisation.code).join(Organisation, Target.org_id == Organisation.id)
            .where(Target.goal_id == goal.id).order_by(Organisation.code, Target.period_key))
    if org_code:
        stmt = stmt.where(Organisation.code == org_code)
    if period:
        stmt = stmt.where(Target.period_key == period)
    return db.session.execute(stmt).all()


# --- a province as a whole ------------------------------------------------------------

def _reports_goal():
    """SQL: the organisation (``Organisation``) is of a kind that reports the goal (``Goal``)."""
    return or_(and_(Organisation.kind == OrgKind.PROVINCE, Goal.reported_by_province.is_(True)),
               and_(Organisation.kind == OrgKind.MUNICIPALITY, Goal.reported_by_municipality.is_(True)))


def area_column():
    """SQL: the province an organisation (``Organisation``) counts towards as a whole: a province
    itself, a municipality's parent."""
    return case((Organisation.kind == OrgKind.PROVINCE, Organisation.id), else_=Organisation.parent_id)


def _counting_members() -> list:
    """SQL conditions: the organisation (``Organisation``) counts towards its province as a whole for
    the goal (``Goal``): it is active, a province or a municipality, of a kind that reports the goal."""
    return [Organisation.active.is_(True), Organisation.kind.in_((OrgKind.PROVINCE, OrgKind.MUNICIPALITY)),
            _reports_goal()]


def in_years(column, year: int | None = None, years=None) -> list:
    """SQL conditions: the year key in ``column`` is ``year``, or one of ``years``, when given."""
    conditions = []
    if year is not None:
        conditions.append(column == str(year))
    if years is not None:
        conditions.append(column.in_([str(y) for y in years]))
    return conditions


@dataclass(frozen=True)
class AreaTargets:
    """What a province as a whole is judged against: per (goal id, province id, year key) the sum and
    number of the targets its organisations set, and per (goal id, province id) how many of its
    organisations report the goal (the province itself and its active municipalities)."""

    sums: dict[tuple[int, int, str], tuple[float, int]]
    expected: dict[tuple[int, int], int]

    def target(self, goal: Goal, province_id: int, year: int | str) -> float | None:
        """The province's target as a whole for ``year``: the sum of its organisations' targets (their
        mean for level goals), when each organisation that reports the goal has set one; else None."""
        return self._whole(goal.id, province_id, str(year), goal.is_additive)

    def targets(self, goals: list[Goal]) -> Iterator[tuple[int, int, str, float]]:
        """(goal id, province id, year key, target) of every province's target as a whole that is known."""
        additive = {g.id: g.is_additive for g in goals}
        for goal_id, province_id, key in self.sums:
            value = self._whole(goal_id, province_id, key, additive[goal_id])
            if value is not None:
                yield goal_id, province_id, key, value

    def _whole(self, goal_id: int, province_id: int, key: str, additive: bool) -> float | None:
        total, count = self.sums.get((goal_id, province_id, key), (None, 0))
        expected = self.expected.get((goal_id, province_id), 0)
        if expected <= 0 or count < expected or total is None:
            return None
        return float(total) if additive else float(total) / count

    def coverage(self, goal: Goal, province_id: int, year: int | str) -> tuple[int, int]:
        """(organisations that set a target for ``year``, organisations that report the goal)."""
        return (self.sums.get((goal.id, province_id, str(year)), (None, 0))[1],
                self.expected.get((goal.id, province_id), 0))


#: The columns ``area_target_select`` fills, in order (``wcc.dashboards.models.AreaTarget``).
AREA_TARGET_COLUMNS = ["goal_id", "area_id", "period_key", "target_sum", "target_count"]


def area_target_select(goal_ids=None):
    """SQL: per (goal, province, year key) the sum and number of the targets set by the active
    organisations that report the goal and count towards the province as a whole (the province
    itself and its municipalities). The dashboards keep its rows in ``dashboard_area_targets``
    (``wcc.dashboards.rollups``); ``area_targets`` reads them from there."""
    area = area_column()
    stmt = (select(Target.goal_id, area.label("area"), Target.period_key, func.sum(Target.value),
                   func.count(Target.id))
            .join(Organisation, Target.org_id == Organisation.id).join(Goal, Target.goal_id == Goal.id)
            .where(*_counting_members(), area.is_not(None))
            .group_by(Target.goal_id, area, Target.period_key))
    if goal_ids is not None:
        stmt = stmt.where(Target.goal_id.in_(goal_ids))
    return stmt


def area_targets(goals: list[Goal], year: int | None = None, province_ids=None, years=None) -> AreaTargets:
    """The targets of every province as a whole (of ``province_ids`` when given), for ``year``, for
    ``years`` (a list) or every year. Two queries, whatever the number of members: the sums come
    from their rollup (``area_target_select``), the number of organisations expected is counted."""
    if not goals:
        return AreaTargets({}, {})
    goal_ids = [g.id for g in goals]
    t = AreaTarget
    stmt = (select(t.goal_id, t.area_id, t.period_key, cast(t.target_sum, Float), t.target_count)
            .where(t.goal_id.in_(goal_ids), *in_years(t.period_key, year, years)))
    if province_ids is not None:
        stmt = stmt.where(t.area_id.in_(province_ids))
    sums = {(r[0], r[1], r[2]): (r[3], r[4]) for r in db.session.execute(stmt)}
    area = area_column()
    members = _counting_members()
    if province_ids is not None:
        members.append(area.in_(province_ids))
    counted = (select(Goal.id, area.label("area"), func.count(Organisation.id))
               .select_from(Goal).join(Organisation, true())
               .where(Goal.id.in_(goal_ids), *members).group_by(Goal.id, area))
    expected = {(r[0], r[1]): r[2] for r in db.session.execute(counted)}
    return AreaTargets(sums, expected)
