from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text

from wcc.extensions import db
from wcc.home.todo import SHOWN, to_do
from wcc.orgs.models import Organisation, OrgKind
from wcc.permissions import can, require
from wcc.reporting.forms import STATUS_LABELS, STATUS_STYLES

bp = Blueprint("home", __name__)


def my_to_do():
    """The signed-in user's to-do list, computed once per request (the ministry's and the
    secretariat's home, the network overview, shows it too)."""
    from wcc.notifications.views import unread_notifications

    if "home_to_do" not in g:
        g.home_to_do = to_do(current_user, unread_notifications())
    return g.home_to_do


@bp.app_context_processor
def _to_do_helpers():
    return {"my_to_do": my_to_do}


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        # Visitors see what the network shows everyone, with a way to sign in.
        return redirect(url_for("dashboards.public_landing"))
    if can(current_user, "dashboard.home"):
        # The ministry leads by comparing: its home is the network overview.
        return redirect(url_for("dashboards.overview"))
    org = current_user.org
    children = None
    if org.kind == OrgKind.PROVINCE:
        children = db.session.scalars(
            select(Organisation).where(Organisation.parent_id == org.id, Organisation.active.is_(True))
            .order_by(Organisation.code)).all()
    return render_template("home/index.html", org=org, children=children, todo=my_to_do(), shown=SHOWN,
                           status_labels=STATUS_LABELS, status_styles=STATUS_STYLES)


@bp.get("/admin")
@login_required
def admin():
    require(current_user, "admin.access")
    return render_template("home/admin.html")


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to reach the database means unavailable
        return False
    return True


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not (the app itself stays up).

    ``redis`` says whether the shared cache answers ("ok"), does not ("down": the app
    works on without it) or is not configured ("off")."""
    from wcc.shared import redis_status

    redis = redis_status(current_app.config.get("REDIS_URL"))
    if not _database_answers():
        return jsonify(status="unavailable", redis=redis), 503
    return jsonify(status="ok", redis=redis)


@bp.get("/readyz")
def readyz():
    """For a load balancer: 503 only when the database does not answer (Redis is optional)."""
    if not _database_answers():
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
