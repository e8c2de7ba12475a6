"""The audit trail, for the secretariat and the ministry."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wcc.audit.display import ACTION_LABELS, OBJECT_LABELS, describe
from wcc.audit.models import AuditEvent
from wcc.pagination import paginate, requested_page
from wcc.permissions import require

bp = Blueprint("audit", __name__)

PER_PAGE = 50


@bp.get("/admin/audit")
@login_required
def index():
    require(current_user, "audit.view")
    action = request.args.get("action", "").strip()[:64]
    object_type = request.args.get("object_type", "").strip()[:40]
    object_id = request.args.get("object_id", "").strip()[:64]
    page = requested_page()
    stmt = select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    pagination = paginate(stmt, page, PER_PAGE, scalars=True)
    actions = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda a: a[1])
    object_types = sorted(((code, str(label)) for code, label in OBJECT_LABELS.items()), key=lambda a: a[1])
    return render_template("audit/index.html", pagination=pagination, rows=describe(list(pagination.items)),
                           action=action, object_type=object_type, object_id=object_id, actions=actions,
                           object_types=object_types)


@bp.get("/admin/security")
@login_required
def security():
    """Refusals by the policy, sign-in failures and throttling, and who still lacks a second factor."""
    require(current_user, "security.view")
    from wcc.audit.queries import security_overview

    return render_template("audit/security.html", **security_overview())
