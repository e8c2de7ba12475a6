"""The bell's page, mail preferences and the admins' page of failed deliveries."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.i18n import current_language
from wcc.notifications import services
from wcc.notifications.kinds import KINDS, render_all
from wcc.notifications.models import Delivery, DeliveryStatus, Mode, Notification
from wcc.pagination import paginate, requested_page
from wcc.permissions import require

bp = Blueprint("notifications", __name__)

PER_PAGE = 30

MODE_LABELS = {
    Mode.IMMEDIATE: _l("Immediately"),
    Mode.DIGEST: _l("In a daily digest"),
    Mode.OFF: _l("Off"),
}


def unread_notifications() -> int:
    """The bell's number: one query per request, only for signed-in users."""
    if not current_user.is_authenticated:
        return 0
    if "wcc_unread" not in g:
        g.wcc_unread = services.unread_count(current_user)
    return g.wcc_unread


bp.add_app_template_global(KINDS, "notice_kinds")


@bp.app_template_global("notices_about")
def notices_about(object_type: str, object_id) -> list:
    """For a page's "who was told" table (the template checks the rule first)."""
    return services.notices_about(object_type, [object_id]).get(str(object_id), [])


@bp.get("/notifications")
@login_required
def index():
    require(current_user, "notification.list")
    unread = request.args.get("unread") == "1"
    page = paginate(services.notifications_query(current_user, unread), requested_page(), PER_PAGE,
                    scalars=True)
    items = render_all(page.items, current_language())
    return render_template("notifications/index.html", page=page, items=items, unread=unread)


def _own_or_404(notification_id: int) -> Notification:
    notification = db.get_or_404(Notification, notification_id)
    require(current_user, "notification.read", notification, hide=True)
    return notification


@bp.get("/notifications/<int:notification_id>/open")
@login_required
def open_(notification_id: int):
    """Follow a notification to its object; following it marks it read."""
    notification = _own_or_404(notification_id)
    services.mark_read(notification)
    (_n, rendered), = render_all([notification], current_language())
    return redirect(rendered.url)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    services.mark_read(_own_or_404(notification_id))
    return redirect(url_for("notifications.index", unread=request.form.get("unread") or None))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    require(current_user, "notification.list")
    services.mark_all_read(current_user)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    require(current_user, "notification.preferences")
    error = None
    if request.method == "POST":
        choices = {kind: request.form[f"mode-{kind}"][:20] for kind in KINDS if f"mode-{kind}" in request.form}
        try:
            services.set_preferences(current_user, choices)
        except ServiceError as exc:
            error = exc.message
        else:
            flash(_("Your e-mail preferences have been saved."), "success")
            return redirect(url_for("notifications.preferences"))
    prefs = services.preferences_of([current_user.id])
    rows = [(kind, services.mode_for(prefs, current_user.id, kind.key), services.allowed_modes(kind.key))
            for kind in KINDS.values()]
    return render_template("notifications/preferences.html", rows=rows, error=error,
                           mode_labels=MODE_LABELS), (422 if error else 200)


@bp.get("/admin/deliveries")
@login_required
def deliveries():
    require(current_user, "delivery.admin")
    page = paginate(services.failed_deliveries(), requested_page(), 50, scalars=True)
    recent = db.session.scalars(select(Delivery).order_by(Delivery.id.desc()).limit(20)).all()
    return render_template("notifications/deliveries.html", page=page, recent=recent, kinds=KINDS)


@bp.post("/admin/deliveries/<int:delivery_id>/retry")
@login_required
def retry(delivery_id: int):
    require(current_user, "delivery.admin")
    delivery = db.get_or_404(Delivery, delivery_id)
    if delivery.status == DeliveryStatus.FAILED:
        services.retry_delivery(delivery)
        flash(_("The e-mail is queued again."), "success")
    return redirect(url_for("notifications.deliveries"))
