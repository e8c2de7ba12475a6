"""Writing audit events. Every change made through the app calls ``record``."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from blinker import Namespace
from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from wcc.audit.models import AuditEvent
from wcc.db import utcnow
from wcc.extensions import db

#: Sent for every event recorded: ``sender`` is the object (or None), ``event`` the AuditEvent;
#: ``batch``, for the events of one ``record_many``, a dict they share, in which receivers may
#: keep what they looked up. Notifications of initiatives and targets follow the audit trail through it.
audit_recorded = Namespace().signal("audit-recorded")

log = logging.getLogger("wcc.security")

ACCESS_DENIED = "access.denied"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj``, ready to store as before/after."""
    return _jsonable({name: getattr(obj, name) for name in fields})


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values changed, from both sides."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def record(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    actor: Any = None,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it).

    The actor defaults to the signed-in user; ``obj`` gives the object type (its
    table name) and id unless they are passed explicitly.
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        action=action,
        object_type=object_type or "",
        object_id=None if object_id is None else str(object_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        **_circumstances(actor),
    )
    db.session.add(event)
    audit_recorded.send(obj, event=event)
    return event


def _circumstances(actor: Any) -> dict[str, Any]:
    """Who (by default the signed-in user), from which request and address."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    return {"actor_id": getattr(actor, "id", None),
            "request_id": g.get("request_id") if has_request_context() else None,
            "ip": request.remote_addr if has_request_context() else None}


def record_many(action: str, changes: list[tuple[Any, dict | None, dict | None]]) -> list[AuditEvent]:
    """``record`` for many objects at once, each change ``(obj, before, after)``: the same rows
    and signals, written in one statement rather than one per event.

    The events are inserted straight away (the objects must have their ids) and are not
    in the session.
    """
    if not changes:
        return []
    circumstances = _circumstances(None)
    at = utcnow()
    events = [AuditEvent(at=at, action=action, object_type=obj.__tablename__, object_id=str(obj.id),
                         before=_jsonable(before) if before is not None else None,
                         after=_jsonable(after) if after is not None else None, **circumstances)
              for obj, before, after in changes]
    columns = ("at", "actor_id", "action", "object_type", "object_id", "before", "after", "request_id", "ip")
    db.session.execute(insert(AuditEvent.__table__), [{c: getattr(e, c) for c in columns} for e in events])
    batch: dict = {}
    for (obj, _before, _after), event in zip(changes, events, strict=True):
        audit_recorded.send(obj, event=event, batch=batch)
    return events


def record_access_denied(user: Any, action: str, obj: Any, status: int) -> None:
    """Log and audit a refusal by the policy (403, or 404 hiding the object), with the user,
    the route and the object.

    Written on a connection of its own, so the refusal stays on record although the
    request that caused it ends in an error and its own transaction is rolled back. In a
    request the row waits until that transaction has ended (``write_pending_refusals``):
    while the request still holds SQLite's write lock, a second writer would only wait.
    """
    object_type = getattr(obj, "__tablename__", None) or ""
    object_id = getattr(obj, "id", None) if object_type else None
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    route = request.path[:200] if has_request_context() else ""
    log.warning("access denied: user=%s action=%s route=%s %s object=%s:%s status=%s", user_id, action,
                request.method if has_request_context() else "", route, object_type, object_id, status)
    # The object goes into the details, not into object_type/object_id: an object's own
    # history (what was done to it) must not list who was refused a look at it.
    values = {
        "at": datetime.now().astimezone(), "actor_id": user_id, "action": ACCESS_DENIED,
        "object_type": "access", "object_id": None,
        "after": {"permission": action, "route": route, "status": status,
                  "method": request.method if has_request_context() else None,
                  "object": f"{object_type}#{object_id}" if object_type else None},
        "request_id": g.get("request_id") if has_request_context() else None,
        "ip": request.remote_addr if has_request_context() else None,
    }
    if has_request_context():
        g.setdefault("pending_refusals", []).append(values)
    else:
        _write_refusals([values])


def write_pending_refusals(_error: BaseException | None = None) -> None:
    """Audit the refusals of a request whose transaction has ended (a ``teardown_request`` hook)."""
    pending = g.pop("pending_refusals", None)
    if pending:
        _write_refusals(pending)


def _write_refusals(rows: list[dict]) -> None:
    try:
        with db.engine.begin() as connection:
            connection.execute(AuditEvent.__table__.insert(), rows)
    except Exception:  # noqa: BLE001 - the log lines are the record then
        log.exception("could not audit an access refusal")
