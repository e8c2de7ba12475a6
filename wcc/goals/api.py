"""``/api/v1/goals``: the goal catalogue and targets."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from wcc.api.common import ErrorSchema, LocalisedNames, require_api
from wcc.errors import ServiceError
from wcc.goals import services
from wcc.goals.models import Aggregation, Direction, Goal, Theme, Unit
from wcc.goals.queries import all_goals, get_goal, goal_target_rows, year_span
from wcc.i18n.text import to_ascii_digits
from wcc.orgs.queries import get_by_code
from wcc.periods import Frequency, clock
from wcc.permissions import can, denied
from wcc.reporting.progress import ProgressStatus
from wcc.reporting.queries import goal_progress, progress_year

blp = Blueprint("api_goals", __name__, url_prefix="/api/v1", description="The union's goals and targets")

KINDS = ("province", "municipality")


def _values(enum_cls) -> list[str]:
    return [m.value for m in enum_cls]


class GoalQueryArgs(Schema):
    active = fields.Boolean(metadata={"description": "Only active goals (true) or only inactive ones (false)"})


class BaselineSchema(Schema):
    value = fields.Float()
    period = fields.String()


class GoalSchema(Schema):
    code = fields.String()
    titles = fields.Nested(LocalisedNames)
    descriptions = fields.Nested(LocalisedNames)
    theme = fields.String(metadata={"enum": _values(Theme)})
    unit = fields.String(metadata={"enum": _values(Unit)})
    aggregation = fields.String(metadata={"enum": _values(Aggregation)})
    direction = fields.String(metadata={"enum": _values(Direction)})
    frequency = fields.String(metadata={"enum": _values(Frequency)})
    baseline = fields.Nested(BaselineSchema, allow_none=True)
    first_period = fields.String()
    last_period = fields.String()
    reported_by = fields.List(fields.String(metadata={"enum": list(KINDS)}))
    due_days = fields.Integer()
    active = fields.Boolean()


class GoalListSchema(Schema):
    items = fields.List(fields.Nested(GoalSchema))


class TitlesInput(Schema):
    fa = fields.String(required=True, validate=validate.Length(min=1, max=300))
    en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    ru = fields.String(required=True, validate=validate.Length(min=1, max=300))


class DescriptionsInput(Schema):
    fa = fields.String(load_default="", validate=validate.Length(max=5000))
    en = fields.String(load_default="", validate=validate.Length(max=5000))
    ru = fields.String(load_default="", validate=validate.Length(max=5000))


class GoalInput(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    titles = fields.Nested(TitlesInput, required=True)
    descriptions = fields.Nested(DescriptionsInput, load_default=dict)
    theme = fields.String(required=True, validate=validate.OneOf(_values(Theme)))
    unit = fields.String(required=True, validate=validate.OneOf(_values(Unit)))
    aggregation = fields.String(required=True, validate=validate.OneOf(_values(Aggregation)))
    direction = fields.String(load_default=Direction.HIGHER.value, validate=validate.OneOf(_values(Direction)))
    frequency = fields.String(required=True, validate=validate.OneOf(_values(Frequency)))
    baseline_value = fields.Raw(load_default=None, metadata={"type": "number"})
    baseline_period = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10))
    first_period = fields.String(required=True, validate=validate.Length(max=10))
    last_period = fields.String(required=True, validate=validate.Length(max=10))
    reported_by = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=lambda: list(KINDS),
                              validate=validate.Length(min=1))
    due_days = fields.Integer(load_default=30, validate=validate.Range(0, 365))
    active = fields.Boolean(load_default=True)


class TargetSchema(Schema):
    org = fields.String()
    period = fields.String()
    value = fields.Float()
    updated_at = fields.DateTime()


class TargetListSchema(Schema):
    items = fields.List(fields.Nested(TargetSchema))


class TargetQueryArgs(Schema):
    org = fields.String(validate=validate.Length(max=40))
    period = fields.String(validate=validate.Length(max=10))


class ProgressArgs(Schema):
    year = fields.String(validate=validate.Length(max=10), metadata={
        "description": "A Solar Hijri year the goal runs in, such as 1404 (default: the latest year with "
                       "approved reports)"})


class ProgressFigure(Schema):
    org = fields.String(metadata={"description": "Organisation code"})
    actual = fields.Float(allow_none=True, metadata={
        "description": "Approved figure for the year, following the goal's aggregation"})
    target = fields.Float(allow_none=True, metadata={"description": "The year's target; null when none is set"})
    status = fields.String(metadata={"enum": [s.value for s in ProgressStatus],
                                     "description": "Open SDG progress status"})


class AreaProgressFigure(ProgressFigure):
    targets_set = fields.Integer(metadata={
        "description": "How many of the province's organisations (itself and its municipalities that "
                       "report the goal) have set a target; the target exists once all have"})
    organisations = fields.Integer(metadata={"description": "How many organisations the province counts"})


class GoalProgressSchema(Schema):
    goal = fields.String()
    year = fields.Integer()
    members = fields.List(fields.Nested(ProgressFigure), metadata={
        "description": "Every active organisation of a kind that reports the goal, on its own reports "
                       "against its own target"})
    provinces = fields.List(fields.Nested(AreaProgressFigure), metadata={
        "description": "Each province as a whole: its own and its municipalities' reports against the "
                       "same organisations' targets"})


class TargetInput(Schema):
    org = fields.String(load_default=None, validate=validate.Length(max=40),
                        metadata={"description": "Organisation code; the caller's own by default"})
    period = fields.String(required=True, validate=validate.Length(max=10),
                           metadata={"description": "A Solar Hijri year, such as 1404"})
    value = fields.Raw(required=True, allow_none=True,
                       metadata={"type": "number", "description": "null removes the target"})


class TargetsInput(Schema):
    items = fields.List(fields.Nested(TargetInput), required=True, validate=validate.Length(min=1, max=500))


def goal_payload(goal: Goal) -> dict:
    baseline = None
    if goal.baseline_value is not None:
        baseline = {"value": float(goal.baseline_value), "period": goal.baseline_period}
    return {
        "code": goal.code,
        "titles": {"fa": goal.title_fa, "en": goal.title_en, "ru": goal.title_ru},
        "descriptions": {"fa": goal.description_fa, "en": goal.description_en, "ru": goal.description_ru},
        "theme": goal.theme, "unit": goal.unit, "aggregation": goal.aggregation,
        "direction": goal.direction, "frequency": goal.frequency, "baseline": baseline,
        "first_period": goal.first_period, "last_period": goal.last_period,
        "reported_by": list(goal.reporting_kinds), "due_days": goal.due_days, "active": goal.active,
    }


def _goal_or_404(code: str) -> Goal:
    goal = get_goal(code)
    if goal is None:
        abort(404)
    return goal


def _targets_payload(goal: Goal, org: str | None = None, period: str | None = None) -> dict:
    return {"items": [{"org": code, "period": t.period_key, "value": float(t.value), "updated_at": t.updated_at}
                      for t, code in goal_target_rows(goal, org, period)]}


@blp.route("/goals")
@blp.arguments(GoalQueryArgs, location="query")
@blp.response(200, GoalListSchema)
@blp.alt_response(401, schema=ErrorSchema)
def list_goals(args):
    """Every goal, by theme and code."""
    require_api("goal.list")
    goals = all_goals()
    if "active" in args:
        goals = [g for g in goals if g.active == args["active"]]
    return {"items": [goal_payload(g) for g in goals]}


@blp.route("/goals", methods=["POST"])
@blp.arguments(GoalInput)
@blp.response(201, GoalSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create_goal(data):
    """Add a goal to the catalogue (administrators)."""
    require_api("goal.create")
    try:
        baseline = services.parse_value(data["baseline_value"], data["unit"], "baseline_value")
        goal = services.create_goal(
            code=data["code"].strip().upper(),
            title_fa=data["titles"]["fa"].strip(), title_en=data["titles"]["en"].strip(),
            title_ru=data["titles"]["ru"].strip(),
            description_fa=data["descriptions"].get("fa", ""), description_en=data["descriptions"].get("en", ""),
            description_ru=data["descriptions"].get("ru", ""),
            theme=data["theme"], unit=data["unit"], aggregation=data["aggregation"],
            direction=data["direction"], frequency=data["frequency"], baseline_value=baseline,
            baseline_period=data["baseline_period"], first_period=data["first_period"],
            last_period=data["last_period"], reported_by_province="province" in data["reported_by"],
            reported_by_municipality="municipality" in data["reported_by"], due_days=data["due_days"],
            active=data["active"])
    except ServiceError as exc:
        exc.field = exc.field or "goal"
        raise
    return goal_payload(goal)


@blp.route("/goals/<code>/progress")
@blp.arguments(ProgressArgs, location="query")
@blp.response(200, GoalProgressSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_progress(args, code):
    """The goal's progress in one year, as its page shows it: each member's approved figure, target
    and status (the same status as the dashboards' for that year)."""
    goal = _goal_or_404(code)
    require_api("goal.view", goal)
    years = year_span([goal])
    requested = to_ascii_digits(args.get("year", "")).strip()
    if requested and requested not in years:
        raise ServiceError(_("Choose a year the goal runs in: %(first)s to %(last)s.", first=years[0],
                             last=years[-1]), fields={"year": [_("Not a year of this goal.")]}, status=400)
    year = progress_year(years, requested, goal)
    progress = goal_progress(goal, year, clock.today())
    orgs = {o.id: o for o in progress.orgs}

    def figure(org_id: int, row) -> dict:
        return {"org": orgs[org_id].code, "actual": row.approved,
                "target": None if row.target is None else float(row.target), "status": row.assessment.status.value}

    members = sorted((figure(i, row) for i, row in progress.members.items()), key=lambda m: m["org"])
    provinces = sorted(({**figure(i, row), "targets_set": row.target_coverage[0],
                         "organisations": row.target_coverage[1]} for i, row in progress.provinces.items()),
                       key=lambda p: p["org"])
    return {"goal": goal.code, "year": year, "members": members, "provinces": provinces}


@blp.route("/goals/<code>/targets")
@blp.arguments(TargetQueryArgs, location="query")
@blp.response(200, TargetListSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_targets(args, code):
    """The goal's targets: the network's and every member's, per year."""
    goal = _goal_or_404(code)
    require_api("target.view", goal)
    return _targets_payload(goal, args.get("org"), args.get("period"))


@blp.route("/goals/<code>/targets", methods=["PUT"])
@blp.arguments(TargetsInput)
@blp.response(200, TargetListSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def put_targets(data, code):
    """Set targets (all or none): each item sets one organisation's target for one year.

    Members set their own; the network's (org ``WCC``) is the administrators'.
    A null value removes a target.
    """
    goal = _goal_or_404(code)
    user = require_api("target.view", goal)
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(data["items"]):
        org = get_by_code(item["org"]) if item["org"] else user.org
        if org is None:
            errors[f"items.{index}.org"] = [_("There is no organisation with this code.")]
            continue
        if not can(user, "target.set", org):
            denied(user, "target.set", org, 403)
            abort(403)
        try:
            services.set_target(goal, org, item["period"], item["value"], user)
        except ServiceError as exc:
            if exc.status == 409:
                raise
            errors[f"items.{index}.{exc.field or 'value'}"] = [exc.message]
    if errors:
        raise ServiceError(_("Some of the targets are not valid; none has been saved."), fields=errors)
    return _targets_payload(goal)
