"""Relations between a user and an organisation, shared by every rule module.

This is the only place that compares roles and organisations. Besides the
yes/no helpers the rules use, it builds the SQL filters of what a user sees
(``org_scope`` and the ``visible_*`` clauses built on it), so that lists say
exactly what the rules say about one object.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from wcc.auth.models import Role
from wcc.orgs.models import OrgKind

OWN = "own"
CHILD = "child"
PARENT = "parent"
OTHER = "other"


def relation(user: Any, org: Any) -> str:
    """How ``org`` stands to the user's organisation: own, child, parent or other."""
    if org is None:
        return OTHER
    mine = user.org_id
    if org.id == mine:
        return OWN
    if org.parent_id == mine:
        return CHILD
    if user.org is not None and user.org.parent_id == org.id:
        return PARENT
    return OTHER


def signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user: Any) -> bool:
    return user.role == Role.ADMIN


def is_province_officer(user: Any) -> bool:
    return user.role == Role.PROVINCE


def officer_of_reporting_org(user: Any) -> bool:
    """Province and municipality officers: their organisation reports, sets targets and runs initiatives."""
    return user.role in (Role.PROVINCE, Role.MUNICIPALITY)


def reads_everything(user: Any) -> bool:
    """Admins and the ministry read every member's data."""
    return user.role in (Role.ADMIN, Role.MINISTRY)


def sees_org_data(user: Any, org: Any) -> bool:
    """Whether the user may read an organisation's private (unpublished) data."""
    if reads_everything(user):
        return True
    rel = relation(user, org)
    if user.role == Role.PROVINCE:
        return rel in (OWN, CHILD)
    return rel == OWN


def manages_org_data(user: Any, org: Any) -> bool:
    """Whether the user may create and change an organisation's own records.

    Admins manage all; province and municipality officers their own organisation;
    the ministry reads only.
    """
    if is_admin(user):
        return True
    if officer_of_reporting_org(user):
        return relation(user, org) == OWN
    return False


def is_province_of(user: Any, org: Any) -> bool:
    return user.role == Role.PROVINCE and org is not None and org.kind == OrgKind.MUNICIPALITY \
        and org.parent_id == user.org_id


def has_active_officer(org_id: int | None) -> bool:
    """Whether an active officer of the role that acts for this province (or municipality) exists."""
    from wcc.auth.models import User
    from wcc.extensions import db
    from wcc.orgs.models import Organisation

    if org_id is None:
        return False
    kind_role = {OrgKind.PROVINCE: Role.PROVINCE, OrgKind.MUNICIPALITY: Role.MUNICIPALITY}
    org = db.session.get(Organisation, org_id)
    role = kind_role.get(org.kind) if org is not None else None
    if role is None:
        return False
    return db.session.scalar(select(User.id).where(User.org_id == org_id, User.role == role,
                                                   User.active.is_(True)).limit(1)) is not None


def admins_sql() -> ColumnElement[bool]:
    """SQL over User: the user is an admin (the union secretariat)."""
    from wcc.auth.models import User

    return User.role == Role.ADMIN


def provinces_with_active_officer():
    """SQL: ids of the provinces that have an active province officer."""
    from wcc.auth.models import User

    return select(User.org_id).where(User.role == Role.PROVINCE, User.active.is_(True))


# --- visible-object scopes, as SQL ------------------------------------------------------

def org_scope(user: Any, org_id_column) -> ColumnElement[bool]:
    """SQL: ``org_id_column`` names an organisation whose private data ``user`` may read.

    The same answer as ``sees_org_data`` for one organisation: everything for
    admins and the ministry, own and child organisations for a province
    officer, the own organisation for a municipality officer, nothing for
    anyone else. Every list of private objects filters with this.
    """
    from wcc.orgs.models import Organisation

    if not signed_in(user):
        return false()
    if reads_everything(user):
        return true()
    if user.role == Role.PROVINCE:
        return or_(org_id_column == user.org_id,
                   org_id_column.in_(select(Organisation.id).where(Organisation.parent_id == user.org_id)))
    if user.role == Role.MUNICIPALITY:
        return org_id_column == user.org_id
    return false()


def reviewer_scope(user: Any, org_column, parent_column) -> ColumnElement[bool]:
    """SQL: the user is the reviewer of a municipality's report (columns of its organisation).

    The same answer as the organisation part of the ``report.review`` rule.
    """
    if is_province_officer(user):
        return parent_column == user.org_id
    if is_admin(user):
        return parent_column.not_in(provinces_with_active_officer())
    return false()
