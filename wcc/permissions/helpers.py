"""Relations between a user and an organisation, shared by every rule module."""

from __future__ import annotations

from typing import Any

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


def is_admin(user: Any) -> bool:
    return user.role == Role.ADMIN


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
    if user.role in (Role.PROVINCE, Role.MUNICIPALITY):
        return relation(user, org) == OWN
    return False


def is_province_of(user: Any, org: Any) -> bool:
    return user.role == Role.PROVINCE and org is not None and org.kind == OrgKind.MUNICIPALITY \
        and org.parent_id == user.org_id
