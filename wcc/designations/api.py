"""``/api/v1/designations``: World Craft City designations and their activity reports."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from wcc.api.common import ErrorSchema, require_api
from wcc.designations.queries import designation_rows
from wcc.periods import today
from wcc.permissions import can

blp = Blueprint("api_designations", __name__, url_prefix="/api/v1",
                description="World Craft City designations and the activity reports they owe")

STATES = ["not_due", "due", "overdue", "received"]


class DesignationReportSchema(Schema):
    due = fields.Date(metadata={"description": "The day the report is due (ISO date)"})
    status = fields.String(metadata={"enum": STATES})
    years_after = fields.Integer(allow_none=True, metadata={"description": "2 or 4; null for added dates"})
    received_on = fields.Date(allow_none=True)


class DesignationItemSchema(Schema):
    org = fields.String(metadata={"description": "Organisation code"})
    designated_on = fields.Date(metadata={"description": "Day of designation (ISO date)"})
    date_confirmed = fields.Boolean(metadata={"description": "False while only the year is known"})
    reports = fields.List(fields.Nested(DesignationReportSchema))


class DesignationListSchema(Schema):
    items = fields.List(fields.Nested(DesignationItemSchema))
    total = fields.Integer()


@blp.route("/designations")
@blp.response(200, DesignationListSchema)
@blp.alt_response(401, schema=ErrorSchema)
def list_designations():
    """Every designated member the caller may see, oldest designation first."""
    user = require_api("designation.list")
    rows = designation_rows(today(), visible=lambda d: can(user, "designation.view", d))
    items = [{"org": row.designation.org.code, "designated_on": row.designation.designated_on,
              "date_confirmed": row.designation.date_confirmed,
              "reports": [{"due": r.report.due_on, "status": r.state, "years_after": r.report.years_after,
                           "received_on": r.report.received_on} for r in row.reports]}
             for row in rows]
    return {"items": items, "total": len(items)}
