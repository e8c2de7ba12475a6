"""Rules for progress reports: who may take which step of the workflow.

Who may act is decided here, by role, by how the report's organisation stands
to the user's, and by what the user did to the report in its current round
(``wcc.reporting.contributors``); whether the report's state allows the step
is the workflow table's business (``wcc.reporting.workflow``: wrong state →
409, a refusal here → 403).

- Officers of the owning organisation (and admins) write, edit and submit.
- A province officer reviews (first-level approval) and returns the submitted
  reports of the province's municipalities. An admin reviews one only when
  the province has no active officer.
- Admins approve, return what awaits approval and reopen.
- Separation of duties: nobody reviews or returns a report they created,
  changed (value, narrative, evidence, linked initiatives) or submitted since
  it was last approved; nobody approves one they created, changed, submitted
  or reviewed in that time. Those refusals say why.
- The ministry reads everything and changes nothing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from wcc.orgs.models import OrgKind
from wcc.permissions import Refusal, rule
from wcc.permissions.helpers import (
    has_active_officer,
    is_admin,
    is_province_of,
    is_province_officer,
    manages_org_data,
    officer_of_reporting_org,
    reviewer_scope,
    sees_org_data,
)
from wcc.reporting.contributors import AUTHORED, contributions_of

REFUSALS = {
    "created": Refusal("created_it", _l("You created this report in its current round, so someone else "
                                        "decides on it.")),
    "changed": Refusal("changed_it", _l("You changed this report (its value, text, evidence or linked "
                                        "initiatives) since it was last approved, so someone else decides "
                                        "on it.")),
    "submitted": Refusal("submitted_it", _l("You submitted this report, so someone else decides on it.")),
    "reviewed": Refusal("reviewed_it", _l("You reviewed this report, so another administrator approves it.")),
    "province_reviews": Refusal("province_reviews", _l(
        "The province reviews its municipalities' reports. An administrator reviews one only when the "
        "province has no active officer.")),
    "not_reviewed": Refusal("not_reviewed", _l("Only municipalities' reports are reviewed by a province; a "
                                               "province's reports go straight to the secretariat.")),
}
# The order in which a refusal names the reason, when there are several.
_ORDER = ("reviewed", "submitted", "changed", "created")


def _separation(user, report, barred: frozenset[str] | set[str]):
    """True unless the user contributed to the report's current round in one of the ``barred`` ways."""
    done = contributions_of(report, user) & barred
    for kind in _ORDER:
        if kind in done:
            return REFUSALS[kind]
    return True


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


@rule("report.create_for_any")
def _create_for_any(user, obj) -> bool:
    """Whether the report form offers a choice of organisation (admins write on a member's behalf)."""
    return is_admin(user)


@rule("report.edit", "report.submit")
def _write_report(user, report) -> bool:
    return manages_org_data(user, report.org)


@rule("report.review")
def _review_report(user, report):
    if report.org.kind != OrgKind.MUNICIPALITY:
        return REFUSALS["not_reviewed"] if is_admin(user) else False
    if not is_province_of(user, report.org):
        if not is_admin(user):
            return False
        if has_active_officer(report.org.parent_id):
            return REFUSALS["province_reviews"]
    return _separation(user, report, AUTHORED)


@rule("report.approve")
def _approve_report(user, report):
    if not is_admin(user):
        return False
    return _separation(user, report, AUTHORED | {"reviewed"})


@rule("report.return")
def _return_report(user, report):
    """Returning what awaits review: the reviewer (and admins); see ``report.return_reviewed`` for the rest."""
    if not (is_admin(user) or is_province_of(user, report.org)):
        return False
    return _separation(user, report, AUTHORED)


@rule("report.return_reviewed")
def _return_reviewed(user, report):
    """Returning what awaits approval: admins only."""
    if not is_admin(user):
        return False
    return _separation(user, report, AUTHORED)


@rule("report.reopen")
def _reopen_report(user, report) -> bool:
    return is_admin(user)


@rule("report.comment")
def _comment_on_report(user, report) -> bool:
    return is_admin(user) or (officer_of_reporting_org(user) and sees_org_data(user, report.org))


@rule("report.review_queue")
def _review_queue(user, obj) -> bool:
    return is_admin(user) or is_province_officer(user)


@rule("report.my_reporting")
def _my_reporting(user, obj) -> bool:
    """Only organisations that report have a "My reporting" page."""
    return officer_of_reporting_org(user)


@rule("report.approval_queue")
def _approval_queue(user, obj) -> bool:
    """Whether the user's review queue holds reports awaiting approval (admins)."""
    return is_admin(user)


def decision_sql(user, action: str):
    """SQL over a ProgressReport joined to its Organisation: whether the ``action`` rule lets ``user``
    decide the row; None when it never does. Says in SQL what the rules above say about one report
    (the review queue is built from it; a test compares both)."""
    from sqlalchemy import and_, not_

    from wcc.orgs.models import Organisation
    from wcc.reporting.contributors import contributed

    def free_of(kinds):
        return not_(contributed(user.id, kinds))

    municipal = Organisation.kind == OrgKind.MUNICIPALITY
    if action == "report.review":
        who = reviewer_scope(user, Organisation.id, Organisation.parent_id)
        return and_(municipal, who, free_of(AUTHORED)) if is_admin(user) or is_province_officer(user) else None
    if action == "report.approve":
        return free_of(AUTHORED | {"reviewed"}) if is_admin(user) else None
    if action == "report.return":
        if is_admin(user):
            return free_of(AUTHORED)
        if is_province_officer(user):
            return and_(municipal, Organisation.parent_id == user.org_id, free_of(AUTHORED))
        return None
    if action == "report.return_reviewed":
        return free_of(AUTHORED) if is_admin(user) else None
    raise KeyError(action)
