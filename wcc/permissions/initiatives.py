"""Rules for initiatives, their files, and the category and craft lists.

Published initiatives are for every member (that is the point of a network);
drafts only for the owning organisation, its province, the ministry and admins.
Owners (and admins) change them; only admins see and restore deleted ones.
``visible_initiatives`` says the same as ``initiative.view`` in SQL, for lists.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select

from wcc.auth.models import Role
from wcc.permissions import rule
from wcc.permissions.helpers import is_admin, manages_org_data, reads_everything, sees_org_data

CREATOR_ROLES = (Role.ADMIN, Role.PROVINCE, Role.MUNICIPALITY)


@rule("initiative.list", "initiative.export")
def _any_member(user, obj) -> bool:
    return True


@rule("initiative.create")
def _create(user, org) -> bool:
    """With no organisation: whether the user may create initiatives at all."""
    if org is None:
        return user.role in CREATOR_ROLES
    return manages_org_data(user, org)


@rule("initiative.import")
def _import(user, obj) -> bool:
    return user.role in CREATOR_ROLES


@rule("initiative.view", "initiative.view_files")
def _view(user, initiative) -> bool:
    if initiative.deleted_at is not None:
        return is_admin(user)
    return initiative.published or sees_org_data(user, initiative.org)


@rule("initiative.edit", "initiative.delete", "initiative.publish", "initiative.manage_files")
def _change(user, initiative) -> bool:
    return initiative.deleted_at is None and manages_org_data(user, initiative.org)


@rule("initiative.restore", "initiative.list_deleted")
def _restore(user, initiative) -> bool:
    return is_admin(user) and (initiative is None or initiative.deleted_at is not None)


@rule("initiative.history")
def _history(user, initiative) -> bool:
    return sees_org_data(user, initiative.org)


@rule("category.manage", "craft.manage")
def _admin_only(user, obj) -> bool:
    return is_admin(user)


def visible_initiatives(user) -> ColumnElement[bool]:
    """A WHERE clause selecting the (not deleted) initiatives ``initiative.view`` allows."""
    from wcc.initiatives.models import Initiative
    from wcc.orgs.models import Organisation

    alive = Initiative.deleted_at.is_(None)
    if not (user is not None and user.is_authenticated and user.is_active):
        return false()
    if reads_everything(user):
        return alive
    own = [Initiative.org_id == user.org_id]
    if user.role == Role.PROVINCE:
        own.append(Initiative.org_id.in_(select(Organisation.id).where(Organisation.parent_id == user.org_id)))
    return and_(alive, or_(Initiative.published.is_(True), *own))
