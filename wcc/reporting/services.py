"""Every rule about progress reports: writing, the review workflow, locking, comments.

Services flush and never commit; the request commits once (``wcc.transaction``). Permission to
write is checked by the caller through ``wcc.permissions``; workflow steps are
checked here, against the workflow table (``wcc.reporting.workflow``), so no
caller can skip it: a step the policy refuses is a ``StepRefused`` (403, with
the reason). These functions raise ``ServiceError``:

- 422 for values that cannot be stored, among them a link to an initiative of
  another organisation or a deleted one,
- 409 when the report's state or version does not allow the step: approved
  reports are locked, a stale version is refused (also when another request
  saved the report between our read and our write), a second report for the
  same organisation, goal and period is refused (also when two requests race).

Every change goes through ``_emit``, which writes the audit event (with the
previous values) and sends ``report_changed``: the one place to hook anything
that must follow reports, such as a rollup table updated on approve and reopen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from blinker import Namespace
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wcc.audit.services import diff, record, snapshot
from wcc.db import utcnow
from wcc.errors import ServiceError, conflict
from wcc.extensions import db
from wcc.goals.display import plain_number
from wcc.goals.models import Goal
from wcc.goals.services import parse_value
from wcc.i18n.text import clean_text, has_control_characters
from wcc.initiatives.models import Initiative
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import Period, PeriodError, clock, due_date, parse_period
from wcc.reporting import workflow
from wcc.reporting.contributors import forget
from wcc.reporting.models import (
    EDITABLE,
    CommentKind,
    ProgressReport,
    ReportComment,
    ReportEvidence,
    Status,
)
from wcc.reporting.queries import previous_approved_value
from wcc.transaction import unique, versioned
from wcc.uploads.models import StoredFile
from wcc.uploads.services import delete_stored, store_upload

REPORT_FIELDS = ("value", "narrative", "status")
MAX_NARRATIVE = 20_000
MAX_COMMENT = 5_000
MAX_INITIATIVES = 50

_signals = Namespace()
#: Sent after every change of a report: ``sender`` is the report; keyword
#: arguments ``action`` (e.g. "report.approve"), ``before`` and ``after``.
report_changed = _signals.signal("report-changed")


STALE_MESSAGE = _l("Someone else saved this report in the meantime. Nothing has been overwritten.")
DUPLICATE_MESSAGE = _l("There is already a report for this goal and period.")


# --- the single place changes leave from -------------------------------------------

def _emit(report: ProgressReport, action: str, before: dict | None, after: dict | None, actor) -> None:
    db.session.flush()
    record(action, report, before=before, after=after, actor=actor)
    forget(report)  # the audit event may make the actor a contributor (wcc.reporting.contributors)
    report_changed.send(report, action=action, before=before, after=after)


def _snapshot(report: ProgressReport) -> dict:
    """Value, narrative, status and linked initiatives (by id) as the audit trail keeps them."""
    values = snapshot(report, REPORT_FIELDS)
    values["value"] = plain_number(report.value) or None
    values["initiatives"] = sorted(i.id for i in report.initiatives)
    return values


# --- helpers ------------------------------------------------------------------------

def report_due_date(report: ProgressReport) -> date:
    return due_date(report.period, report.goal.due_days)


def _clean_narrative(text: str | None) -> str:
    text = text or ""
    if has_control_characters(text.replace("\t", "")):
        raise ServiceError(_("Remove the invisible control characters from this text."), "narrative")
    text = clean_text(text)
    if len(text) > MAX_NARRATIVE:
        raise ServiceError(_("At most %(max)d characters, please.", max=MAX_NARRATIVE), "narrative")
    return text


def _clean_comment(text: str | None, field: str = "comment") -> str:
    text = text or ""
    if has_control_characters(text.replace("\t", "")):
        raise ServiceError(_("Remove the invisible control characters from this text."), field)
    text = clean_text(text)
    if not text:
        raise ServiceError(_("Write a few words: the member will read them."), field)
    if len(text) > MAX_COMMENT:
        raise ServiceError(_("At most %(max)d characters, please.", max=MAX_COMMENT), field)
    return text


def _initiatives(org: Organisation, chosen, current: list[Initiative]) -> list[Initiative]:
    """The initiatives to link, each once, by id.

    A report cites the work of its own organisation: a new link to another
    organisation's initiative, or to a deleted one, raises ServiceError (422). Links
    made earlier stay valid (the initiative may have moved or been deleted since).
    """
    chosen = list({i.id: i for i in chosen or []}.values())
    if len(chosen) > MAX_INITIATIVES:
        raise ServiceError(_("A report links at most %(max)d initiatives.", max=MAX_INITIATIVES), "initiatives")
    kept = {i.id for i in current}
    for ini in chosen:
        if ini.id not in kept and (ini.org_id != org.id or ini.deleted_at is not None):
            raise ServiceError(_("Initiative %(id)s cannot be linked: a report links only its own "
                                 "organisation's initiatives that are not deleted.", id=ini.id), "initiatives")
    return sorted(chosen, key=lambda i: i.id)


def _value(goal: Goal, raw) -> Any:
    return parse_value(raw, goal.unit, "value")


#: A value more than this many times last period's approved value, or less than its inverse, is asked
#: about before it is saved.
UNUSUAL_FACTOR = 10


class UnusualValue(ServiceError):
    """A value more than ten times, or less than a tenth of, last period's approved value: a 422 on
    ``value`` until the user confirms it (the form's checkbox, the API's ``confirm``)."""

    def __init__(self, value: Decimal, previous_value: Decimal, previous: Period, goal: Goal):
        from wcc.goals.display import format_value

        self.value, self.previous_value, self.previous = value, previous_value, previous
        shown = {"value": format_value(value, goal.unit), "previous": format_value(previous_value, goal.unit),
                 "period": previous.label(dates=False)}
        if value > previous_value:
            message = _("%(value)s is more than ten times the value approved for %(period)s (%(previous)s). "
                        "Check it: if it is right, confirm it and save again.", **shown)
        else:
            message = _("%(value)s is less than a tenth of the value approved for %(period)s (%(previous)s). "
                        "Check it: if it is right, confirm it and save again.", **shown)
        super().__init__(message, "value")

    @property
    def confirm_value(self) -> str:
        """What a form posts to confirm this very value (another value asks again)."""
        return plain_number(self.value)


def check_unusual(org: Organisation, goal: Goal, period: Period, value: Decimal | None, confirmed: bool) -> None:
    """Raise UnusualValue unless ``value`` is within a factor of ten of last period's approved value,
    or ``confirmed``; never a silent save of a tenfold slip. Nothing to compare with: no question."""
    if value is None or confirmed:
        return
    previous_value = previous_approved_value(org.id, goal.id, period)
    if previous_value is None or previous_value <= 0:
        return
    if value > previous_value * UNUSUAL_FACTOR or value * UNUSUAL_FACTOR < previous_value:
        raise UnusualValue(value, previous_value, period.previous(), goal)


def check_period(goal: Goal, key: str, today: date | None = None) -> Period:
    """The period a report on ``goal`` may be written for, or ServiceError (422 on ``period``).

    It must be of the goal's frequency, inside the goal's span, and have begun.
    """
    try:
        period = parse_period(key)
    except PeriodError:
        raise ServiceError(_("Periods are written 1404 (a year) or 1404-Q2 (a quarter)."), "period") \
            from None
    if period.frequency != goal.frequency:
        if goal.frequency == "quarterly":
            raise ServiceError(_("This goal is reported per quarter, such as 1404-Q2."), "period")
        raise ServiceError(_("This goal is reported per year, such as 1404."), "period")
    if period.sort_key < goal.first.sort_key or period.sort_key > goal.last.sort_key:
        raise ServiceError(_("This goal runs from %(first)s to %(last)s.", first=goal.first_period,
                              last=goal.last_period), "period")
    if period.first_day > (today or clock.today()):
        raise ServiceError(_("This period has not begun yet."), "period")
    return period


# --- writing ------------------------------------------------------------------------

def find_report(org: Organisation, goal: Goal, period: Period) -> ProgressReport | None:
    return db.session.scalar(select(ProgressReport).where(
        ProgressReport.org_id == org.id, ProgressReport.goal_id == goal.id,
        ProgressReport.period_key == period.key))


def create_report(*, goal: Goal, org: Organisation, period_key: str, value=None, narrative: str = "",
                  initiatives: list[Initiative] | None = None, user, confirm: bool = False) -> ProgressReport:
    """A new draft, citing ``initiatives`` of ``org``. A 409 on ``period`` when the organisation
    already has one for this goal and period; an UnusualValue (422) for a value far from last
    period's approved one unless ``confirm``.

    Two requests racing for the same report both pass the first check; the
    unique constraint stops the second (inside a savepoint), which is answered the same way.
    """
    if not goal.active:
        raise ServiceError(_("This goal is no longer active."), "goal")
    if org.kind == OrgKind.NETWORK or not goal.reported_by(org):
        raise ServiceError(_("Members of this kind do not report on this goal."), "org")
    period = check_period(goal, period_key)
    existing = find_report(org, goal, period)
    if existing is not None:
        raise conflict(str(DUPLICATE_MESSAGE), field="period", current=existing)
    value = _value(goal, value)
    check_unusual(org, goal, period, value, confirm)
    report = ProgressReport(goal_id=goal.id, org_id=org.id, goal=goal, org=org, status=Status.DRAFT,
                            value=value, narrative=_clean_narrative(narrative),
                            initiatives=_initiatives(org, initiatives, []),
                            created_by_id=user.id, updated_by_id=user.id)
    report.set_period(period)
    with unique(DUPLICATE_MESSAGE, "period"):
        db.session.add(report)
    _emit(report, "report.create", None, {"goal": goal.code, "org": org.code, "period": period.key,
                                          **_snapshot(report)}, user)
    return report


def check_version(report: ProgressReport, version: int | None) -> None:
    """A 409 (with the version saved now) unless ``version`` is the report's current version."""
    if version is None:
        raise ServiceError(_("The version you edited is missing; reload the page."), "version")
    if int(version) != report.version:
        raise conflict(str(STALE_MESSAGE), current=report)


