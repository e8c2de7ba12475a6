"""Rules for initiatives, their files, and the category and craft lists.

Published initiatives are for every member (that is the point of a network);
drafts only for the owning organisation, its province, the ministry and admins.
Owners (and admins) change them; only admins see and restore deleted ones.
``visible_initiatives`` says the same as ``initiative.view`` in SQL, for lists.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_

from wcc.permissions import rule
from wcc.permissions.helpers import (
    is_admin,
    manages_org_data,
    officer_of_reporting_org,
    org_scope,
    sees_org_data,
    signed_in,
)


def _creates(user) -> bool:
    return is_admin(user) or officer_of_reporting_org(user)


@rule("initiative.list", "initiative.export")
def _any_member(user, obj) -> bool:
    return True


@rule("initiative.create")
def _create(user, org) -> bool:
    """With no organisation: whether the user may create initiatives at all."""
    if org is None:
        return _creates(user)
    return manages_org_data(user, org)


@rule("initiative.create_for_any")
def _create_for_any(user, obj) -> bool:
    """Whether the initiative form offers every organisation (admins write on a member's behalf)."""
    return is_admin(user)


@rule("initiative.import")
def _import(user, obj) -> bool:
    return _creates(user)


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

    if not signed_in(user):
        return false()
    return and_(Initiative.deleted_at.is_(None),
                or_(Initiative.published.is_(True), org_scope(user, Initiative.org_id)))
