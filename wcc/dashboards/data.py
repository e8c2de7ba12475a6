"""What each dashboard shows, cached: the loaders its page, its CSV files and the API share.

Each reads its data through one cached function of ``pages`` (under the data
version and the day), so a page, its CSV files and its API answer always hold
the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from wcc.dashboards import pages
from wcc.dashboards.cache import Scope, cached, per_version
from wcc.dashboards.filters import FilterError, Filters, parse_filters
from wcc.dashboards.initiatives import initiative_figures as count_initiatives
from wcc.dashboards.sql import reporting_members_stmt
from wcc.dashboards.warm import note_read
from wcc.errors import abort_with
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.goals.queries import get_goal
from wcc.periods import clock, parse_period
from wcc.reporting.progress import base_period


def current_filters() -> Filters:
    try:
        return parse_filters(request.args, clock.today())
    except FilterError as exc:
        abort_with(400, str(exc))


# --- what each answer reads, for the cache (``Scope``) --------------------------------------
# A page over every goal (overview, province, member) reads every goal's reports in its range: its
# figures, and the compliance counts, which count reports of any goal. It also compares with the
# network and the other provinces, so a change of any member moves it. Levels (rates, stocks) are
# judged from a base that may lie before the range: a goal's answers read the years from its base,
# pages over every goal the levels' reports of every year before their range.

def _years(filters: Filters, first_base: int | None) -> tuple[int, ...]:
    rng = filters.range
    first = min(rng.first.year, first_base) if first_base is not None else rng.first.year
    years = set(range(first, rng.last.year + 1))
    if filters.period:
        years.add(parse_period(filters.period).year)
    return tuple(sorted(years))


@dataclass(frozen=True)
class GoalKey:
    """What a goal's cached answers are found by, without loading the goal: its id and code, whether
    it is active, and (levels) the year its base may come from."""

    id: int
    code: str
    active: bool
    base_year: int | None

    @classmethod
    def of(cls, goal: Goal) -> GoalKey:
        return cls(goal.id, goal.code, goal.active, None if goal.is_additive else base_period(goal).year)


def goal_key(code: str) -> GoalKey | None:
    """The ``GoalKey`` of the goal ``code`` (None: there is none), kept in the process per data version
    (a goal's change moves it): a repeated read of a goal's answer asks the database for no goal."""
    code = code[:40].upper()

    def load() -> GoalKey | None:
        goal = get_goal(code)
        return None if goal is None else GoalKey.of(goal)

    return per_version(("goal", code), load)


def goal_scope(goal: Goal | GoalKey, filters: Filters) -> Scope:
    """A goal's answers read its own reports only (the network's and the provinces' included)."""
    key = goal if isinstance(goal, GoalKey) else GoalKey.of(goal)
    return Scope((key.id,), _years(filters, key.base_year))


def network_scope(filters: Filters) -> Scope:
    return Scope(None, _years(filters, None), levels_before=filters.range.first.year)


def overview_data(filters: Filters) -> dict:
    note_read("overview")
    today = clock.today()
    return cached("overview", filters.key(), today,
                  lambda: pages.overview(filters, today, initiatives=initiative_figures(filters)),
                  scope=network_scope(filters))


def goal_data(goal: Goal, filters: Filters, *, member_periods: bool = True, area_periods: bool = True) -> dict:
    """``pages.goal_dashboard``, cached. The goal page asks for neither members' nor provinces'
    periods (its charts draw the network's); the goal JSON for the provinces' always."""
    if not area_periods:
        note_read("goal", goal.code)
    today = clock.today()
    return cached(f"goal:{goal.code}:{member_periods}:{area_periods}", filters.key(), today,
                  lambda: pages.goal_dashboard(goal, filters, today, member_periods=member_periods,
                                               area_periods=area_periods),
                  scope=goal_scope(goal, filters))


def province_data(province, filters: Filters) -> dict:
    note_read("province", province.code)
    today = clock.today()
    return cached(f"province:{province.code}", filters.key(), today,
                  lambda: pages.province_dashboard(province, filters, today,
                                                     initiatives=initiative_figures(filters, province,
                                                                                    whole=True)),
                  scope=network_scope(filters))


def member_data(org, filters: Filters) -> dict:
    note_read("member", org.code)
    today = clock.today()
    return cached(f"member:{org.code}", filters.key(), today,
                  lambda: pages.member_dashboard(org, filters, today,
                                                   initiatives=initiative_figures(filters, org)),
                  scope=network_scope(filters))


def public_data(goal: Goal, filters: Filters) -> dict:
    note_read("public", goal.code)
    today = clock.today()
    return cached(f"public:{goal.code}", filters.range.key, today,
                  lambda: pages.public_goal_dashboard(goal, filters, today), scope=goal_scope(goal, filters))


def public_landing_data(filters: Filters) -> dict:
    today = clock.today()
    return cached("public-landing", f"{filters.range.key}|{filters.goal or ''}", today,
                  lambda: pages.public_landing(filters.range, today, filters.goal))


def initiative_figures(filters: Filters, org=None, *, whole: bool = False) -> dict:
    """Network pages count published initiatives; a province's or member's page (seen only by
    those who may read its drafts) counts all of its own, and lists the latest."""
    if org is None:
        return count_initiatives(filters)
    ids = list(db.session.scalars(reporting_members_stmt(org.id))) if whole else [org.id]
    return count_initiatives(filters, org_ids=ids, published_only=False, recent=12)
