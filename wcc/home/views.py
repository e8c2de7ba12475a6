from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from wcc.auth.models import Role, User
from wcc.extensions import db
from wcc.orgs.models import Organisation, OrgKind
from wcc.permissions import require

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role in (Role.ADMIN, Role.MINISTRY):
        # The ministry leads by comparing: its home is the network overview.
        return redirect(url_for("dashboards.overview"))
    org = current_user.org
    children = []
    if current_user.role == Role.PROVINCE:
        children = db.session.scalars(
            select(Organisation).where(Organisation.parent_id == org.id, Organisation.active.is_(True))
            .order_by(Organisation.code)).all()
    counts = None
    if current_user.role in (Role.ADMIN, Role.MINISTRY):
        counts = dict(db.session.execute(
            select(Organisation.kind, func.count()).where(Organisation.active.is_(True))
            .group_by(Organisation.kind)).all())
        counts["users"] = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
    return render_template("home/index.html", org=org, children=children, counts=counts, OrgKind=OrgKind)


@bp.get("/admin")
@login_required
def admin():
    require(current_user, "admin.access")
    return render_template("home/admin.html")


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not (the app itself stays up)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to reach the database means unavailable
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
