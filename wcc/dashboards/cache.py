"""The dashboards' cache: computed figures kept per dashboard, filter set and day, under the versions
of the data they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Scope:
    """What an answer reads: the reports of ``goal_ids`` (None: of every goal) in ``years``.

    A change to a report of goal G in year Y moves the versions of (G, Y) and
    (any goal, Y) only (``wcc.dashboards.rollups.report_cells``), so answers of
    other goals or years stay cached.
    """

    goal_ids: tuple[int, ...] | None
    years: tuple[int, ...]
    #: Also the level goals' reports of every year before this one (the bases of pages over every goal).
    levels_before: int | None = None

    def cells(self) -> list[tuple[int, int]]:
        from wcc.dashboards.rollups import ANY, LEVELS

        goals = self.goal_ids if self.goal_ids is not None else (ANY,)
        return [(g, y) for g in goals for y in self.years] + ([(LEVELS, ANY)] if self.levels_before else [])

    def fingerprint(self, versions: dict) -> str:
        from wcc.dashboards.rollups import LEVELS

        parts = []
        for cell in sorted(versions):
            value = versions[cell]
            if cell[0] == LEVELS:  # every year's levels cell: only those before the range count
                value = [pair for pair in value if pair[0] < self.levels_before]
            parts.append(f"{cell[0]}:{cell[1]}:{value}")
        return ",".join(parts)


def cached(kind: str, filters_key: str, today: date, compute, *, memo: bool = False, scope: Scope | None = None):
    """``compute()``'s result, cached per dashboard, filter set and day under the data versions.

    Target, goal and organisation changes bump the data version, and report
    changes the versions of their goal and year, in their own transaction, so a
    cached figure never outlives the numbers it came from. ``scope`` says which
    goals and years the answer reads; without one it is moved by any report
    change. The day is part of the key because statuses depend on it.
    ``memo`` also keeps the value in this process (for small values asked on
    every request): safe with many workers, as the key holds the versions.
    """
    import hashlib

    from wcc.dashboards.rollups import ANY, data_version, scope_versions
    from wcc.extensions import cache

    scope = scope if scope is not None else Scope(None, (ANY,))
    versions = scope_versions(scope.cells())  # first: it reads the data version along, when it must ask the database
    version = data_version()
    moved = scope.fingerprint(versions)
    raw = f"{version}|{moved}|{today.isoformat()}|{kind}|{filters_key}"
    key = "dash:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    memo = memo and version != 0  # 0: no version drawn yet, so it names no particular data
    if memo and key in _MEMO:
        return _MEMO[key]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=CACHE_SECONDS)
    if memo:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = value
    return value


#: Small values kept per process by ``cached(memo=True)``, keyed like the shared cache.
_MEMO: dict[str, object] = {}


def per_version(kind, compute, *, large: bool = False):
    """``compute()``'s result under the key ``kind``, kept in this process while the data version stays
    as it is: for small things that only organisation, goal and target changes move and that are read
    on every request (the organisations' directory, a goal's ``GoalKey``, the provinces' targets as a
    whole), never report figures. Those changes bump the data version in their own transaction, as
    for ``cached``; the version is read before ``compute`` runs, so a value is never kept under a
    version newer than its data. The value is shared: callers must not change it. ``large`` values
    (every member's targets of a goal, a few hundred KB) are kept fewer at a time."""
    from flask import current_app

    from wcc.dashboards.rollups import data_version

    version = data_version()
    if version == 0:  # no version drawn yet: it names no particular data
        return compute()
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], kind, version)
    store, size = (_PER_VERSION_LARGE, PER_VERSION_LARGE_SIZE) if large else (_PER_VERSION, PER_VERSION_SIZE)
    value = store.get(key)
    if value is None:  # (a None result is not kept: it is computed again)
        if len(store) >= size:
            store.pop(next(iter(store)), None)  # the oldest
        value = store[key] = compute()
    return value


_PER_VERSION: dict[tuple, object] = {}
_PER_VERSION_LARGE: dict[tuple, object] = {}
#: Every member's targets of the goals read lately (over 13 years, up to 2 MB each when no two members
#: share their yearly targets; a worker serving every dashboard is measured in docs/PERFORMANCE.md).
PER_VERSION_LARGE_SIZE = 4
#: The directory, the goals' keys and provinces' targets of the ranges read lately: each a few KB.
PER_VERSION_SIZE = 128


MEMO_SIZE = 64


#: Entries are keyed by data version, so they only expire to free memory.
CACHE_SECONDS = 6 * 3600
