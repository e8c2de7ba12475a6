"""``flask seed-demo``: the demo network, built in steps each area contributes.

Each step is a generator that yields a label per object it creates, so the
command can show progress; steps skip what already exists, so seeding twice
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from wcc.auth.demo import seed_users
from wcc.dashboards.demo import seed_rollups
from wcc.designations.demo import seed_designations
from wcc.documents.demo import seed_translations
from wcc.goals.demo import seed_goals, seed_targets
from wcc.initiatives.demo import demo_count, seed_initiatives
from wcc.notifications.services import quiet
from wcc.orgs.demo import seed_orgs
from wcc.reporting.demo import EXPECTED_REPORTS, seed_reports

SeedStep = tuple[str, Callable[[], Iterator[str]], int]


def _quietly(step: Callable[[], Iterator[str]]) -> Callable[[], Iterator[str]]:
    """The step with notifications off: the demo network's history is not news to anyone."""

    def run() -> Iterator[str]:
        with quiet():
            yield from step()

    run.__name__ = step.__name__
    return run


#: (name, step, expected number of objects for the progress bar)
SEED_STEPS: list[SeedStep] = [
    ("organisations", _quietly(seed_orgs), 58),
    ("users", _quietly(seed_users), 9),
    ("goals", _quietly(seed_goals), 11),
    ("targets", _quietly(seed_targets), 1200),
    ("initiatives", _quietly(seed_initiatives), demo_count()),
    ("translations", _quietly(seed_translations), 75),
    ("reports", _quietly(seed_reports), EXPECTED_REPORTS),
    ("designations", _quietly(seed_designations), 14),
    # Last: the dashboards' rollups are computed from everything seeded before.
    ("dashboards", _quietly(seed_rollups), 0),
]
