"""What each dashboard shows, cached: the loaders its page, its CSV files and the API share.

Each reads its data through one cached function of ``pages`` (under the data
version and the day), so a page, its CSV files and its API answer always hold
the same numbers.
"""

from __future__ import annotations

from flask import request

from wcc.dashboards import pages
from wcc.dashboards.cache import cached
from wcc.dashboards.filters import FilterError, Filters, parse_filters
from wcc.dashboards.initiatives import initiative_figures as count_initiatives
from wcc.dashboards.sql import reporting_members_stmt
from wcc.errors import abort_with
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.periods import clock


def current_filters() -> Filters:
    try:
        return parse_filters(request.args, clock.today())
    except FilterError as exc:
        abort_with(400, str(exc))


def overview_data(filters: Filters) -> dict:
    today = clock.today()
    return cached("overview", filters.key(), today,
                  lambda: pages.overview(filters, today, initiatives=initiative_figures(filters)))


def goal_data(goal: Goal, filters: Filters, *, member_periods: bool = True) -> dict:
    today = clock.today()
    return cached(f"goal:{goal.code}:{member_periods}", filters.key(), today,
                  lambda: pages.goal_dashboard(goal, filters, today, member_periods=member_periods))


def province_data(province, filters: Filters) -> dict:
    today = clock.today()
    return cached(f"province:{province.code}", filters.key(), today,
                  lambda: pages.province_dashboard(province, filters, today,
                                                     initiatives=initiative_figures(filters, province,
                                                                                    whole=True)))


def member_data(org, filters: Filters) -> dict:
    today = clock.today()
    return cached(f"member:{org.code}", filters.key(), today,
                  lambda: pages.member_dashboard(org, filters, today,
                                                   initiatives=initiative_figures(filters, org)))


def public_data(goal: Goal, filters: Filters) -> dict:
    today = clock.today()
    return cached(f"public:{goal.code}", filters.range.key, today,
                  lambda: pages.public_goal_dashboard(goal, filters, today))


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
