"""Who is told what: every rule that turns an event into notifications, in one place.

Events come from the reports' single emit point (``report_changed``: one
notice per workflow step), from the audit trail (an initiative published, a
target set for someone else) and from the daily reminders
(``wcc.notifications.reminders``). Recipients are always filtered through the
policy: a person is told about an object only if ``can(user, action, object)``
lets them see it, and never about their own action.

| event | kind | who is told |
|---|---|---|
| report submitted | report.submitted | its reviewers: the province's officers for a municipality's report, the secretariat (admins) for a province's |
| report reviewed | report.reviewed | the secretariat, who approve, and the report's organisation |
| report approved, returned, reopened | report.approved / returned / reopened | the officers of the report's organisation |
| report due in 7 days, overdue | report.due_soon / overdue | the officers of the organisation that owes it |
| still overdue after 14 days | report.escalated (level 1) | the province's officers (the secretariat for a province's report) |
| still overdue after 28 days | report.escalated (level 2) | the union secretariat |
| initiative published | initiative.published | officers of the other members of its province who may see it |
| target set by someone outside the organisation | target.set | the organisation's officers |
| World Craft City report due in 90 and in 30 days | designation.due_soon | the designated member's officers |
| World Craft City report overdue | designation.overdue | the member's officers and the union secretariat |
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select

from wcc.auth.models import User
from wcc.extensions import db
from wcc.orgs.models import Organisation, OrgKind
from wcc.permissions import can
from wcc.permissions.helpers import admins_sql

#: Workflow actions of ``report_changed`` and the notice each one gives.
REPORT_STEPS = {
    "report.submit": "report.submitted",
    "report.review": "report.reviewed",
    "report.approve": "report.approved",
    "report.return": "report.returned",
    "report.reopen": "report.reopened",
}


def officers(org_ids) -> list[User]:
    """The active users of these organisations (a member's officers)."""
    ids = [i for i in org_ids if i is not None]
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.org_id.in_(ids), User.active.is_(True))
                                   .order_by(User.id)))


def secretariat() -> list[User]:
    """The union secretariat: active admins."""
    return list(db.session.scalars(select(User).where(admins_sql(), User.active.is_(True))
                                   .order_by(User.id)))


def _actor_id() -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def allowed(users, action: str, obj) -> list[User]:
    """Only those the policy lets see ``obj``, and never the person who caused the event."""
    actor = _actor_id()
    return [u for u in users if u.id != actor and can(u, action, obj)]


# --- reports ------------------------------------------------------------------------------

def report_params(report, **extra) -> dict:
    return {"report": report.id, "org": report.org.code, "goal": report.goal.code,
            "period": report.period_key, **extra}


def on_report_changed(report, action: str, before=None, after=None, **_kw) -> None:
    """One notice per workflow step, in the transaction of the step."""
    from wcc.notifications.services import is_quiet, notify

    kind = REPORT_STEPS.get(action)
    if kind is None or is_quiet():
        return
    org = report.org
    if kind == "report.submitted":
        people = officers([org.parent_id]) if org.kind == OrgKind.MUNICIPALITY else secretariat()
    elif kind == "report.reviewed":
        people = secretariat() + officers([org.id])
    else:
        people = officers([org.id])
    extra = {}
    if kind == "report.returned":
        extra["comment"] = (after or {}).get("comment", "")
    elif kind == "report.reopened":
        extra["reason"] = (after or {}).get("reason", "")
    notify(kind, allowed(people, "report.view", report), object_type="report", object_id=report.id,
           params=report_params(report, **extra), event_key=f"{kind}:{report.id}:v{report.version}")


# --- initiatives and targets (from the audit trail) ---------------------------------------

def on_audit_recorded(obj, event=None, batch: dict | None = None, **_kw) -> None:
    from wcc.notifications.services import is_quiet, notify

    if event is None or obj is None or is_quiet():
        return
    action = event.action
    if action == "initiative.publish" or (action == "initiative.create" and (event.after or {}).get("published")):
        org = obj.org
        province_id = org.province_id
        if province_id is None:
            return
        key = ("province officers", province_id)
        province_officers = batch.get(key) if batch is not None else None
        if province_officers is None:
            members = [province_id] + list(db.session.scalars(select(Organisation.id).where(
                Organisation.parent_id == province_id, Organisation.active.is_(True))))
            province_officers = officers(members)
            if batch is not None:
                batch[key] = province_officers
        people = [u for u in province_officers if u.org_id != org.id]
        notify("initiative.published", allowed(people, "initiative.view", obj), object_type="initiative",
               object_id=obj.id, params={"org": org.code, "title": obj.title[:200]},
               event_key=f"initiative.published:{obj.id}")
    elif action == "target.set":
        after = event.after or {}
        org = db.session.scalar(select(Organisation).where(Organisation.code == after.get("org")))
        if org is None or org.kind == OrgKind.NETWORK:
            return
        actor_org = getattr(db.session.get(User, event.actor_id), "org_id", None) if event.actor_id else None
        if actor_org == org.id:
            return  # a member's own target: nobody else needs telling
        notify("target.set", allowed(officers([org.id]), "target.view", org), object_type="target",
               object_id=obj.id, params={"org": org.code, "goal": after.get("goal"),
                                         "period": after.get("period"), "value": after.get("value")},
               event_key=f"target.set:{obj.id}:{after.get('value')}")


def connect() -> None:
    """Hang the rules on the signals they follow (called once by the app factory)."""
    from wcc.audit.services import audit_recorded
    from wcc.reporting.services import report_changed

    report_changed.connect(on_report_changed, weak=False)
    audit_recorded.connect(on_audit_recorded, weak=False)