def check_editable(report: ProgressReport) -> None:
    if report.status == Status.APPROVED:
        raise conflict(_("This report is approved and locked. An administrator can reopen it "
                         "with a reason."), current=report)
    if report.status not in EDITABLE:
        raise conflict(_("This report is waiting for review and cannot be changed now. Ask the "
                         "reviewer to return it if something needs correcting."), current=report)


def update_report(report: ProgressReport, *, version: int | None, user, confirm: bool = False,
                  **changes) -> ProgressReport:
    """Change value, narrative and linked initiatives of a draft or returned report, if ``version``
    is still current (also at the moment of writing: a request that saved first wins, this one is a 409).
    A changed value far from last period's approved one is an UnusualValue (422) unless ``confirm``."""
    check_editable(report)
    check_version(report, version)
    with versioned(report, STALE_MESSAGE):
        _update(report, user, changes, confirm)
    return report


def _update(report: ProgressReport, user, changes: dict, confirm: bool = False) -> None:
    before = _snapshot(report)
    if "value" in changes:
        value = _value(report.goal, changes["value"])
        if value != report.value:
            check_unusual(report.org, report.goal, report.period, value, confirm)
        report.value = value
    if "narrative" in changes:
        report.narrative = _clean_narrative(changes["narrative"])
    if "initiatives" in changes:
        chosen = _initiatives(report.org, changes["initiatives"], report.initiatives)
        if [i.id for i in chosen] != [i.id for i in report.initiatives]:
            report.initiatives = chosen
    old, new = diff(before, _snapshot(report))
    if new:
        report.updated_by_id = user.id
        # A change of links alone touches no column; the timestamp makes the row (and its version) move.
        report.updated_at = utcnow()
        _emit(report, "report.update", old, new, user)


