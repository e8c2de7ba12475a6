"""The reminder calendar: what is due soon, overdue or escalated on a given day.

``send_reminders(day)`` looks at every report members owe and every World
Craft City activity report, and notifies (through the recipient rules) what
``day`` calls for. Each notice has a key that does not depend on the day it is
sent, so running a day twice — or the next day — never repeats a notice, and
a day the scheduler missed is caught up the next day. A report sent (even late)
is no longer owed, so it stops the notices that would have followed.

Progress reports (due date = the period's last day + the goal's ``due_days``):

- due soon: from ``DUE_SOON_DAYS`` before the due date to the due date itself;
- overdue: from the day after the due date;
- escalated, level 1 (the province; the secretariat for a province's own
  report): from ``ESCALATE_DAYS[0]`` days after the due date;
- escalated, level 2 (the union secretariat): from ``ESCALATE_DAYS[1]`` days;
- nothing is sent about due dates more than ``LOOKBACK_DAYS`` in the past.

World Craft City activity reports: the first reminder from
``DESIGNATION_REMINDERS[0]`` days before the due date, the second from
``DESIGNATION_REMINDERS[1]`` days, and the overdue notice (to the member and the
union secretariat) from the day after, for ``DESIGNATION_LOOKBACK_DAYS``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from wcc.extensions import db
from wcc.notifications.rules import allowed, officers, report_params, secretariat
from wcc.notifications.services import notify
from wcc.orgs.models import Organisation, OrgKind

DUE_SOON_DAYS = 7
ESCALATE_DAYS = (14, 28)
LOOKBACK_DAYS = 60
DESIGNATION_REMINDERS = (90, 30)
DESIGNATION_LOOKBACK_DAYS = 90


def send_reminders(day: date) -> int:
    """Notify everything ``day`` calls for; returns how many notifications were made."""
    return _report_reminders(day) + _designation_reminders(day)


def _report_reminders(day: date) -> int:
    from wcc.goals.models import Goal
    from wcc.periods import due_date, periods_between
    from wcc.reporting.models import ProgressReport

    members = list(db.session.scalars(select(Organisation).where(
        Organisation.active.is_(True), Organisation.kind.in_((OrgKind.PROVINCE, OrgKind.MUNICIPALITY)))
        .order_by(Organisation.code)))
    if not members:
        return 0
    staff: dict[int, list] = {}
    for user in officers([m.id for m in members] + [m.parent_id for m in members]):
        staff.setdefault(user.org_id, []).append(user)
    admins = secretariat()
    made = 0
    for goal in db.session.scalars(select(Goal).where(Goal.active.is_(True)).order_by(Goal.code)):
        window = [p for p in periods_between(goal.first, goal.last)
                  if -LOOKBACK_DAYS <= (due_date(p, goal.due_days) - day).days <= DUE_SOON_DAYS]
        if not window:
            continue
        reports = {(r.org_id, r.period_key): r for r in db.session.scalars(select(ProgressReport).where(
            ProgressReport.goal_id == goal.id, ProgressReport.period_key.in_([p.key for p in window])))}
        for period in window:
            due = due_date(period, goal.due_days)
            to_due = (due - day).days
            for org in members:
                if not goal.reported_by(org) or period.first_day > day:
                    continue
                report = reports.get((org.id, period.key))
                if report is not None and report.submitted_at is not None:
                    continue  # sent: nothing is owed any more
                made += _report_notices(goal, period, due, to_due, org, report, staff, admins)
    return made


def _report_notices(goal, period, due: date, to_due: int, org, report, staff, admins) -> int:
    obj_type, obj_id = ("report", report.id) if report is not None else ("org", org.code)
    params = report_params(report) if report is not None else {
        "org": org.code, "goal": goal.code, "period": period.key}
    params["due"] = due.isoformat()
    base = f"{org.code}:{goal.code}:{period.key}"

    def tell(kind: str, people, key: str, **extra) -> int:
        if report is not None:
            people = allowed(people, "report.view", report)
        else:
            people = allowed(people, "report.obligation", org)
        return len(notify(kind, people, object_type=obj_type, object_id=obj_id, params={**params, **extra},
                          event_key=key))

    own = staff.get(org.id, [])
    if 0 <= to_due <= DUE_SOON_DAYS:
        return tell("report.due_soon", own, f"report.due_soon:{base}")
    overdue = -to_due
    made = tell("report.overdue", own, f"report.overdue:{base}")
    if overdue >= ESCALATE_DAYS[0]:
        above = staff.get(org.parent_id, []) if org.kind == OrgKind.MUNICIPALITY else admins
        made += tell("report.escalated", above, f"report.escalated:1:{base}", days=overdue, level=1)
    if overdue >= ESCALATE_DAYS[1] and org.kind == OrgKind.MUNICIPALITY:
        made += tell("report.escalated", admins, f"report.escalated:2:{base}", days=overdue, level=2)
    return made


def _designation_reminders(day: date) -> int:
    from wcc.designations.models import Designation, DesignationReport

    first, second = DESIGNATION_REMINDERS
    rows = db.session.execute(select(DesignationReport, Designation).join(Designation).where(
        DesignationReport.received_on.is_(None),
        DesignationReport.due_on >= day - timedelta(days=DESIGNATION_LOOKBACK_DAYS),
        DesignationReport.due_on <= day + timedelta(days=first))).all()
    if not rows:
        return 0
    staff: dict[int, list] = {}
    for user in officers([d.org_id for _r, d in rows]):
        staff.setdefault(user.org_id, []).append(user)
    admins = secretariat()
    made = 0
    for report, designation in rows:
        org = designation.org
        params = {"org": org.code, "due": report.due_on.isoformat(), "years": report.years_after}
        to_due = (report.due_on - day).days
        own = allowed(staff.get(org.id, []), "designation.view", designation)
        if to_due >= 0:
            n = 2 if to_due <= second else 1
            made += len(notify("designation.due_soon", own, object_type="designation_report",
                               object_id=report.id, params={**params, "reminder": n},
                               event_key=f"designation.due_soon:{report.id}:{n}"))
        else:
            people = own + allowed(admins, "designation.view", designation)
            made += len(notify("designation.overdue", people, object_type="designation_report",
                               object_id=report.id, params=params, event_key=f"designation.overdue:{report.id}"))
    return made
