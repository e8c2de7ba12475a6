"""Initiatives counted on the dashboards: active now, by category, by craft and by member."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from wcc.dashboards.filters import Filters
from wcc.extensions import db
from wcc.orgs.models import Organisation


def initiative_figures(filters: Filters, *, org_ids: list[int] | None = None, published_only: bool = True,
                       recent: int = 0) -> dict:
    """Initiatives counted for a dashboard: active now, by category, by craft and by member.

    Network views count published initiatives only (what every member may
    see); a province's or member's own page, seen only by those who may read
    its drafts, passes ``published_only=False``. Category, craft and province
    filters apply; categories and crafts count initiatives that overlap the
    period range (or have no dates). ``recent`` lists that many, newest first.
    """
    from wcc.initiatives.models import Category, Craft, Initiative, Status, initiative_crafts

    i = Initiative
    conditions = [i.deleted_at.is_(None)]
    if published_only:
        conditions.append(i.published.is_(True))
    if org_ids is not None:
        conditions.append(i.org_id.in_(org_ids))
    elif filters.province:
        conditions.append(i.org_id.in_(select(Organisation.id).join(
            parent := aliased(Organisation), Organisation.parent_id == parent.id, isouter=True).where(
            or_(Organisation.code == filters.province, parent.code == filters.province))))
    if filters.category:
        conditions.append(i.category_id.in_(select(Category.id).where(Category.code == filters.category)))
    if filters.craft:
        conditions.append(i.id.in_(select(initiative_crafts.c.initiative_id).join(
            Craft, Craft.id == initiative_crafts.c.craft_id).where(Craft.code == filters.craft)))
    in_range = [or_(i.start_date.is_(None), i.start_date <= filters.range.end),
                or_(i.end_date.is_(None), i.end_date >= filters.range.start)]
    active = db.session.scalar(select(func.count()).select_from(i).where(*conditions, i.status == Status.ACTIVE))
    # Grouped by ids, without joins (the names of a dozen categories and crafts come in small queries).
    per_category = dict(db.session.execute(
        select(i.category_id, func.count()).where(*conditions, *in_range).group_by(i.category_id)).all())
    per_craft = dict(db.session.execute(
        select(initiative_crafts.c.craft_id, func.count()).join(i, i.id == initiative_crafts.c.initiative_id)
        .where(*conditions, *in_range).group_by(initiative_crafts.c.craft_id)).all())
    per_org_id = dict(db.session.execute(
        select(i.org_id, func.count()).where(*conditions, *in_range).group_by(i.org_id)).all())

    def named(model, counts: dict[int, int]) -> list[dict]:
        if not counts:
            return []
        rows = db.session.execute(select(model.id, model.code, model.name_fa, model.name_en, model.name_ru)
                                  .where(model.id.in_(list(counts))))
        out = [{"code": r.code, "name": {"fa": r.name_fa, "en": r.name_en, "ru": r.name_ru}, "count": counts[r.id]}
               for r in rows]
        return sorted(out, key=lambda item: (-item["count"], item["code"]))

    by_category, by_craft = named(Category, per_category), named(Craft, per_craft)
    codes = dict(db.session.execute(select(Organisation.id, Organisation.code)
                                    .where(Organisation.id.in_(list(per_org_id)))).all()) if per_org_id else {}
    per_org = {codes[org_id]: n for org_id, n in per_org_id.items() if org_id in codes}
    out = {"active": active, "by_category": by_category, "by_craft": by_craft, "per_org": per_org}
    if recent:
        category_name = {c["code"]: c["name"] for c in by_category}
        rows = db.session.execute(
            select(i.id, i.title, i.status, i.start_date, i.end_date, Category.code.label("category"),
                   Organisation.code.label("org"))
            .join(Category, Category.id == i.category_id).join(Organisation, Organisation.id == i.org_id)
            .where(*conditions, *in_range).order_by(i.updated_at.desc(), i.id.desc()).limit(recent))
        out["recent"] = [{"id": r.id, "title": r.title, "status": r.status, "start": r.start_date,
                          "end": r.end_date, "org": r.org, "category": category_name.get(r.category, {})}
                         for r in rows]
    return out
