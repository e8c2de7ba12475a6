"""``/api/v1/notifications``: the caller's notifications, newest first."""

from __future__ import annotations

from flask import abort
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from wcc.api.common import ErrorSchema, PageArgs, require_api, require_user
from wcc.extensions import db
from wcc.i18n import current_language
from wcc.notifications import services
from wcc.notifications.kinds import KINDS, render_all
from wcc.notifications.models import Notification
from wcc.pagination import paginate
from wcc.permissions import can

blp = Blueprint("api_notifications", __name__, url_prefix="/api/v1",
                description="The caller's notifications")


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread notifications"})


class ObjectRef(Schema):
    type = fields.String(metadata={"description": "report, initiative, target, designation_report or org"})
    id = fields.Raw(metadata={"description": "The object's id (a number), or an organisation's code"})


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    object = fields.Nested(ObjectRef)
    read = fields.Boolean()
    created_at = fields.DateTime()
    title = fields.String(metadata={"description": "The kind, in the caller's language"})
    text = fields.String(metadata={"description": "The notice, in the caller's language"})
    comment = fields.String(allow_none=True, metadata={"description": "A return comment or reopening reason"})
    url = fields.String(metadata={"description": "Where the notice leads"})
    params = fields.Dict(metadata={"description": "Codes, ids and dates the notice is made of"})


class NotificationListSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    total = fields.Integer()
    unread = fields.Integer(metadata={"description": "How many of the caller's notifications are unread"})


class ReadAllSchema(Schema):
    updated = fields.Integer()


def _payload(notification: Notification, rendered) -> dict:
    object_id = notification.object_id
    return {"id": notification.id, "kind": notification.kind,
            "object": {"type": notification.object_type,
                       "id": int(object_id) if object_id.isdigit() else object_id},
            "read": notification.read, "created_at": notification.created_at, "title": rendered.title,
            "text": rendered.text, "comment": rendered.quote, "url": rendered.url,
            "params": notification.params or {}}


@blp.route("/notifications")
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, NotificationListSchema)
@blp.alt_response(401, schema=ErrorSchema)
def list_notifications(args):
    """The caller's notifications, newest first; ``unread=true`` for the unread ones only."""
    user = require_api("notification.list")
    page = paginate(services.notifications_query(user, args["unread"]), args["page"], args["per_page"],
                    scalars=True)
    items = [_payload(n, r) for n, r in render_all(page.items, current_language())]
    return {"items": items, "total": page.total, "unread": services.unread_count(user)}


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
@blp.alt_response(404, schema=ErrorSchema)
def read_notification(notification_id):
    """Mark one of the caller's notifications read."""
    user = require_user()
    notification = db.session.get(Notification, notification_id)
    if notification is None or not can(user, "notification.read", notification):
        abort(404)
    services.mark_read(notification)
    (_n, rendered), = render_all([notification], current_language())
    return _payload(notification, rendered)


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, ReadAllSchema)
@blp.alt_response(401, schema=ErrorSchema)
def read_all():
    """Mark every notification of the caller read."""
    user = require_api("notification.list")
    updated = services.mark_all_read(user)
    return {"updated": updated}
