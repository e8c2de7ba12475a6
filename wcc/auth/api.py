"""``/api/v1/me``: who the token (or session) belongs to."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from wcc.api.common import ErrorSchema, require_user

blp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="The caller's own account")


class MeSchema(Schema):
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": ["admin", "ministry", "province", "municipality"]})
    org = fields.String(metadata={"description": "The code of the caller's organisation"})
    preferred_language = fields.String(allow_none=True)


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.alt_response(401, schema=ErrorSchema)
def me():
    """The signed-in user or the owner of the bearer token."""
    user = require_user()
    return {"email": user.email, "name": user.name, "role": user.role, "org": user.org.code,
            "preferred_language": user.preferred_language}
