"""Template globals and filters: formatting helpers, permissions, static assets."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, g, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from wcc.i18n import current_language, separator, text_direction
from wcc.i18n.formatting import format_date, format_datetime, format_number, format_percent, localise_digits
from wcc.i18n.numbers import readings
from wcc.i18n.text import BIDI_CONTROLS
from wcc.permissions import can

#: Each language by its own name, from CLDR («فارسی», "English", «Русский»).
LANGUAGE_NAMES = {code: Locale.parse(code).get_display_name(code).capitalize() for code in ("fa", "en", "ru")}
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year."""
    from flask import current_app

    path = Path(current_app.static_folder) / filename
    try:
        version = _file_hash(str(path), path.stat().st_mtime)
    except OSError:
        version = "0"
    return url_for("static", filename=filename, v=version)


@lru_cache(maxsize=8)
def _data_uri(path: str, mtime: float, mimetype: str) -> str:
    from urllib.parse import quote

    return f"data:{mimetype},{quote(Path(path).read_text(encoding='utf-8'))}"


def inline_asset(filename: str, mimetype: str = "image/svg+xml") -> str:
    """A small static file as a data: URL. The page's icon is written this way: browsers fetch
    icons late and drop the request when the page moves on, which costs a request for nothing."""
    from flask import current_app

    path = Path(current_app.static_folder) / filename
    return _data_uri(str(path), path.stat().st_mtime, mimetype)


def language_url(lang: str) -> str:
    """The current page in another language (the query string is kept). A page shown in answer to
    a form posted to an address that has no page of its own names its page in ``g.page_path``."""
    args = request.args.to_dict(flat=False)
    for carried in ("kept_uploads", "kept_form"):  # carried afresh from the form by static/js/wcc.js
        args.pop(carried, None)
    args["lang"] = [lang]
    return g.get("page_path", request.path) + "?" + urlencode(args, doseq=True)


def page_url(page: int) -> str:
    """The current list page with another page number, filters kept."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    args.pop("lang", None)
    return request.path + "?" + urlencode(args, doseq=True)


def user_text(value: str | None) -> Markup:
    """User-written text, escaped and isolated so bidi controls cannot reorder the page."""
    if value is None:
        return Markup("")
    return Markup('<bdi dir="auto">%s</bdi>') % BIDI_CONTROLS.sub("", str(value))


def init_templating(app: Flask) -> None:
    from wcc.notifications.views import unread_notifications

    app.jinja_env.globals.update(
        asset=asset_url,
        unread_notifications=unread_notifications,
        inline_asset=inline_asset,
        can=lambda action, obj=None: can(current_user, action, obj),
        current_language=current_language,
        text_direction=text_direction,
        language_url=language_url,
        page_url=page_url,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        role_label=_role_label,
        two_factor_pending=_two_factor_pending,
        number_readings=readings,
        sep=separator,
    )
    app.jinja_env.filters.update(
        number=format_number,
        percent=format_percent,
        date=format_date,
        datetime=format_datetime,
        digits=localise_digits,
        user_text=user_text,
        localised=lambda obj, field="name": _localised(obj, field),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.after_request
    def cache_fingerprinted_assets(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response


def _two_factor_pending() -> bool:
    """Whether the signed-in user must set up a second factor before using anything else."""
    from flask_login import current_user

    from wcc.auth.two_factor import must_enrol

    return must_enrol(current_user)


def _role_label(role: str) -> str:
    from wcc.auth.forms import ROLE_LABELS

    return str(ROLE_LABELS.get(role, role))


def _localised(obj, field: str = "name") -> str:
    """``obj.<field>_<lang>`` (or ``obj.<field>(lang)``) in the active language."""
    lang = current_language()
    attr = getattr(obj, field, None)
    if callable(attr):
        return attr(lang)
    return getattr(obj, f"{field}_{lang}", None) or getattr(obj, f"{field}_fa", "") or ""


__all__ = ["asset_url", "init_templating", "escape"]
