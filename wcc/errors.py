"""Error answers: a translated page for people, one JSON shape under /api/.

No stack trace ever reaches the client. A database that does not answer gives
503, so the app keeps running and recovers by itself when the database returns.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from wcc.extensions import db, login_manager

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You do not have permission to do this"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This conflicts with a change made in the meantime"),
    413: _l("The upload is too large"),
    415: _l("This kind of content is not accepted"),
    422: _l("Some of the values are not valid"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is temporarily unavailable"),
}

MESSAGES = {
    400: _l("Please check what you sent and try again."),
    401: _l("Sign in, or send a valid personal access token."),
    403: _l("Your role does not allow this. Ask the union secretariat if you need access."),
    404: _l("There is nothing at this address, or it is not visible to you."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Reload the page to see the latest version, then try again."),
    413: _l("Files must be smaller than the upload limit."),
    415: _l("Send JSON with the header Content-Type: application/json."),
    422: _l("Please correct the highlighted values."),
    429: _l("Please wait a little and try again."),
    500: _l("The error has been logged. Please try again later."),
    503: _l("The database is not answering. Please try again in a minute."),
}

CSRF_MESSAGE = _l("The form has expired or came from another page. Reload the page and try again.")


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == "/healthz"


def error_response(status: int, message: str | None = None, details: dict | None = None,
                   code: str | None = None):
    """The answer for an error ``status``: JSON under /api/, an HTML page elsewhere."""
    message = str(message or MESSAGES.get(status, TITLES.get(status, "")))
    if wants_json():
        body = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": message}}
        if details:
            body["error"]["details"] = details
        response = jsonify(body)
        response.status_code = status
        return response
    title = TITLES.get(status, _l("Error"))
    if request_ctx.url_adapter is None:
        # The request never got as far as routing (a Host that is not ours): no page links.
        return Response(f"{title}\n{message}\n", status=status, mimetype="text/plain")
    return render_template("errors/error.html", status=status, title=title, message=message,
                           details=details), status


def _validation_details(error: HTTPException) -> dict | None:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if not messages:
        return None
    # webargs nests by location ({"json": {...}}); callers care about the fields.
    if isinstance(messages, dict) and len(messages) == 1:
        (only,) = messages.values()
        if isinstance(only, dict):
            return only
    return messages


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return error_response(400, str(CSRF_MESSAGE), code="csrf_failed")

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            db.session.rollback()
        # Messages set on purpose by our own code (abort(409, message)) are shown;
        # Werkzeug's default English descriptions are replaced by translated ones.
        custom = getattr(error, "wcc_message", None)
        response = error_response(status, custom, _validation_details(error))
        if status == 429 or status == 503:
            retry = getattr(error, "retry_after", None)
            if retry and hasattr(response, "headers"):
                response.headers["Retry-After"] = str(retry)
        if status == 405 and isinstance(error.valid_methods, list | tuple | set):
            resp = response if hasattr(response, "headers") else None
            if resp is not None:
                resp.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(DataError)
    def handle_bad_value(error: DataError):
        # A value the database cannot store (out of range, NUL byte) slipped past
        # validation: the request was bad, the database is fine.
        log.warning("value refused by the database: %s", error.orig.__class__.__name__)
        db.session.rollback()
        return error_response(400)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def handle_database_down(error: Exception):
        log.warning("database error: %s", error.__class__.__name__)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone entirely
            pass
        # Render the page as anonymous: loading the user would ask the database again.
        g._login_user = login_manager.anonymous_user()
        return _with_retry(error_response(503), 30)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            pass
        return error_response(500)


def _with_retry(response, seconds: int):
    if isinstance(response, tuple):
        body, status = response
        return body, status, {"Retry-After": str(seconds)}
    response.headers["Retry-After"] = str(seconds)
    return response


def abort_with(status: int, message: str, details: dict | None = None):
    """Abort with a translated message shown to the user (and in the JSON error)."""
    exc = default_exceptions.get(status, InternalServerError)()
    exc.wcc_message = message
    if details:
        exc.data = {"messages": details}
    raise exc
