"""``/api/v1/dashboard``: the dashboards' figures as JSON, from the same cached queries as the pages."""

from __future__ import annotations

import json

from flask import Response, abort, current_app
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from wcc.api.common import ErrorSchema, require_api
from wcc.dashboards.cache import cached
from wcc.dashboards.data import current_filters, goal_data, overview_data
from wcc.dashboards.filters import Filters
from wcc.goals.queries import get_goal
from wcc.periods import clock

blp = Blueprint("api_dashboard", __name__, url_prefix="/api/v1", description="Dashboards")

PERIOD = {"description": "Period key: 1404 (a Solar Hijri year) or 1404-Q2 (a quarter)"}


class DashboardArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    period_from = fields.String(validate=validate.Length(max=10), metadata={
        **PERIOD, "description": "First period of the range (default: the latest year with approved figures)"})
    period_to = fields.String(validate=validate.Length(max=10), metadata={
        **PERIOD, "description": "Last period of the range (default: period_from)"})
    province = fields.String(validate=validate.Length(max=40), metadata={"description": "Province code, e.g. IR-10"})
    theme = fields.String(validate=validate.Length(max=20))


class PeriodFigure(Schema):
    period = fields.String()
    actual = fields.Float(allow_none=True, metadata={"description": "Approved value of the period"})
    target = fields.Float(allow_none=True)
    cumulative_actual = fields.Float(allow_none=True, metadata={
        "description": "Approved value from the start of the range to this period (network and provinces)"})
    cumulative_target = fields.Float(allow_none=True, metadata={
        "description": "Target from the start of the range to this period (network and provinces)"})


class Figure(Schema):
    actual = fields.Float(allow_none=True, metadata={
        "description": "Approved figure over the range, following the goal's aggregation"})
    target = fields.Float(allow_none=True, metadata={"description": "Target over the range"})
    percent_of_target = fields.Float(allow_none=True)
    status = fields.String(metadata={"description": "Open SDG progress status"})
    track = fields.String(metadata={"enum": ["on_track", "at_risk", "off_track", "no_data"]})
    reports = fields.Integer(metadata={"description": "Approved reports counted"})


class SeriesFigure(Figure):
    periods = fields.List(fields.Nested(PeriodFigure))


class AreaFigure(SeriesFigure):
    org = fields.String()


class MemberFigure(AreaFigure):
    kind = fields.String()
    province = fields.String(allow_none=True)


class GoalDashboard(Schema):
    goal = fields.String()
    range = fields.Dict()
    network = fields.Nested(SeriesFigure)
    provinces = fields.List(fields.Nested(AreaFigure))
    members = fields.List(fields.Nested(MemberFigure))


class GoalRow(Figure):
    code = fields.String()


class Overview(Schema):
    range = fields.Dict()
    tiles = fields.Dict()
    goals = fields.List(fields.Nested(GoalRow))


@blp.route("/dashboard/overview")
@blp.arguments(DashboardArgs, location="query")
@blp.response(200, Overview)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(401, schema=ErrorSchema)
def dashboard_overview(_args):
    """The network's tiles and every goal's approved figure, target and status over the range."""
    require_api("dashboard.overview")
    filters = current_filters()

    def payload() -> dict:
        data = overview_data(filters)
        return {"range": data["range"], "tiles": data["tiles"], "goals": data["goals"]}

    return json_response("overview", filters, payload)


@blp.route("/dashboard/goals/<code>")
@blp.arguments(DashboardArgs, location="query")
@blp.response(200, GoalDashboard)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def dashboard_goal(_args, code: str):
    """One goal over the range: the network, each province as a whole, and every member with its periods."""
    require_api("dashboard.goal")
    goal = get_goal(code)
    if goal is None or not goal.active:
        abort(404)
    filters = current_filters()

    def payload() -> dict:
        data = goal_data(goal, filters)
        return {key: data[key] for key in ("goal", "range", "network", "provinces", "members")}

    return json_response(f"goal:{goal.code}", filters, payload)


def json_response(kind: str, filters: Filters, payload) -> Response:
    """The answer as JSON text, itself cached (under the data version, like the data): a repeated
    request costs a cache read, not a serialisation of thousands of figures."""
    text = cached(f"api:{kind}", filters.key(), clock.today(),
                          lambda: json.dumps(payload(), ensure_ascii=False, separators=(",", ":")))
    return current_app.response_class(text, mimetype="application/json")
