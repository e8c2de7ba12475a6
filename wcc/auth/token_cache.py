"""Who a bearer token belongs to, remembered briefly in the shared cache (Redis).

API clients poll: without this every request would spend a database round trip
on the token, its user and their organisation before doing anything. With
Redis configured (and only then: a per-process cache could not be told about a
change made by another worker) the answer is kept for ``SECONDS``, under a
*generation* number that moves on after every committed change to a user, an
organisation or a token. A revoked token, a deactivated user or organisation,
a changed role: the next request reads the database again. A reader that
loaded old rows just before such a commit stores them under the old
generation, which nobody asks for any more.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from wcc.extensions import cache, db

SECONDS = 60
GENERATION_KEY = "auth:generation"
_WATCHED = {"users", "organisations", "api_tokens"}


def _shared():
    return cache if current_app.config.get("REDIS_URL") else None


def _columns(obj) -> dict[str, Any]:
    return {attr.key: getattr(obj, attr.key) for attr in obj.__mapper__.column_attrs}


def _key(token_hash: str) -> str | None:
    shared = _shared()
    if shared is None:
        return None
    generation = shared.get(GENERATION_KEY)
    if generation is None:
        generation = 0
        shared.add(GENERATION_KEY, generation, timeout=0)
    return f"auth:{generation}:{token_hash}"


def lookup(token_hash: str):
    """The cached token and user as persistent objects of this session, or (None, None)."""
    key = _key(token_hash)
    data = _shared().get(key) if key else None
    if data is None:
        return None, None
    from wcc.auth.models import ApiToken, User
    from wcc.orgs.models import Organisation

    objects = []
    for model, columns in ((Organisation, data["org"]), (User, data["user"]), (ApiToken, data["token"])):
        obj = model(**columns)
        make_transient_to_detached(obj)  # its attributes count as loaded, not as changes
        objects.append(db.session.merge(obj, load=False))
    org, user, token = objects
    # Loaded relationships, without history: nothing here is a change to flush.
    set_committed_value(user, "org", org)
    set_committed_value(token, "user", user)
    return token, user


def remember(token_hash: str, token, user) -> None:
    key = _key(token_hash)
    if key:
        _shared().set(key, {"org": _columns(user.org), "user": _columns(user), "token": _columns(token)},
                      timeout=SECONDS)


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
