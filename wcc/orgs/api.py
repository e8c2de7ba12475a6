"""``/api/v1/orgs``: the member directory."""

from __future__ import annotations

from flask import abort
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from wcc.api.common import ErrorSchema, LocalisedNames, PageArgs, require_api
from wcc.orgs.models import OrgKind
from wcc.orgs.queries import directory_query, get_by_code
from wcc.pagination import paginate

blp = Blueprint("api_orgs", __name__, url_prefix="/api/v1", description="Members of the union")


class OrgQueryArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in OrgKind]))
    parent = fields.String(metadata={"description": "Code of the parent organisation"},
                           validate=validate.Length(max=40))
    q = fields.String(validate=validate.Length(max=100))


class DesignationSchema(Schema):
    year = fields.Integer()
    kind = fields.String(metadata={"enum": ["city", "village"]})
    craft = fields.Nested(LocalisedNames)


class OrgSchema(Schema):
    code = fields.String()
    kind = fields.String()
    settlement = fields.String(allow_none=True)
    parent = fields.String(allow_none=True)
    names = fields.Nested(LocalisedNames)
    country = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    wcc_designation = fields.Nested(DesignationSchema, allow_none=True)
    active = fields.Boolean()


class OrgListSchema(Schema):
    items = fields.List(fields.Nested(OrgSchema))
    total = fields.Integer()


def org_payload(org, parent_code: str | None) -> dict:
    designation = None
    if org.wcc_year:
        designation = {"year": org.wcc_year, "kind": org.settlement or "city",
                       "craft": {"fa": org.wcc_craft_fa, "en": org.wcc_craft_en, "ru": org.wcc_craft_ru}}
    return {
        "code": org.code, "kind": org.kind, "settlement": org.settlement, "parent": parent_code,
        "names": {"fa": org.name_fa, "en": org.name_en, "ru": org.name_ru},
        "country": org.country, "latitude": org.latitude, "longitude": org.longitude,
        "wcc_designation": designation, "active": org.active,
    }


@blp.route("/orgs")
@blp.arguments(OrgQueryArgs, location="query")
@blp.response(200, OrgListSchema)
@blp.alt_response(401, schema=ErrorSchema)
def list_orgs(args):
    """Active organisations, filtered by kind and parent code, in code order."""
    require_api("org.list")
    parent = None
    if args.get("parent"):
        parent = get_by_code(args["parent"])
        if parent is None:
            return {"items": [], "total": 0}
    stmt = directory_query(kind=args.get("kind"), parent=parent, q=args.get("q"))
    page = paginate(stmt, args["page"], args["per_page"])
    return {"items": [org_payload(org, parent_code) for org, parent_code in page.items],
            "total": page.total}


@blp.route("/orgs/<code>")
@blp.response(200, OrgSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_org(code):
    """One organisation by code."""
    org = get_by_code(code[:40])
    if org is None:
        abort(404)
    require_api("org.view", org)
    return org_payload(org, org.parent.code if org.parent else None)
