"""The demo's World Craft City designations: one per designated member of the reference data."""

from __future__ import annotations

from collections.abc import Iterator

from wcc.designations.services import ensure_designations


def seed_designations() -> Iterator[str]:
    for designation in ensure_designations():
        yield designation.org.code
