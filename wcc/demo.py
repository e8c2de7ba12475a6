"""``flask seed-demo``: the demo network, built in steps each area contributes.

Each step is a generator that yields a label per object it creates, so the
command can show progress; steps skip what already exists, so seeding twice
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from wcc.auth.demo import seed_users
from wcc.dashboards.demo import seed_rollups
from wcc.documents.demo import seed_translations
from wcc.goals.demo import seed_goals, seed_targets
from wcc.initiatives.demo import demo_count, seed_initiatives
from wcc.orgs.demo import seed_orgs
from wcc.reporting.demo import EXPECTED_REPORTS, seed_reports

SeedStep = tuple[str, Callable[[], Iterator[str]], int]

#: (name, step, expected number of objects for the progress bar)
SEED_STEPS: list[SeedStep] = [
    ("organisations", seed_orgs, 58),
    ("users", seed_users, 9),
    ("goals", seed_goals, 11),
    ("targets", seed_targets, 1200),
    ("initiatives", seed_initiatives, demo_count()),
    ("translations", seed_translations, 75),
    ("reports", seed_reports, EXPECTED_REPORTS),
    # Last: the dashboards' rollups are computed from everything seeded before.
    ("dashboards", seed_rollups, 0),
]
