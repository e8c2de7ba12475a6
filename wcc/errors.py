"""Error answers, and the one error type services raise.

A service that refuses a change raises ``ServiceError``: a translated message,
the fields at fault and an HTTP status. A view that shows a form puts it on the
form with ``show_on_form``; anything else ends in ``init_error_handlers``: JSON
under /api/ (``error.details`` holds the fields, and for a 409 the version now
saved), a translated page elsewhere.

The database's own refusals are told apart: a row changed by someone else since
it was read (a lost race) and a unique constraint hit by a concurrent insert are
409; a value the column cannot hold is 400; a database that cannot be reached is
503, so the app keeps running and recovers by itself; anything else is a bug, a
500 logged with its traceback. No stack trace ever reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from wcc.extensions import login_manager

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A rule refused what was asked; nothing of the request is kept.

    ``message`` is translated and shown to the user. ``field`` names the input
    at fault (the message is shown next to it); ``fields`` maps several inputs to
    their messages. ``status`` is the HTTP answer: 422 for values that break a
    rule, 409 for a state or version that does not allow the change, 403 for a
    refusal that depends on who asks. ``current`` is the object as it is saved
    now, for a 409: the API shows its version (and, where the area registered one
    with ``register_current``, its whole representation).
    """

    def __init__(self, message: str, field: str | None = None, fields: dict[str, Any] | None = None,
                 status: int = 422, current: Any = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.fields = dict(fields or {})
        self.status = status
        self.current = current

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Every field at fault with its messages."""
        errors = {name: [str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
                  for name, msgs in self.fields.items()}
        if self.field:
            errors.setdefault(self.field, []).append(self.message)
        return errors

    def __str__(self) -> str:
        return self.message


def conflict(message: str, *, field: str | None = None, current: Any = None) -> ServiceError:
    """A 409: the state, the version or a unique value does not allow the change."""
    return ServiceError(message, field=field, status=409, current=current)


def show_on_form(form, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Put a ServiceError on a WTForms form: each message next to its field, the rest on top.

    ``aliases`` maps a service's field name to the form field that shows it. A field
    the form does not have (or ``version``, which is hidden) goes to the top.
    """
    placed = False
    for name, messages in error.field_errors.items():
        name = (aliases or {}).get(name, name)
        field = getattr(form, name, None) if name != "version" else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), *messages]
            placed = True
        else:
            form.form_errors.extend(messages)
            placed = placed or error.message in messages
    if not placed and error.message not in form.form_errors:
        form.form_errors.append(error.message)


#: type → callable giving the representation an API shows of what is saved now (a 409's ``current``).
_CURRENT_PAYLOADS: dict[type, Callable[[Any], dict]] = {}


def register_current(model: type, payload: Callable[[Any], dict]) -> None:
    _CURRENT_PAYLOADS[model] = payload


def _conflict_details(current: Any) -> dict:
    details: dict[str, Any] = {}
    version = getattr(current, "version", None)
    if version is not None:
        details["current_version"] = version
    payload = _CURRENT_PAYLOADS.get(type(current))
    if payload is not None:
        details["current"] = payload(current)
    return details


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
    return request.path.startswith(API_PREFIX) or request.path in ("/healthz", "/readyz")


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


def database_unreachable(error: DBAPIError) -> bool:
    """Whether ``error`` means the database cannot be reached (rather than a refused statement)."""
    if isinstance(error, InterfaceError) or error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    orig = error.orig
    if type(orig).__module__.startswith("sqlite3"):
        text = str(orig).lower()
        return any(part in text for part in ("unable to open", "database is locked", "disk i/o",
                                             "readonly database", "disk is full"))
    sqlstate = getattr(orig, "sqlstate", None)
    # No SQLSTATE: the server never answered (refused, timed out). Class 08 is a broken
    # connection, 57P an administrator's shutdown, 53 a server out of resources.
    return sqlstate is None or sqlstate.startswith(("08", "57P", "53"))


def unique_violation(error: IntegrityError) -> bool:
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    return "unique constraint failed" in str(orig).lower()


def init_error_handlers(app: Flask) -> None:
    from wcc.transaction import end_transaction, roll_back

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        roll_back()
        return error_response(400, str(CSRF_MESSAGE), code="csrf_failed")

    @app.errorhandler(ServiceError)
    def handle_service_error(error: ServiceError):
        roll_back()
        details = error.field_errors or {}
        if error.status == 409 and error.current is not None and wants_json():
            details = {**details, **_conflict_details(error.current)}
        return error_response(error.status, error.message, details or None)

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        # A refusal may have to keep what it recorded (a failed sign-in, a rate limit hit).
        end_transaction(status)
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

    @app.errorhandler(StaleDataError)
    def handle_lost_race(error: StaleDataError):
        # Another request changed the row between our read and our write.
        log.info("lost a race on %s %s: %s", request.method, request.path, error)
        roll_back()
        return error_response(409)

    @app.errorhandler(IntegrityError)
    def handle_integrity(error: IntegrityError):
        roll_back()
        if unique_violation(error):
            log.info("unique constraint on %s %s: %s", request.method, request.path, error.orig)
            return error_response(409, _("This was just created by another request. Reload the page to "
                                         "see it."))
        return _programming_error(error)

    @app.errorhandler(DataError)
    def handle_bad_value(error: DataError):
        # A value the database cannot store (out of range, NUL byte) slipped past
        # validation: the request was bad, the database is fine.
        log.warning("value refused by the database: %s", error.orig.__class__.__name__)
        roll_back()
        return error_response(400)

    @app.errorhandler(DBAPIError)
    def handle_database_error(error: DBAPIError):
        roll_back()
        if not database_unreachable(error):
            return _programming_error(error)
        log.warning("database unreachable on %s %s: %s", request.method, request.path, error.orig)
        # Render the page as anonymous: loading the user would ask the database again.
        g._login_user = login_manager.anonymous_user()
        return _with_retry(error_response(503), 30)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        roll_back()
        return _programming_error(error)


def _programming_error(error: Exception):
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
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
