"""Rules for progress reports.

Who may act is decided here, by role and by how the report's organisation
stands to the user's; whether the report's state allows the step is decided by
the workflow in ``wcc.reporting.services`` (wrong state → 409, not 403).

- Officers of the owning organisation (and admins) write, edit and submit.
- A province officer reviews (first-level approve or return) the reports of
  the province's municipalities.
- Admins approve, return and reopen.
- Nobody reviews or approves a report they wrote, changed or submitted.
- The ministry reads everything and changes nothing.
"""

from __future__ import annotations

from wcc.auth.models import Role
from wcc.orgs.models import OrgKind
from wcc.permissions import rule
from wcc.permissions.helpers import is_admin, is_province_of, manages_org_data, sees_org_data


@rule("report.list")
def _list_reports(user, obj) -> bool:
    # Every signed-in user may list; the list only holds what they may see.
    return True


@rule("report.view")
def _view_report(user, report) -> bool:
    return sees_org_data(user, report.org)


@rule("report.create")
def _create_report(user, org) -> bool:
    """``org`` is the organisation the report would belong to."""
    return org is not None and org.kind != OrgKind.NETWORK and manages_org_data(user, org)


@rule("report.edit", "report.submit")
def _write_report(user, report) -> bool:
    return manages_org_data(user, report.org)


@rule("report.review")
def _review_report(user, report) -> bool:
    if report.was_made_by(user):
        return False
    if is_admin(user):
        return report.org.kind == OrgKind.MUNICIPALITY
    return is_province_of(user, report.org)


@rule("report.approve")
def _approve_report(user, report) -> bool:
    return is_admin(user) and not report.was_made_by(user)


@rule("report.reopen")
def _reopen_report(user, report) -> bool:
    return is_admin(user)


@rule("report.return")
def _return_report(user, report) -> bool:
    if report.was_made_by(user):
        return False
    return is_admin(user) or is_province_of(user, report.org)


@rule("report.comment")
def _comment_on_report(user, report) -> bool:
    return user.role != Role.MINISTRY and sees_org_data(user, report.org)


@rule("report.review_queue")
def _review_queue(user, obj) -> bool:
    return user.role in (Role.ADMIN, Role.PROVINCE)


@rule("report.my_reporting")
def _my_reporting(user, obj) -> bool:
    """Only organisations that report have a "My reporting" page."""
    return user.role in (Role.PROVINCE, Role.MUNICIPALITY)
