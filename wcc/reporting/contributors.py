"""Who has had a hand in a report since it was last approved: what separation of duties reads.

The one source is the audit trail, which every change of a report writes
through ``services._emit`` in the change's own transaction. A report's current
round starts when it is created and again after each approval (a reopened
report starts a new round); within the round, each audit event of these
actions makes its actor a contributor of that kind.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, select
from sqlalchemy.orm import aliased

from wcc.extensions import db

#: Audit action → what it makes its actor. Value, narrative, evidence and linked initiatives are all changes.
CONTRIBUTIONS = {
    "report.create": "created",
    "report.update": "changed",
    "report.evidence_add": "changed",
    "report.evidence_remove": "changed",
    "report.submit": "submitted",
    "report.review": "reviewed",
}
#: Kinds that make someone an author of the round: they may neither review nor approve it.
AUTHORED = frozenset({"created", "changed", "submitted"})
ROUND_STARTS = "report.approve"
_CACHE = "_wcc_contributors"


@cache
def _aliases():
    """The audit trail twice: the round's events, and the approval that started the round. Made once:
    a new alias adapts every column again, which cost more than the rest of building a queue's SQL."""
    from wcc.audit.models import AuditEvent

    return aliased(AuditEvent, name="round_event"), aliased(AuditEvent, name="round_start")


def _round_events(report_id_text):
    """(audit event alias, condition) for the contributing events of the report's current round."""
    from wcc.reporting.models import ProgressReport

    event, previous = _aliases()
    table = ProgressReport.__tablename__
    round_start = (select(func.coalesce(func.max(previous.id), 0))
                   .where(previous.object_type == table, previous.object_id == report_id_text,
                          previous.action == ROUND_STARTS)
                   .correlate_except(previous)  # in SQL over reports: the same report's last approval
                   .scalar_subquery())
    condition = and_(event.object_type == table, event.object_id == report_id_text,
                     event.action.in_(CONTRIBUTIONS), event.actor_id.is_not(None), event.id > round_start)
    return event, condition


def contributors(report) -> dict[int, frozenset[str]]:
    """{user id: kinds of contribution} in the report's current round; one query, remembered on the report."""
    known = getattr(report, _CACHE, None)
    if known is not None:
        return known
    found: dict[int, set[str]] = {}
    if report.id is not None:
        event, condition = _round_events(str(report.id))
        for actor_id, action in db.session.execute(select(event.actor_id, event.action).where(condition)):
            found.setdefault(actor_id, set()).add(CONTRIBUTIONS[action])
    result = {user_id: frozenset(kinds) for user_id, kinds in found.items()}
    setattr(report, _CACHE, result)
    return result


def contributions_of(report, user) -> frozenset[str]:
    """What ``user`` did to the report in its current round: created, changed, submitted, reviewed."""
    return contributors(report).get(getattr(user, "id", None), frozenset())


def forget(report) -> None:
    """Drop what ``contributors`` remembered: the report changed."""
    if hasattr(report, _CACHE):
        delattr(report, _CACHE)


def contributed(user_id: int, kinds) -> ColumnElement[bool]:
    """SQL: the ProgressReport row's current round has a contribution of ``kinds`` by ``user_id``."""
    from wcc.reporting.models import ProgressReport

    event, condition = _round_events(cast(ProgressReport.id, String))
    actions = [action for action, kind in CONTRIBUTIONS.items() if kind in kinds]
    return exists().where(condition, event.actor_id == user_id, event.action.in_(actions))
