"""Languages: choosing the locale, and formatting numbers, dates and text for it."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale

RTL_LANGUAGES = {"fa"}


def select_locale() -> str:
    """``?lang=``, then the session's choice, then the user's preference, then
    Accept-Language, then fa.

    Signing in puts the user's preference into the session; a ``?lang=`` link changes
    the session's choice only (``remember_requested_language``), so the link a user
    clicks wins without a GET changing anything stored.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if g.get("locale_override") in languages:
        return g.locale_override
    requested = request.args.get("lang")
    if requested in languages:
        return requested
    if session.get("lang") in languages:
        return session["lang"]
    # Only a user already loaded for this request counts: loading one here would
    # touch the database while an error page (perhaps "database down") renders.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated and user.preferred_language in languages:
        return user.preferred_language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def separator() -> str:
    """What separates items on one line: the Persian comma in fa, where a middle dot reads as a
    Persian zero («۱ · ۹ خرداد» looks like «۱۰۹ خرداد»); a middle dot elsewhere."""
    return "، " if current_language() == "fa" else " · "


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"
