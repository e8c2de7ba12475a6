"""Read-side queries for organisations."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from wcc.extensions import db
from wcc.i18n import current_language
from wcc.i18n.search import matches_all, rank, search_words
from wcc.orgs.models import Organisation, OrgKind

KIND_ORDER = {OrgKind.NETWORK: 0, OrgKind.PROVINCE: 1, OrgKind.MUNICIPALITY: 2}


def org_choices(kinds: tuple[str, ...] | None = None, active_only: bool = True) -> list[tuple[int, str]]:
    """(id, "code — name") for select boxes, network and provinces first."""
    lang = current_language()
    stmt = select(Organisation.id, Organisation.code, getattr(Organisation, f"name_{lang}"),
                  Organisation.kind)
    if kinds:
        stmt = stmt.where(Organisation.kind.in_(kinds))
    if active_only:
        stmt = stmt.where(Organisation.active.is_(True))
    rows = db.session.execute(stmt).all()
    rows.sort(key=lambda r: (KIND_ORDER.get(r.kind, 9), r.code))
    return [(r.id, f"{r.code} — {r[2]}") for r in rows]


def get_by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code))


def directory_query(*, kind: str | None = None, parent: Organisation | None = None,
                    q: str | None = None, active: bool | None = True) -> Select:
    """Organisations for the directory and the API, with their parent, in code order.

    ``q`` keeps those whose names or code hold every word, names matching first.
    """
    parent_org = aliased(Organisation)
    stmt = (select(Organisation, parent_org.code.label("parent_code"))
            .outerjoin(parent_org, Organisation.parent_id == parent_org.id))
    words = search_words(q)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if parent is not None:
        stmt = stmt.where(Organisation.parent_id == parent.id)
    if active is not None:
        stmt = stmt.where(Organisation.active.is_(active))
    if words:
        stmt = stmt.where(matches_all(Organisation.search_text, words)).order_by(
            rank(Organisation.search_text, words).desc())
    return stmt.order_by(Organisation.code)


def count_users_by_org(org_ids: list[int]) -> dict[int, int]:
    from wcc.auth.models import User

    if not org_ids:
        return {}
    rows = db.session.execute(
        select(User.org_id, func.count()).where(User.org_id.in_(org_ids), User.active.is_(True))
        .group_by(User.org_id)
    )
    return dict(rows.all())
