"""The one place that answers "may this user do this to that?".

Every view and API endpoint asks ``can(user, action, obj)`` (or ``require``)
before it loads more than it needs or changes anything. Rules live in the
modules of this package, one per area, registered with ``@rule``; an action
nobody registered is a programming error and raises ``KeyError``.

Ownership is always judged by organisation: a user acts for one organisation,
sees its own organisation's objects, a province sees its municipalities'
("child") objects, and the ministry and admins see everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import Forbidden, NotFound

RuleFn = Callable[[Any, Any], bool]

_RULES: dict[str, tuple[RuleFn, bool]] = {}


def rule(*actions: str, anonymous: bool = False) -> Callable[[RuleFn], RuleFn]:
    """Register ``fn(user, obj) -> bool`` as the rule for ``actions``.

    Rules are only asked about active, signed-in users unless ``anonymous`` is
    set, in which case they also receive anonymous users.
    """

    def register(fn: RuleFn) -> RuleFn:
        for action in actions:
            if action in _RULES:
                raise ValueError(f"two rules for {action!r}")
            _RULES[action] = (fn, anonymous)
        return fn

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` to ``obj``. Raises KeyError for unknown actions."""
    fn, anonymous = _RULES[action]
    signed_in = bool(user is not None and user.is_authenticated and user.is_active)
    if not signed_in and not anonymous:
        return False
    return bool(fn(user, obj))


def require(user: Any, action: str, obj: Any = None, *, hide: bool = False) -> None:
    """Raise 403 (or 404 when ``hide``: the object's existence is private) unless allowed.

    Every refusal is logged and audited (``wcc.audit.services.record_access_denied``).
    """
    if not can(user, action, obj):
        denied(user, action, obj, 404 if hide else 403)
        raise NotFound() if hide else Forbidden()


def denied(user: Any, action: str, obj: Any, status: int) -> None:
    from wcc.audit.services import record_access_denied

    record_access_denied(user, action, obj, status)


def registered_actions() -> list[str]:
    return sorted(_RULES)


# Rule modules register themselves on import.
from wcc.permissions import dashboards as _dashboards  # noqa: E402,F401
from wcc.permissions import documents as _documents  # noqa: E402,F401
from wcc.permissions import goals as _goals  # noqa: E402,F401
from wcc.permissions import initiatives as _initiatives  # noqa: E402,F401
from wcc.permissions import notifications as _notifications  # noqa: E402,F401
from wcc.permissions import orgs as _orgs  # noqa: E402,F401
from wcc.permissions import reporting as _reporting  # noqa: E402,F401