# --- the workflow -------------------------------------------------------------------

class StepRefused(ServiceError):
    """The workflow's policy refuses the user this step (403); ``code`` names the reason."""

    def __init__(self, message: str, *, code: str, step: str):
        super().__init__(message, status=403)
        self.code = code
        self.step = step


def _wrong_state(report: ProgressReport, step: str) -> ServiceError:
    if step == "approve" and report.status == Status.SUBMITTED and report.org.kind == OrgKind.MUNICIPALITY:
        return conflict(_("A municipality's report is approved after its province has reviewed it."))
    if report.status == Status.APPROVED:
        return conflict(_("This report is approved and locked. An administrator can reopen it with a reason."))
    return conflict(_("This step is not possible in the report's current state."))


def check_step(step: str, report: ProgressReport, user) -> workflow.Transition:
    """The workflow row ``user`` takes for ``step`` (see ``wcc.reporting.workflow``).

    Raises StepRefused (403, with the policy's reason, separation of duties
    among them) or a 409 ServiceError when the report's state does not allow it.
    """
    try:
        return workflow.check(step, report, user)
    except workflow.Refused as exc:
        raise StepRefused(str(exc.refusal.message), code=exc.refusal.code, step=step) from None
    except workflow.WrongState:
        raise _wrong_state(report, step) from None


