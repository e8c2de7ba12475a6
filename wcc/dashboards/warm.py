"""Keeping recently read dashboard answers warm after a report change.

Every dashboard answer read through a request is noted in a small registry in
the cache (what was asked: the kind of answer and its query string, so a default
range is worked out again). After a commit that moved figures (an approval, a
reopening, a correction), ``wcc.jobs`` runs ``warm_recent`` once the transaction
has committed (an RQ worker with Redis, in-process after the request otherwise):
it asks again for every answer read in the last ``RECENT_SECONDS``, so those the
change invalidated are computed now and the next reader finds them warm; the
others are cache hits and cost nothing.

A burst of changes warms each answer once rather than once per change: a job
finds out whether a warm run started after its change was committed, and then
stops (that run already read the change).
"""

from __future__ import annotations

import secrets
import time

from flask import g, has_request_context, request

#: The registry of recently read answers: {(kind, code, args): when last read}.
RECENT_KEY = "dash:recent-reads"
#: An answer read within this long is kept warm.
RECENT_SECONDS = 3600
#: The registry keeps at most this many answers (the most recently read).
RECENT_MAX = 200
#: A process notes a repeated read of the same answer at most this often (a warm read costs no write).
NOTE_SECONDS = 60
#: A token naming the registry: a process's note of a read holds the registry it went into.
TOKEN_KEY = "dash:recent-reads-token"
#: When the latest warm run started (seconds since the epoch).
STARTED_KEY = "dash:warm-started"

#: The query arguments that choose an answer (``wcc.dashboards.filters`` and the goal API's ``include``).
ARGS = ("period_from", "period_to", "province", "theme", "category", "craft", "goal", "period", "include")

_noted: dict[tuple, tuple[float, str | None]] = {}


def note_read(kind: str, code: str = "") -> None:
    """Note that the current request read the answer ``kind`` (of goal or organisation ``code``)."""
    if not has_request_context() or g.get("dashboard_warming"):
        return
    from wcc.extensions import cache

    args = tuple(sorted((k, v) for k, v in request.args.items() if k in ARGS and v))
    recipe = (kind, code, args)
    now = time.time()
    token = cache.get(TOKEN_KEY)
    noted_at, noted_in = _noted.get(recipe, (0.0, None))
    if now - noted_at < NOTE_SECONDS and token is not None and token == noted_in:
        return  # noted lately into the registry that is still there (an emptied cache loses it)
    registry = cache.get(RECENT_KEY) if token is not None else None
    if registry is None:
        registry, token = {}, secrets.token_hex(8)
        cache.set(TOKEN_KEY, token, timeout=RECENT_SECONDS)
    registry = {r: t for r, t in registry.items() if now - t < RECENT_SECONDS}
    registry[recipe] = now
    if len(registry) > RECENT_MAX:
        registry = dict(sorted(registry.items(), key=lambda item: item[1])[-RECENT_MAX:])
    cache.set(RECENT_KEY, registry, timeout=RECENT_SECONDS)
    if len(_noted) > 4 * RECENT_MAX:
        _noted.clear()
    _noted[recipe] = (now, token)


def request_warm() -> None:
    """Warm the recently read answers once the current transaction commits (called with a change)."""
    from wcc import jobs
    from wcc.extensions import cache, db

    if not cache.get(RECENT_KEY):
        return  # no dashboard read lately: nothing to keep warm
    pending = db.session().info.get(jobs.PENDING_KEY, [])
    if any(func == JOB for func, _args, _retry in pending):
        return  # one run per transaction, however many reports it changed
    jobs.enqueue(JOB, time.time())


JOB = "wcc.dashboards.warm.warm_recent"


def warm_recent(changed_at: float) -> int:
    """Compute again every recently read answer that is no longer cached; returns how many were read.

    Skipped when a warm run started after ``changed_at`` (it read this change already).
    """
    from wcc.extensions import cache

    started = time.time()
    if (cache.get(STARTED_KEY) or 0.0) > changed_at:
        return 0
    cache.set(STARTED_KEY, started, timeout=RECENT_SECONDS)
    g.dashboard_warming = True
    registry = {r: t for r, t in (cache.get(RECENT_KEY) or {}).items() if started - t < RECENT_SECONDS}
    done = 0
    for kind, code, args in sorted(registry, key=lambda r: -registry[r]):
        done += _warm(kind, code, dict(args))
    return done


def _warm(kind: str, code: str, args: dict) -> int:
    from sqlalchemy import select

    from wcc.dashboards import api, data
    from wcc.dashboards.filters import FilterError, parse_filters
    from wcc.extensions import db
    from wcc.goals.queries import get_goal
    from wcc.orgs.models import Organisation
    from wcc.periods import clock

    try:
        filters = parse_filters(args, clock.today())
    except FilterError:
        return 0
    if kind in ("overview", "api-overview"):
        data.overview_data(filters)
        if kind == "api-overview":
            api.overview_json(filters)
        return 1
    if kind in ("goal", "api-goal", "public"):
        goal = get_goal(code)
        if goal is None or not goal.active:
            return 0
        if kind == "goal":
            data.goal_data(goal, filters, member_periods=False, area_periods=False)
        elif kind == "public":
            data.public_data(goal, filters)
        else:
            api.goal_json(data.GoalKey.of(goal), filters, args.get("include") == "periods")
        return 1
    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None or not org.active:
        return 0
    if kind == "province":
        data.province_data(org, filters)
    elif kind == "member":
        data.member_data(org, filters)
    else:
        return 0
    return 1
