"""Shared pieces for API endpoints: schemas, pagination, errors."""

from __future__ import annotations

from flask import abort as flask_abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from wcc.permissions import can, denied


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ErrorBody(Schema):
    code = fields.String(metadata={"description": "A stable machine-readable error code"})
    message = fields.String(metadata={"description": "A message in the caller's language"})
    details = fields.Dict(metadata={"description": "Field errors, where there are any"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody)


class LocalisedNames(Schema):
    fa = fields.String()
    en = fields.String()
    ru = fields.String()


def refuse_anonymous_api():
    """Before each request: an anonymous call to the API (but its description) answers 401
    before anything is looked up, so it says nothing about which ids exist."""
    from flask import request

    from wcc.errors import error_response

    if request.path.startswith("/api/") and request.path != "/api/v1/openapi.json" \
            and not current_user.is_authenticated:
        return error_response(401)
    return None


def require_user():
    """401 unless the request carries a valid bearer token or a signed-in session."""
    if not current_user.is_authenticated:
        flask_abort(401)
    return current_user


def require_api(action: str, obj=None, *, hide: bool = False):
    user = require_user()
    if not can(user, action, obj):
        denied(user, action, obj, 404 if hide else 403)
        flask_abort(404 if hide else 403)
    return user
