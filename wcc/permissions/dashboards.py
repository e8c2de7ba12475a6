"""Rules for dashboards.

Every signed-in user sees the network's figures: the overview and every
goal's page show approved values only, and comparing is what the network is
for. A province's page (its members, their compliance, their initiatives) is
for the province's officers, the ministry and admins; a member's page for the
member, its province, the ministry and admins. Anyone, signed in or not, may
see a goal's public dashboard once an admin has opened it.
"""

from __future__ import annotations

from wcc.orgs.models import OrgKind
from wcc.permissions import rule
from wcc.permissions.helpers import OWN, is_province_officer, reads_everything, relation, sees_org_data


@rule("dashboard.overview", "dashboard.goal")
def _network_view(user, obj) -> bool:
    return True


@rule("dashboard.province")
def _province_page(user, province) -> bool:
    if province is None or province.kind != OrgKind.PROVINCE:
        return False
    if reads_everything(user):
        return True
    return is_province_officer(user) and relation(user, province) == OWN


@rule("dashboard.every_member", "dashboard.home")
def _every_member(user, obj) -> bool:
    """Admins and the ministry open every member's page; the network overview is their home page."""
    return reads_everything(user)


@rule("dashboard.missing")
def _missing_reports(user, obj) -> bool:
    """"Who has not reported": admins and the ministry for every member, a province's officers
    for the province's own members (the page lists only those)."""
    return reads_everything(user) or is_province_officer(user)


@rule("dashboard.member")
def _member_page(user, org) -> bool:
    if org is None or org.kind not in (OrgKind.PROVINCE, OrgKind.MUNICIPALITY):
        return False
    return sees_org_data(user, org)


@rule("dashboard.public_goal", anonymous=True)
def _public_goal(user, goal) -> bool:
    return bool(getattr(goal, "public_dashboard", False)) and goal.active
