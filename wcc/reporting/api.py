"""``/api/v1/reports``: progress reports and their workflow."""

from __future__ import annotations

from flask import abort, make_response
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import joinedload

from wcc.api.common import ErrorSchema, PageArgs, require_api, require_user
from wcc.errors import abort_with, error_response, register_current
from wcc.extensions import db
from wcc.goals.queries import get_goal
from wcc.orgs.queries import get_by_code
from wcc.pagination import paginate
from wcc.periods import PeriodError, parse_period
from wcc.reporting import services
from wcc.reporting.models import ProgressReport, Status
from wcc.reporting.queries import initiatives_by_ids, linked_initiative_ids, report_list_query
from wcc.transaction import keep_changes, roll_back

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1", description="Progress reports")

STATUSES = [s.value for s in Status]


class ReportQueryArgs(PageArgs):
    goal = fields.String(validate=validate.Length(max=40), metadata={"description": "Goal code"})
    org = fields.String(validate=validate.Length(max=40), metadata={"description": "Organisation code"})
    province = fields.String(validate=validate.Length(max=40),
                             metadata={"description": "Province code: the province's and its municipalities' reports"})
    period = fields.String(validate=validate.Length(max=10), metadata={"description": "Period key: 1404 or 1404-Q2"})
    status = fields.String(validate=validate.OneOf(STATUSES))


class ReportSchema(Schema):
    id = fields.Integer()
    goal = fields.String(metadata={"description": "Goal code"})
    org = fields.String(metadata={"description": "Organisation code"})
    period = fields.String(metadata={"description": "Period key: 1404 or 1404-Q2 (Solar Hijri)"})
    period_start = fields.Date(metadata={"description": "Gregorian first day of the period"})
    period_end = fields.Date(metadata={"description": "Gregorian last day of the period"})
    value = fields.Float(allow_none=True)
    narrative = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    version = fields.Integer(metadata={"description": "Send it back with PATCH; a stale one answers 409"})
    is_late = fields.Boolean()
    due_date = fields.Date()
    submitted_at = fields.DateTime(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    initiatives = fields.List(fields.Integer(), metadata={"description": "Ids of the linked initiatives"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


#: An initiative id as the database stores it (a 32-bit integer on every backend).
INITIATIVE_ID = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))
INITIATIVES_DESCRIPTION = ("Ids of initiatives of the report's own organisation that the report cites (see "
                           "/api/v1/initiatives); replaces the current links. Another organisation's or a "
                           "deleted initiative answers 422.")


CONFIRM_DESCRIPTION = ("A value more than ten times, or less than a tenth of, the value approved for the period "
                       "before is refused (422 naming ``value``) as a likely slip; send ``confirm: true`` with "
                       "it once checked. ``value`` is a JSON number or a string as people type it (Persian "
                       "or Latin digits, «۱۲٬۵۰۰», \"12 500\"); «۱۲.۵۰۰» or \"12,500\" is ambiguous and "
                       "refused (422 naming ``value``): send it unambiguously.")


class ReportListSchema(Schema):
    items = fields.List(fields.Nested(ReportSchema))
    total = fields.Integer()


class ReportInput(Schema):
    goal = fields.String(required=True, validate=validate.Length(min=1, max=40))
    org = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                        metadata={"description": "Organisation code; the caller's own by default"})
    period = fields.String(required=True, validate=validate.Length(min=1, max=10))
    value = fields.Raw(load_default=None, allow_none=True, metadata={"type": "number"})
    narrative = fields.String(load_default="", validate=validate.Length(max=20_000))
    initiatives = fields.List(INITIATIVE_ID, load_default=list,
                              metadata={"description": INITIATIVES_DESCRIPTION})
    confirm = fields.Boolean(load_default=False, metadata={"description": CONFIRM_DESCRIPTION})


class ReportPatch(Schema):
    version = fields.Integer(required=True)
    value = fields.Raw(allow_none=True, metadata={"type": "number"})
    narrative = fields.String(validate=validate.Length(max=20_000))
    initiatives = fields.List(INITIATIVE_ID, metadata={"description": INITIATIVES_DESCRIPTION})
    confirm = fields.Boolean(load_default=False, metadata={"description": CONFIRM_DESCRIPTION})


class StepInput(Schema):
    comment = fields.String(load_default=None, validate=validate.Length(max=5000),
                            metadata={"description": "Required to return a report"})
    reason = fields.String(load_default=None, validate=validate.Length(max=5000),
                           metadata={"description": "Required to reopen a report"})
    version = fields.Integer(load_default=None,
                             metadata={"description": "If given, the step is refused (409) when the report changed"})


def report_payload(report: ProgressReport, goal_code: str | None = None, org_code: str | None = None,
                   initiative_ids: list[int] | None = None) -> dict:
    if initiative_ids is None:
        initiative_ids = [i.id for i in report.initiatives]
    return {
        "id": report.id, "goal": goal_code or report.goal.code, "org": org_code or report.org.code,
        "period": report.period_key, "period_start": report.period_start, "period_end": report.period_end,
        "value": None if report.value is None else float(report.value), "narrative": report.narrative,
        "status": report.status, "version": report.version, "is_late": report.is_late,
        "due_date": services.report_due_date(report), "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at, "approved_at": report.approved_at, "initiatives": initiative_ids,
        "created_at": report.created_at, "updated_at": report.updated_at,
    }


# A 409 shows the report as saved now, as this API represents it.
register_current(ProgressReport, report_payload)


def _report_or_404(report_id: int) -> ProgressReport:
    report = db.session.get(ProgressReport, report_id,
                            options=[joinedload(ProgressReport.goal), joinedload(ProgressReport.org)])
    if report is None:
        abort(404)
    require_api("report.view", report, hide=True)
    return report


