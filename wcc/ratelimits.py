"""Rate limits per caller on what costs the most: uploads (pages and API), API writes and exports.

A caller is a bearer token (each token its own budget), else a signed-in user, else an
address. Limits live where Flask-Limiter keeps its counters (Redis when configured, so
every worker shares them). A caller over the limit gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import functools
import math
import time

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from wcc.shared import redis_down

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _caller() -> str:
    if g.get("api_token_key"):
        return f"token:{g.api_token_key}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr}"


def _is_export() -> bool:
    path = request.path
    return request.method == "GET" and (path.endswith((".csv", ".xlsx")) or "/export" in path)


def _budget() -> tuple[str, int] | None:
    config = current_app.config
    if request.method in WRITE_METHODS and request.mimetype == "multipart/form-data" \
            and any(f.filename for f in request.files.values()):
        return "upload", config["UPLOADS_PER_MINUTE"]
    if request.path.startswith("/api/") and request.method in WRITE_METHODS:
        return "api-write", config["API_WRITES_PER_MINUTE"]
    if _is_export():
        return "export", config["EXPORTS_PER_MINUTE"]
    return None


def check_rate_limits():
    """Before each request: refuse with 429 once the caller has spent this minute's budget."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    budget = _budget()
    if budget is None:
        return None
    name, per_minute = budget
    from wcc.extensions import limiter

    item = RateLimitItemPerMinute(per_minute)
    caller = _caller()
    counters = limiter.limiter
    try:
        allowed = counters.hit(item, name, caller)
    except RedisError as exc:  # Redis is down: count in this process until it is back
        redis_down(exc)
        counters = _process_counters()
        allowed = counters.hit(item, name, caller)
    if allowed:
        return None
    reset_at, _remaining = counters.get_window_stats(item, name, caller)
    retry = max(1, math.ceil(reset_at - time.time()))
    from wcc.errors import error_response

    response = error_response(429, _("Too many requests. Try again in %(seconds)s seconds.", seconds=retry))
    if isinstance(response, tuple):
        body, status = response
        return body, status, {"Retry-After": str(retry)}
    response.headers["Retry-After"] = str(retry)
    return response


@functools.cache
def _process_counters() -> FixedWindowRateLimiter:
    """Counters of this process alone, used while the shared ones (Redis) do not answer."""
    return FixedWindowRateLimiter(MemoryStorage())
