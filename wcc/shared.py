"""Redis is optional at run time: what the app keeps there falls back when it does not answer.

- The shared cache (dashboards' figures, the data version, token owners) answers
  "not cached" and forgets writes: every request reads the database instead.
- Rate limits fall back to counters in this process (see ``wcc.ratelimits``).
- Jobs that could not be queued run in this process after the request (``wcc.jobs``).

Nothing answers 500 because Redis is down; ``/healthz`` says ``"redis": "down"``.
Connections give up after ``REDIS_TIMEOUT_SECONDS`` so that a Redis that hangs
costs a request at most that long, and a failure is logged at most once a minute.
"""

from __future__ import annotations

import logging
import time

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5
_LOG_EVERY_SECONDS = 60.0
_last_logged = [0.0]


def redis_down(exc: Exception) -> None:
    """Note that Redis did not answer (logged at most once a minute)."""
    now = time.monotonic()
    if now - _last_logged[0] >= _LOG_EVERY_SECONDS:
        _last_logged[0] = now
        log.warning("Redis is not answering (%s); falling back to the database and this process", exc)


def _fallback(name: str, default):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except RedisError as exc:
            redis_down(exc)
            return default
    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    """Flask-Caching's Redis cache, answering like an empty cache while Redis is down."""

    get = _fallback("get", None)
    get_many = _fallback("get_many", [])
    get_dict = _fallback("get_dict", {})
    has = _fallback("has", False)
    set = _fallback("set", False)
    add = _fallback("add", False)
    set_many = _fallback("set_many", [])
    delete = _fallback("delete", False)
    delete_many = _fallback("delete_many", [])
    inc = _fallback("inc", None)
    dec = _fallback("dec", None)
    clear = _fallback("clear", False)

    @classmethod
    def factory(cls, app, config, args, kwargs):
        config.setdefault("CACHE_OPTIONS", {"socket_timeout": REDIS_TIMEOUT_SECONDS,
                                            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS})
        return super().factory(app, config, args, kwargs)


def redis_client(url: str):
    """A Redis client on ``url`` shared by this process (one connection pool, not a connection per
    call), with the short timeouts a web request can afford."""
    from redis import Redis

    client = _CLIENTS.get(url)
    if client is None:
        client = _CLIENTS[url] = Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                                socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
    return client


_CLIENTS: dict[str, object] = {}


def redis_status(url: str | None) -> str:
    """"ok", "down", or "off" (not configured), for /healthz."""
    if not url:
        return "off"
    try:
        redis_client(url).ping()
    except RedisError:
        return "down"
    return "ok"