def _transition(report: ProgressReport, step: str, user, version: int | None = None,
                note: dict | None = None, **stamps) -> ProgressReport:
    """Take ``step`` by its workflow row; the UPDATE carries the version read, so of two requests
    taking a step at once, the second is a 409."""
    row = check_step(step, report, user)
    if version is not None:
        check_version(report, version)
    before = {"status": report.status, "value": plain_number(report.value) or None}
    with versioned(report, STALE_MESSAGE):
        report.status = row.target
        for name, value in stamps.items():
            setattr(report, name, value)
        _emit(report, workflow.ACTIONS[step], before,
              {"status": str(row.target), "value": plain_number(report.value) or None, **(note or {})}, user)
    return report


def submit(report: ProgressReport, user, version: int | None = None) -> ProgressReport:
    """Draft or returned → submitted. The first submission decides whether the report is late."""
    check_step("submit", report, user)
    if report.value is None:
        raise ServiceError(_("Enter the value before submitting."), "value")
    now = utcnow()
    stamps: dict[str, Any] = {}
    if report.submitted_at is None:
        stamps = {"submitted_at": now, "submitted_by_id": user.id,
                  "is_late": clock.network_date(now) > report_due_date(report)}
    else:
        stamps = {"submitted_by_id": user.id}
    return _transition(report, "submit", user, version, **stamps)


def review(report: ProgressReport, user, version: int | None = None) -> ProgressReport:
    """First-level approval of a municipality's submitted report: submitted → reviewed."""
    return _transition(report, "review", user, version, reviewed_at=utcnow(), reviewed_by_id=user.id)


def approve(report: ProgressReport, user, version: int | None = None) -> ProgressReport:
    """Reviewed (or a province's submitted report) → approved, which locks it."""
    return _transition(report, "approve", user, version, approved_at=utcnow(), approved_by_id=user.id)


