"""The review workflow of progress reports, written once.

A report is written as a draft, submitted, reviewed by its province (a
municipality's report only), approved by an admin, which locks it; a
submitted or reviewed report can be returned to its authors with a comment,
and an approved one reopened with a reason. Each row of ``TRANSITIONS`` is one
way a step can go:

====== ========= ========= ============ ==========================
step   leaves    goes to   reports of   who (permission action)
====== ========= ========= ============ ==========================
submit draft     submitted any member   report.submit
submit returned  submitted any member   report.submit
review submitted reviewed  municipality report.review
approve reviewed approved  municipality report.approve
approve submitted approved province     report.approve
return submitted returned  any member   report.return
return reviewed  returned  municipality report.return_reviewed
reopen approved  returned  any member   report.reopen
====== ========= ========= ============ ==========================

Who may take a row is the policy's answer (``wcc.permissions.can``), including
separation of duties. The services, the report page's buttons, the review
queue's query, its bulk decisions and the API all read this table:

- ``check`` decides one step: a user no row allows is refused (403, with the
  policy's reason); a user allowed some row, none of which leaves from the
  report's state, meets a conflict (409).
- ``available_steps`` lists the buttons to offer; ``queue_clause`` is the same
  question as SQL for the review queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_

from wcc.orgs.models import OrgKind
from wcc.permissions import can, explain
from wcc.reporting.models import Status


@dataclass(frozen=True)
class Transition:
    step: str
    source: Status
    target: Status
    #: The kind of organisation whose reports take this row; None: provinces and municipalities alike.
    kind: OrgKind | None
    #: The permission action that decides who may take it.
    action: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", Status.DRAFT, Status.SUBMITTED, None, "report.submit"),
    Transition("submit", Status.RETURNED, Status.SUBMITTED, None, "report.submit"),
    Transition("review", Status.SUBMITTED, Status.REVIEWED, OrgKind.MUNICIPALITY, "report.review"),
    Transition("approve", Status.REVIEWED, Status.APPROVED, OrgKind.MUNICIPALITY, "report.approve"),
    Transition("approve", Status.SUBMITTED, Status.APPROVED, OrgKind.PROVINCE, "report.approve"),
    Transition("return", Status.SUBMITTED, Status.RETURNED, None, "report.return"),
    Transition("return", Status.REVIEWED, Status.RETURNED, OrgKind.MUNICIPALITY, "report.return_reviewed"),
    Transition("reopen", Status.APPROVED, Status.RETURNED, None, "report.reopen"),
)
STEPS = ("submit", "review", "approve", "return", "reopen")
#: The steps the review queue decides in bulk.
QUEUE_STEPS = ("review", "approve", "return")
#: The audit and signal action of each step (``report_changed``'s ``action``).
ACTIONS = {step: f"report.{step}" for step in STEPS}


def rows(step: str, kind: str | None = None) -> list[Transition]:
    """The table's rows for ``step`` (on reports of organisations of ``kind``, when given)."""
    if step not in STEPS:
        raise KeyError(step)
    return [t for t in TRANSITIONS if t.step == step and (kind is None or t.kind in (None, kind))]


def sources(step: str, kind: str | None = None) -> set[Status]:
    return {t.source for t in rows(step, kind)}


class Refused(Exception):
    """The user may not take this step on this report (403); ``refusal`` says why."""

    def __init__(self, step: str, refusal):
        super().__init__(str(refusal.message))
        self.step = step
        self.refusal = refusal


class WrongState(Exception):
    """The report's state does not allow the step (409)."""

    def __init__(self, step: str, status: str):
        super().__init__(f"{step} from {status}")
        self.step = step
        self.status = status


def check(step: str, report, user) -> Transition:
    """The row the user takes; Refused when no row for the step is theirs, WrongState when none
    of theirs leaves from the report's state."""
    candidates = rows(step, report.org.kind)
    allowed = [t for t in candidates if can(user, t.action, report)]
    if not allowed:
        action = candidates[0].action if candidates else f"report.{step}"
        raise Refused(step, explain(user, action, report))
    for transition in allowed:
        if transition.source == report.status:
            return transition
    raise WrongState(step, report.status)


def available_steps(report, user) -> list[str]:
    """The steps the user may take on the report now, in workflow order: the buttons to show."""
    out = []
    for step in STEPS:
        try:
            check(step, report, user)
        except (Refused, WrongState):
            continue
        out.append(step)
    return out


def queue_clause(step: str, user, org_kind_column, status_column, rule_sql) -> ColumnElement[bool]:
    """SQL: the report rows on which ``user`` may take ``step`` now.

    ``rule_sql(action)`` gives the SQL form of the permission action for this
    user (see ``wcc.reporting.queries.review_queue_query``); the states come from
    the table.
    """
    parts = []
    for t in rows(step):
        who = rule_sql(t.action)
        if who is None:
            continue
        condition = [status_column == t.source, who]
        if t.kind is not None:
            condition.append(org_kind_column == t.kind)
        parts.append(and_(*condition))
    return or_(*parts) if parts else false()
