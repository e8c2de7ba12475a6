"""Seed step: fill the dashboards' rollups from the demo reports (inserted in bulk, past the hooks)."""

from __future__ import annotations

from collections.abc import Iterator

from wcc.dashboards.rollups import rebuild


def seed_rollups() -> Iterator[str]:
    """Creates no objects of its own: it recomputes the rollups, so it yields nothing."""
    rebuild()
    yield from ()
