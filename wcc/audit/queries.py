"""Read-side figures of the audit trail: the admin security page."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from wcc.audit.models import AuditEvent
from wcc.audit.services import ACCESS_DENIED
from wcc.auth.models import User
from wcc.db import utcnow
from wcc.extensions import db

#: Actions counted on the security page, in the order shown.
SECURITY_ACTIONS = (ACCESS_DENIED, "auth.sign_in_failed", "auth.rate_limited", "auth.second_factor_failed",
                    "auth.sign_in", "user.two_factor_reset", "user.recovery_code_used")
RECENT = 50


def security_overview() -> dict:
    """Counts over the last day and week per action, the refusals per route, the latest
    refusals, and the users of roles that need a second factor who have none."""
    now = utcnow()
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    rows = db.session.execute(
        select(AuditEvent.action,
               func.count().filter(AuditEvent.at >= day),
               func.count())
        .where(AuditEvent.action.in_(SECURITY_ACTIONS), AuditEvent.at >= week)
        .group_by(AuditEvent.action)
    ).all()
    by_action = {action: (last_day, last_week) for action, last_day, last_week in rows}
    counts = [(action, *by_action.get(action, (0, 0))) for action in SECURITY_ACTIONS]
    route = AuditEvent.after["route"].as_string()
    per_route = db.session.execute(
        select(route.label("route"), func.count().label("n"))
        .where(AuditEvent.action == ACCESS_DENIED, AuditEvent.at >= week)
        .group_by(route).order_by(func.count().desc(), route).limit(20)
    ).all()
    recent = db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.action == ACCESS_DENIED).order_by(AuditEvent.id.desc()).limit(RECENT)
    ).all()
    roles = current_app.config["MFA_REQUIRED_ROLES"]
    without = db.session.scalars(
        select(User).options(joinedload(User.org))
        .where(User.active.is_(True), User.role.in_(roles), User.totp_enabled_at.is_(None))
        .order_by(User.email_normalised)
    ).all() if roles else []
    return {"counts": counts, "per_route": per_route, "recent": recent, "without_second_factor": without}