@blp.route("/reports")
@blp.arguments(ReportQueryArgs, location="query")
@blp.response(200, ReportListSchema)
@blp.alt_response(401, schema=ErrorSchema)
def list_reports(args):
    """Reports the caller may read, newest period first, filtered by goal, member, province, period, status."""
    user = require_api("report.list")
    goal = org = province = None
    if args.get("goal"):
        goal = get_goal(args["goal"])
    if args.get("org"):
        org = get_by_code(args["org"])
    if args.get("province"):
        province = get_by_code(args["province"])
    period = args.get("period")
    if period:
        try:
            period = parse_period(period).key
        except PeriodError:
            abort_with(422, _("Periods are written 1404 (a year) or 1404-Q2 (a quarter)."),
                       {"period": [_("Periods are written 1404 (a year) or 1404-Q2 (a quarter).")]})
    unknown = (args.get("goal") and goal is None) or (args.get("org") and org is None) \
        or (args.get("province") and province is None)
    if unknown:
        return {"items": [], "total": 0}
    stmt = report_list_query(user, goal=goal, org=org, province=province, period=period,
                             status=args.get("status"))
    page = paginate(stmt, args["page"], args["per_page"])
    links = linked_initiative_ids([r.id for r, _goal, _org in page.items])
    return {"items": [report_payload(r, goal_code, org_code, links.get(r.id, []))
                      for r, goal_code, org_code in page.items],
            "total": page.total}


def _initiatives_or_422(ids: list[int]) -> list:
    """The initiatives with these ids; an id that names none answers 422 on ``initiatives``."""
    found = initiatives_by_ids(ids)
    missing = sorted(set(ids) - {i.id for i in found})
    if missing:
        message = _("There is no initiative with the id %(ids)s.", ids=", ".join(map(str, missing)))
        abort_with(422, message, {"initiatives": [message]})
    return found


@blp.route("/reports", methods=["POST"])
@blp.arguments(ReportInput)
@blp.response(201, ReportSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create_report(data):
    """Start a draft report. One per organisation, goal and period: a second answers 409."""
    user = require_api("report.list")
    goal = get_goal(data["goal"])
    if goal is None:
        abort_with(422, _("There is no goal with this code."), {"goal": [_("There is no goal with this code.")]})
    org = get_by_code(data["org"]) if data.get("org") else user.org
    if org is None:
        abort_with(422, _("There is no organisation with this code."),
                   {"org": [_("There is no organisation with this code.")]})
    require_api("report.create", org)
    initiatives = _initiatives_or_422(data["initiatives"])
    report = services.create_report(goal=goal, org=org, period_key=data["period"], value=data["value"],
                                    narrative=data["narrative"], initiatives=initiatives, user=user,
                                    confirm=data["confirm"])
    return report_payload(report)


@blp.route("/reports/<int:report_id>")
@blp.response(200, ReportSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_report(report_id):
    """One report the caller may read."""
    return report_payload(_report_or_404(report_id))


@blp.route("/reports/<int:report_id>", methods=["PATCH"])
@blp.arguments(ReportPatch)
@blp.response(200, ReportSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def patch_report(data, report_id):
    """Change value, narrative or linked initiatives of a draft or returned report. ``version`` must be
    current (else 409); approved reports are locked (409)."""
    report = _report_or_404(report_id)
    user = require_api("report.edit", report)
    changes = {k: data[k] for k in ("value", "narrative") if k in data}
    if "initiatives" in data:
        changes["initiatives"] = _initiatives_or_422(data["initiatives"])
    services.update_report(report, version=data["version"], user=user, confirm=data["confirm"], **changes)
    return report_payload(report)


def _step(name: str, report_id: int, data: dict) -> dict:
    """Take a step of the workflow table; the service asks the policy (403 with the reason) and the
    table (409 for a wrong state)."""
    report = _report_or_404(report_id)
    user = require_user()
    try:
        services.transition_by_name(name, report, user, comment=data.get("comment"), reason=data.get("reason"),
                                    version=data.get("version"))
    except services.StepRefused as exc:
        # Answered here, not by the error handler (which keeps nothing): the refusal stays on the audit trail.
        _keep_refusal(report.id, exc, user)
        return make_response(error_response(403, exc.message, {"reason": [exc.code]}))
    return report_payload(report)


def _keep_refusal(report_id: int, exc, user) -> None:
    """Undo the refused attempt but keep the refusal on the audit trail (the answer is a 403)."""
    roll_back()
    services.record_refusal(_report_or_404(report_id), exc, user)
    keep_changes()


def _register_step(name: str, doc: str) -> None:
    def view(data, report_id):
        return _step(name, report_id, data)

    view.__name__ = f"{name}_report"
    view.__doc__ = doc
    decorated = view
    for status in (403, 404, 409, 422):
        decorated = blp.alt_response(status, schema=ErrorSchema)(decorated)
    decorated = blp.response(200, ReportSchema)(decorated)
    decorated = blp.arguments(StepInput)(decorated)
    blp.route(f"/reports/<int:report_id>/{name}", methods=["POST"])(decorated)


for _name, _doc in (
    ("submit", "Submit a draft or returned report for review; late if after the due date."),
    ("review", "The province's first-level approval of a municipality's submitted report."),
    ("approve", "Approve a reviewed report (or a province's submitted one); it is then locked."),
    ("return", "Send a submitted or reviewed report back to its authors; ``comment`` is required."),
    ("reopen", "Unlock an approved report (administrators); ``reason`` is required and recorded."),
):
    _register_step(_name, _doc)
