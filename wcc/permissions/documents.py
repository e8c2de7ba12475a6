"""Rules for generated documents: activity reports, brochures and the library.

A document is as private as the organisation's data it is made from: the
organisation itself, its province, the ministry and admins see it; anyone else
is told it does not exist (404). A designated member's activity report is made
by the member or its province; brochures by a province or the secretariat.
``visible_documents`` (wcc.documents.queries) says the same as ``document.view`` in SQL.
"""

from __future__ import annotations

from wcc.auth.models import Role
from wcc.orgs.models import OrgKind
from wcc.permissions import rule
from wcc.permissions.helpers import OWN, is_admin, is_province_of, manages_org_data, relation, sees_org_data


@rule("document.list")
def _list(user, obj) -> bool:
    return True


@rule("document.view", "document.download")
def _view(user, document) -> bool:
    return document is not None and sees_org_data(user, document.org)


def _makes_activity_report(user, org) -> bool:
    if org is None or org.kind == OrgKind.NETWORK or not org.is_designated:
        return False
    return manages_org_data(user, org) or is_province_of(user, org)


def _makes_brochure(user, org) -> bool:
    if org is None:
        return False
    if org.kind == OrgKind.NETWORK:
        return is_admin(user)
    return org.kind == OrgKind.PROVINCE and (is_admin(user) or (
        user.role == Role.PROVINCE and relation(user, org) == OWN))


@rule("document.designation_report")
def _designation_report(user, org) -> bool:
    """``org`` is the designated member the report is about."""
    return _makes_activity_report(user, org)


@rule("document.brochure")
def _brochure(user, org) -> bool:
    """``org`` is the province (or the network) the brochure is made for."""
    return _makes_brochure(user, org)


@rule("document.regenerate", "document.publish")
def _change(user, document) -> bool:
    if document is None:
        return False
    if document.kind == "brochure":
        return _makes_brochure(user, document.org)
    return _makes_activity_report(user, document.org)
