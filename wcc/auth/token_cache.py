"""Who a bearer token belongs to, remembered briefly in the shared cache (Redis).

API clients poll: without this every request would look the token up by its hash
first. With Redis configured (and only then: a per-process cache could not be told
about a change made by another worker) the answer is kept for ``SECONDS``, under a
*generation* number that moves on after every committed change to a user, an
organisation or a token. A revoked token, a deactivated user or organisation,
a changed role: the next request reads the database again. A reader that
loaded old rows just before such a commit stores them under the old
generation, which nobody asks for any more.

What is kept is only what a request needs to find its user: the user's id, the
token's id and when the entry stops being trusted, as JSON - never a row, never
the password hash, never a pickle (a value read back from Redis is parsed as data,
not run as code). The user and their organisation are then read by primary key,
or taken from what this process last read of them under the same generation
(``kept_user``): nothing about them can have changed since, so a polling client's
request then needs no database read at all.
While Redis does not answer, every request reads the database.
"""

from __future__ import annotations

import json
import secrets
import time

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from wcc.extensions import cache
from wcc.shared import redis_down

SECONDS = 60
GENERATION_KEY = "auth:generation"
_WATCHED = {"users", "organisations", "api_tokens"}


def _shared():
    """The shared cache when it lives in Redis (with WCC_REDIS_URL); a process-local cache would not
    see another worker's revocations, so tokens are then read from the database every time."""
    if not current_app.config.get("REDIS_URL") or not hasattr(cache.cache, "_write_client"):
        return None
    return cache


def _key(token_hash: str) -> str | None:
    shared = _shared()
    if shared is None:
        return None
    generation = shared.get(GENERATION_KEY)
    if generation is None:
        # Started anywhere, not at 0: after Redis lost its data the count must not come back to
        # a generation a worker still keeps users under.
        shared.add(GENERATION_KEY, secrets.randbelow(2**52), timeout=0)
        generation = shared.get(GENERATION_KEY)
    return f"auth:{generation}:{token_hash}"


def _client():
    """The shared cache's Redis client and key prefix (the cache's own ``set`` would pickle)."""
    backend = cache.cache
    return backend._write_client, backend._get_prefix()


def lookup(token_hash: str) -> tuple[tuple[int, int] | None, str | None]:
    """``(user id, token id)`` of a token remembered under the current generation (or None), and the
    key to ``remember`` it under (None without Redis). The key holds the generation read *before* the
    database is: rows read before a change are never filed under the generation after it."""
    key = _key(token_hash)
    if key is None:
        return None, None
    client, prefix = _client()
    try:
        raw = client.get(prefix + key)
    except RedisError as exc:
        redis_down(exc)
        return None, None
    if raw is None:
        return None, key
    try:
        entry = json.loads(raw)
        user_id, token_id, expires = int(entry["user_id"]), int(entry["token_id"]), float(entry["expires"])
    except (ValueError, TypeError, KeyError):
        return None, key
    if expires < time.time():
        return None, key
    return (user_id, token_id), key


def remember(key: str | None, token, user) -> None:
    """Keep ``{"user_id", "token_id", "expires"}`` (a Unix time) for ``SECONDS`` under ``key`` (from
    ``lookup``)."""
    if key is None:
        return
    entry = {"user_id": user.id, "token_id": token.id, "expires": int(time.time()) + SECONDS}
    client, prefix = _client()
    try:
        client.set(prefix + key, json.dumps(entry), ex=SECONDS)
    except RedisError as exc:
        redis_down(exc)


#: Users (with their organisation) this process read for a remembered token, by the token's key (which
#: names the generation), each with when it stops being trusted.
_users: dict[str, tuple[object, float]] = {}
USERS_KEPT = 1000


def kept_user(key: str):
    """The user (their organisation loaded) of the token remembered under ``key``, kept in this process
    for at most ``SECONDS``, detached: merge it into the request's session without loading
    (``Session.merge(user, load=False)``)."""
    user, until = _users.get(key, (None, 0.0))
    return user if until > time.monotonic() else None


def keep_user(key: str | None, user) -> None:
    """Keep ``user``, detached with their organisation loaded, for the token remembered under ``key``.
    Keys of older generations are never asked for again; they go when the store is full."""
    if key is None:
        return
    if len(_users) >= USERS_KEPT:
        _users.clear()
    _users[key] = (user, time.monotonic() + SECONDS)


def _after_flush(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(obj, "__tablename__", None) in _WATCHED for obj in changed):
        session.info["auth_changed"] = True


def _after_commit(session: Session) -> None:
    if session.info.pop("auth_changed", False):
        shared = _shared()
        if shared is not None:
            shared.cache.inc(GENERATION_KEY)


def init_token_cache() -> None:
    """Watch commits for changes to users, organisations and tokens (once per process)."""
    for name, hook in (("after_flush", _after_flush), ("after_commit", _after_commit)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
