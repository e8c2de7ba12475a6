"""``/api/v1/dashboard``: the dashboards' figures as JSON, from the same cached queries as the pages."""

from __future__ import annotations

import orjson
from flask import abort, current_app, request
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from wcc.api.common import ErrorSchema, require_api
from wcc.dashboards.cache import Scope, cached
from wcc.dashboards.data import (
    GoalKey,
    current_filters,
    goal_data,
    goal_key,
    goal_scope,
    network_scope,
    overview_data,
)
from wcc.dashboards.filters import Filters
from wcc.dashboards.warm import note_read
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


class GoalArgs(DashboardArgs):
    include = fields.String(validate=validate.OneOf(["periods"]), metadata={
        "description": "periods: every member's approved value and target in each period of the range"})


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
    periods = fields.List(fields.Nested(PeriodFigure), metadata={"description": "Only with include=periods"})
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
    note_read("api-overview")
    return json_answer(lambda: overview_json(filters), "overview", filters, network_scope(filters))


@blp.route("/dashboard/goals/<code>")
@blp.arguments(GoalArgs, location="query")
@blp.response(200, GoalDashboard)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def dashboard_goal(args, code: str):
    """One goal over the range: the network, each province as a whole, and every member
    (with its value and target in each period of the range when ``include=periods``)."""
    require_api("dashboard.goal")
    key = goal_key(code)
    if key is None or not key.active:
        abort(404)
    filters = current_filters()
    note_read("api-goal", key.code)
    periods = args.get("include") == "periods"
    return json_answer(lambda: goal_json(key, filters, periods), f"goal:{key.code}:{periods}", filters,
                       goal_scope(key, filters))


def overview_json(filters: Filters) -> bytes:
    def payload() -> dict:
        data = overview_data(filters)
        return {"range": data["range"], "tiles": data["tiles"], "goals": data["goals"]}

    return json_text("overview", filters, payload, network_scope(filters))


def goal_json(key: GoalKey, filters: Filters, periods: bool) -> bytes:
    """The goal's answer as JSON text; the goal itself is loaded only when the answer is computed."""
    def payload() -> dict:
        data = goal_data(get_goal(key.code), filters, member_periods=periods)
        return {name: data[name] for name in ("goal", "range", "network", "provinces", "members")}

    return json_text(f"goal:{key.code}:{periods}", filters, payload, goal_scope(key, filters))


def json_text(kind: str, filters: Filters, payload, scope: Scope) -> bytes:
    """The answer as JSON text, itself cached (under the same versions as the data): a repeated
    request costs a cache read, not a serialisation of thousands of figures."""
    return cached(f"api:{kind}", filters.key(), clock.today(), lambda: dumps(payload()), scope=scope)


def json_answer(text, kind: str, filters: Filters, scope: Scope):
    """The response for the JSON ``text()`` (a cached answer): compressed with Brotli or gzip when the
    client accepts it, and the compressed bytes themselves cached under the same versions, so a
    repeated request sends a few KB without compressing a few hundred again."""
    encoding = request.accept_encodings.best_match(ENCODINGS) if request.accept_encodings else None
    if encoding is None:
        return current_app.response_class(text(), mimetype="application/json")
    body = cached(f"api:{kind}:{encoding}", filters.key(), clock.today(), lambda: _compress(text(), encoding),
                  scope=scope)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Encoding"] = encoding  # Flask-Compress leaves an encoded answer alone
    response.vary.add("Accept-Encoding")
    return response


#: What JSON answers are sent compressed with, best first (Flask-Compress's choice for pages).
ENCODINGS = ("br", "gzip")


def _compress(data: bytes, encoding: str) -> bytes:
    config = current_app.config
    if encoding == "br":
        import brotli

        return brotli.compress(data, quality=config.get("COMPRESS_BR_LEVEL", 4))
    import gzip

    return gzip.compress(data, compresslevel=config.get("COMPRESS_LEVEL", 6), mtime=0)


def dumps(value) -> bytes:
    """Compact UTF-8 JSON (orjson: several times faster than ``json`` on answers of thousands of figures)."""
    return orjson.dumps(value, default=float, option=orjson.OPT_NON_STR_KEYS)
