"""Read-side queries for goals and targets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wcc.audit.models import AuditEvent
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