def return_report(report: ProgressReport, user, comment: str, version: int | None = None) -> ProgressReport:
    """Send a submitted or reviewed report back to its authors, with a comment they will read.

    A province officer returns only what awaits the province's review (the table's rows say so).
    """
    check_step("return", report, user)
    text = _clean_comment(comment)
    _transition(report, "return", user, version, note={"comment": text},
                returned_at=utcnow(), reviewed_at=None, reviewed_by_id=None)
    _add_comment(report, user, text, CommentKind.RETURN)
    return report


def reopen(report: ProgressReport, user, reason: str, version: int | None = None) -> ProgressReport:
    """Unlock an approved report for correction (approved → returned), with the reason on record."""
    check_step("reopen", report, user)
    text = _clean_comment(reason, "reason")
    _transition(report, "reopen", user, version, note={"reason": text},
                returned_at=utcnow(), approved_at=None, approved_by_id=None, reviewed_at=None,
                reviewed_by_id=None)
    _add_comment(report, user, text, CommentKind.REOPEN)
    return report


def record_refusal(report: ProgressReport, exc: StepRefused, user) -> None:
    """Put a refused step on the audit trail (``report.refused``, with the step and the reason's code).

    The caller has rolled the refused attempt back (and keeps this event: ``keep_changes``).
    """
    record("report.refused", report, after={"step": exc.step, "reason": exc.code}, actor=user)


# --- evidence ---------------------------------------------------------------------

MAX_EVIDENCE = 20


def add_evidence(report: ProgressReport, upload, user) -> ReportEvidence:
    """Attach a photo or PDF to a report its authors may still change.

    The file goes through ``wcc.uploads`` (content checked, photos re-encoded);
    a refused file raises ServiceError (422 on ``evidence``) with the reason. A file
    stored already (checked when it was kept with the form) is attached as it is.
    """
    check_editable(report)
    if len(report.evidence) >= MAX_EVIDENCE:
        raise ServiceError(_("A report holds at most %(max)d files.", max=MAX_EVIDENCE), "evidence")
    stored = upload if isinstance(upload, StoredFile) else store_upload(upload, field="evidence")
    evidence = ReportEvidence(report_id=report.id, file_id=stored.id, file=stored, added_by_id=user.id)
    report.evidence.append(evidence)
    _emit(report, "report.evidence_add", None, {"file": stored.original_name, "file_id": stored.id}, user)
    return evidence


def remove_evidence(report: ProgressReport, evidence: ReportEvidence, user) -> None:
    """Detach and delete a file from a report its authors may still change."""
    check_editable(report)
    name, file_id = evidence.file.original_name, evidence.file_id
    report.evidence.remove(evidence)
    delete_stored(evidence.file)
    _emit(report, "report.evidence_remove", {"file": name, "file_id": file_id}, None, user)


# --- comments -----------------------------------------------------------------------

def _add_comment(report: ProgressReport, user, body: str, kind: CommentKind) -> ReportComment:
    comment = ReportComment(report_id=report.id, author_id=user.id, body=body, kind=kind)
    db.session.add(comment)
    db.session.flush()
    return comment


def add_comment(report: ProgressReport, user, body: str) -> ReportComment:
    comment = _add_comment(report, user, _clean_comment(body, "body"), CommentKind.COMMENT)
    record("report.comment", report, after={"comment_id": comment.id, "body": comment.body}, actor=user)
    return comment


def transition_by_name(name: str, report: ProgressReport, user, *, comment: str | None = None,
                       reason: str | None = None, version: int | None = None) -> ProgressReport:
    """Run the workflow step called ``name`` (submit, review, approve, return, reopen)."""
    if name == "submit":
        return submit(report, user, version)
    if name == "review":
        return review(report, user, version)
    if name == "approve":
        return approve(report, user, version)
    if name == "return":
        return return_report(report, user, comment or "", version)
    if name == "reopen":
        return reopen(report, user, reason or "", version)
    raise KeyError(name)


WORKFLOW_STEPS = ("submit", "review", "approve", "return", "reopen")


WORKFLOW_STEPS = workflow.STEPS
