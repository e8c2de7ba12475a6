"""WCC Network: the collaboration platform of the Union of World Craft Cities."""

from __future__ import annotations

import gc
import json
import logging
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request
from flask_login import current_user, user_logged_in
from werkzeug.exceptions import BadRequest

from wcc.assets import WccFlask, init_assets
from wcc.config import ROOT, load_config
from wcc.urls import register_converters


def settle_collector() -> None:
    """Tune Python's garbage collector for a process that serves requests (``app.py``, the bench):
    what is loaded by now lives as long as the process, so it is frozen out of every collection.
    Otherwise a full collection walks some 180,000 objects, about 100 ms inside whichever request
    triggers it (one cold goal page in thirty, measured: docs/PERFORMANCE.md). Collecting young
    objects less often saved a cold goal page another 2 ms but cost a worker 16 MB: not done."""
    gc.collect()
    gc.freeze()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides what the environment says (tests use it)."""
    app = WccFlask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    app.config.update(load_config())
    if config:
        app.config.update(config)
    configure_logging(app)
    trust_proxies(app)
    register_extensions(app)
    register_request_hooks(app)
    register_converters(app)
    register_blueprints(app)
    connect_signals(app)
    register_api(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def configure_logging(app: Flask) -> None:
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces each of its plugins at INFO on every start; only its
    # migration messages are worth reading.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # The PDF renderer's font subsetter narrates every font it cuts down.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def trust_proxies(app: Flask) -> None:
    """Behind ``WCC_TRUSTED_PROXIES`` proxies, the client's address and scheme come from the
    X-Forwarded-For/-Proto headers those proxies set; with none, those headers are ignored."""
    count = app.config.get("TRUSTED_PROXIES") or 0
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_extensions(app: Flask) -> None:
    # Imported here, not at module level: a package-level name ``db`` would
    # shadow the ``wcc.db`` module that migrations import.
    from wcc import models  # noqa: F401  (every model known to SQLAlchemy and Alembic)
    from wcc.db_events import configure_sqlite
    from wcc.extensions import babel, cache, compress, csrf, db, limiter, migrate

    db.init_app(app)
    configure_sqlite(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=_select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    compress.init_app(app)
    _configure_login(app)


def _select_locale() -> str:
    from wcc.i18n import select_locale

    return select_locale()


def _configure_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from wcc.auth.sessions import load_user_from_request, load_user_from_session
    from wcc.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session row does this job
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_request)
    from wcc.auth.sessions import TokenAwareSessionInterface

    app.session_interface = TokenAwareSessionInterface()


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def register_request_hooks(app: Flask) -> None:
    from wcc.api.common import refuse_anonymous_api
    from wcc.audit.services import write_pending_refusals
    from wcc.auth.sessions import remember_requested_language
    from wcc.auth.two_factor import enforce_enrolment
    from wcc.extensions import csrf
    from wcc.ratelimits import check_rate_limits

    @app.before_request
    def start_request() -> None:
        g.request_id = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        refuse_control_characters_in_query()
        if request.endpoint != "static":
            # Load the user first, before a view changes anything; whether someone is signed in
            # decides how the answer may be stored (``_private_answer``, after the commit).
            g.signed_in = current_user.is_authenticated
        if app.config.get("WTF_CSRF_ENABLED", True) and not g.get("auth_via_token"):
            csrf.protect()
        remember_requested_language()
        return enforce_enrolment() or refuse_anonymous_api() or check_rate_limits() or refuse_unreadable_json()

    # Refusals are audited once the request's own transaction has ended.
    app.teardown_request(write_pending_refusals)

    @app.after_request
    def finish_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if app.config.get("HSTS_SECONDS"):
            response.headers["Strict-Transport-Security"] = \
                f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"
        if _private_answer():
            # Nothing a signed-in person sees, no API answer, export or private file is kept
            # by a browser or a proxy: the next person at a shared computer must not find it.
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


def _private_answer() -> bool:
    """Whether the answer is for one person only: an API answer, or anything a signed-in person
    (signed in when the request came, or by it) sees. Read from the request's own notes: the user
    row has been expired by the request's commit, and asking it again would cost a query."""
    if request.endpoint == "static":
        return False
    return request.path.startswith("/api/") or bool(g.get("signed_in"))


@user_logged_in.connect
def _note_sign_in(_app, user, **_extra) -> None:
    if has_request_context():
        g.signed_in = True


def refuse_control_characters_in_query() -> None:
    """No query argument ever needs a NUL or other control character; refuse them early."""
    from flask_babel import gettext as _

    from wcc.errors import abort_with
    from wcc.i18n.text import has_control_characters

    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            abort_with(400, _("Remove the invisible control characters from this text."))


def refuse_unreadable_json() -> None:
    """A JSON body that Python's parser cannot read answers 400 like any other malformed JSON:
    numbers of more digits than Python converts (4300), nesting deeper than it recurses, and
    strings with lone surrogates (``"\\ud800"``: no text, and nothing a database can store).
    (The API's argument parser itself only expects syntax errors.)"""
    if request.method in ("GET", "HEAD") or not request.is_json:
        return
    data = request.get_data(cache=True)
    if not data:
        return
    try:
        json.dumps(json.loads(data), ensure_ascii=False).encode()  # a lone surrogate cannot be encoded
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        exc = BadRequest()
        exc.data = {"messages": {"json": ["Invalid JSON body."]}}
        raise exc from None


def register_blueprints(app: Flask) -> None:
    from wcc.audit.views import bp as audit_bp
    from wcc.auth.views import bp as auth_bp
    from wcc.dashboards.views import bp as dashboards_bp
    from wcc.designations.views import bp as designations_bp
    from wcc.documents.views import bp as documents_bp
    from wcc.goals.views import bp as goals_bp
    from wcc.home.views import bp as home_bp
    from wcc.initiatives.views import bp as initiatives_bp
    from wcc.notifications.views import bp as notifications_bp
    from wcc.orgs.views import bp as orgs_bp
    from wcc.reporting.views import bp as reporting_bp

    for blueprint in (home_bp, auth_bp, orgs_bp, audit_bp, initiatives_bp, goals_bp, reporting_bp, dashboards_bp,
                      notifications_bp, designations_bp, documents_bp):
        app.register_blueprint(blueprint)


def connect_signals(app: Flask) -> None:
    """Hooks that follow changes across areas: the dashboards' rollups follow the reports,
    the shared cache of token owners follows users, organisations and tokens, notifications
    follow reports, initiatives and targets; jobs queued in a transaction run after it commits."""
    from wcc.auth.token_cache import init_token_cache
    from wcc.dashboards.rollups import init_rollups
    from wcc.jobs import init_jobs
    from wcc.notifications.rules import connect as connect_notifications
    from wcc.notifications.services import init_retry_sweep

    init_rollups()
    init_token_cache()
    connect_notifications()
    init_retry_sweep(app)
    init_jobs(app)


def register_api(app: Flask) -> None:
    from wcc.api import init_api

    init_api(app)


def register_error_handlers(app: Flask) -> None:
    from wcc.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from wcc.templating import init_templating

    init_templating(app)
    from wcc.documents.pages import init_page_pdfs

    init_page_pdfs(app)


def register_cli(app: Flask) -> None:
    from wcc.cli import init_cli

    init_cli(app)
    init_assets(app)
