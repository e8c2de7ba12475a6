"""What the signed-in user has to do next: the sections of the home page's to-do list.

Which sections a user has follows the policy (``wcc.permissions``) and the
workflow table (``wcc.reporting.workflow``): an organisation that reports has
its returned, overdue and due reports and its drafts (due dates from
``wcc.periods``); whoever the table lets review or approve has the reports
waiting for that step; everybody has their unread notifications. A fixed
number of queries whatever the data: three for the organisation's reports,
one per waiting step, one for the notifications.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g

from wcc.periods import clock
from wcc.permissions import can
from wcc.reporting.models import ProgressReport
from wcc.reporting.queries import Overview, decision_steps, reporting_overview, waiting_for

#: The most reports a "waiting for" section lists (its count and link tell the rest).
SHOWN = 10


@dataclass
class Waiting:
    """Reports waiting for the user to take ``step`` (review or approve)."""

    step: str
    count: int
    reports: list[ProgressReport] = field(default_factory=list)


@dataclass
class ToDo:
    #: The user's organisation's reports, when it reports (None otherwise).
    reporting: Overview | None
    waiting: list[Waiting]
    unread: int

    @property
    def total(self) -> int:
        """Everything that asks for the user's action, for the page's heading."""
        own = 0
        if self.reporting is not None:
            own = self.reporting.action_count
        return own + sum(w.count for w in self.waiting) + self.unread


def to_do(user, unread: int) -> ToDo:
    """The user's to-do list (``unread``: their unread notifications, counted by the caller)."""
    reporting = None
    if can(user, "report.my_reporting"):
        reporting = reporting_overview(user.org, clock.today())
        g.reporting_overview = reporting  # the navigation's counts read it too
    waiting = []
    if can(user, "report.review_queue"):
        waiting = [Waiting(step, *waiting_for(user, step, SHOWN)) for step in decision_steps(user)]
    return ToDo(reporting, waiting, unread)
