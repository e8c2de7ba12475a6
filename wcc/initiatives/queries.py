"""Read-side queries: the filtered list (pages, exports, API), lookups, select-box choices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from wcc.auth.models import User
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.i18n.search import matches_all, rank, search_words
from wcc.i18n.text import to_ascii_digits
from wcc.initiatives.models import Category, Craft, FileKind, Initiative, InitiativeFile, Status
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import Frequency, Period, clock, period_containing
from wcc.permissions.initiatives import visible_initiatives

SORTS = {
    "updated": (Initiative.updated_at.desc(), Initiative.id.desc()),
    "oldest": (Initiative.updated_at.asc(), Initiative.id.asc()),
    "title": (Initiative.title.asc(), Initiative.id.asc()),
    "start": (Initiative.start_date.desc(), Initiative.id.desc()),
}
DEFAULT_SORT = "updated"


@dataclass
class Filters:
    """What a list of initiatives is narrowed by; codes as they appear in URLs."""

    q: str = ""
    org: str = ""
    province: str = ""
    category: str = ""
    craft: str = ""
    goal: str = ""  # a goal's code: initiatives contributing to it
    status: str = ""
    partner_country: str = ""
    year: int | None = None  # Solar Hijri year the initiative runs in
    deleted: bool = False
    sort: str = DEFAULT_SORT

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read filters from a query string; values that cannot be right are ignored."""

        def text(name: str, limit: int = 40) -> str:
            return (args.get(name) or "").strip()[:limit]

        year = to_ascii_digits(text("year", 4))
        status = text("status")
        sort = text("sort")
        return cls(
            q=text("q", 200), org=text("org").upper(), province=text("province").upper(),
            category=text("category"), craft=text("craft"), goal=text("goal").upper(),
            status=status if status in set(Status) else "",
            partner_country=text("partner_country", 2).upper(),
            year=int(year) if year.isdigit() and 1300 <= int(year) <= 1500 else None,
            deleted=args.get("deleted") == "1",
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for export links and the pager)."""
        args = {"q": self.q, "org": self.org, "province": self.province, "category": self.category,
                "craft": self.craft, "goal": self.goal, "status": self.status, "partner_country": self.partner_country,
                "year": str(self.year) if self.year else "", "deleted": "1" if self.deleted else "",
                "sort": "" if self.sort == DEFAULT_SORT else self.sort}
        return {k: v for k, v in args.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_args().keys() - {"sort"})




def initiative_query(user: User, filters: Filters) -> Select:
    """Initiatives the user may see, narrowed by ``filters`` and sorted.

    One statement: joins the owner (and its parent for the province filter); the
    category, crafts, goal and country filters are subqueries, so no lookups run first.
    """
    stmt = select(Initiative).join(Initiative.org)
    if filters.deleted:
        stmt = stmt.where(Initiative.deleted_at.is_not(None))
    else:
        stmt = stmt.where(visible_initiatives(user))
    words = search_words(filters.q)
    if words:
        stmt = stmt.where(matches_all(Initiative.search_text, words))
    if filters.org:
        stmt = stmt.where(Organisation.code == filters.org)
    if filters.province:
        province_id = select(Organisation.id).where(Organisation.code == filters.province,
                                                    Organisation.kind == OrgKind.PROVINCE).scalar_subquery()
        stmt = stmt.where(or_(Organisation.id == province_id, Organisation.parent_id == province_id))
    if filters.category:
        stmt = stmt.where(Initiative.category_id.in_(select(Category.id).where(Category.code == filters.category)))
    if filters.craft:
        stmt = stmt.where(Initiative.crafts.any(Craft.code == filters.craft))
    if filters.goal:
        stmt = stmt.where(Initiative.goals.any(Goal.code == filters.goal))
    if filters.status:
        stmt = stmt.where(Initiative.status == filters.status)
    if filters.partner_country:
        stmt = stmt.where(Initiative.partner_country == filters.partner_country)
    if filters.year:
        year = Period(filters.year)
        first, last = year.first_day, year.last_day
        stmt = stmt.where(and_(Initiative.start_date <= last,
                               or_(Initiative.end_date.is_(None), Initiative.end_date >= first)))
    if words and filters.sort == DEFAULT_SORT:
        # Best matches first (the words in the title), then the usual order.
        return stmt.order_by(rank(Initiative.search_text, words).desc(), *SORTS[filters.sort])
    return stmt.order_by(*SORTS[filters.sort])


def with_list_details(stmt: Select) -> Select:
    """Load what a list row shows (owner, category, crafts) in a fixed number of queries.

    ``stmt`` joins the owner already (``initiative_query`` does).
    """
    return stmt.options(
        contains_eager(Initiative.org).joinedload(Organisation.parent),
        joinedload(Initiative.category),
        selectinload(Initiative.crafts),
    )


def with_full_details(stmt: Select) -> Select:
    """Everything an export row, API item or detail page holds."""
    return with_list_details(stmt).options(
        selectinload(Initiative.goals), selectinload(Initiative.partners), selectinload(Initiative.milestones),
        selectinload(Initiative.files).joinedload(InitiativeFile.stored))


def cover_ids(initiative_ids: list[int]) -> dict[int, int]:
    """{initiative id: id of its cover photo} in one query (the chosen cover, else the first photo)."""
    if not initiative_ids:
        return {}
    rows = db.session.execute(
        select(InitiativeFile.initiative_id, InitiativeFile.id)
        .where(InitiativeFile.initiative_id.in_(initiative_ids), InitiativeFile.kind == FileKind.PHOTO)
        .order_by(InitiativeFile.initiative_id, InitiativeFile.is_cover.desc(), InitiativeFile.position,
                  InitiativeFile.id))
    covers: dict[int, int] = {}
    for initiative_id, file_id in rows:
        covers.setdefault(initiative_id, file_id)
    return covers


def get_initiative(initiative_id: int) -> Initiative | None:
    stmt = with_full_details(select(Initiative).join(Initiative.org).where(Initiative.id == initiative_id))
    return db.session.scalars(stmt).first()


# --- lookups ----------------------------------------------------------------------------

def categories(active_only: bool = True) -> list[Category]:
    stmt = select(Category).order_by(Category.position, Category.code)
    if active_only:
        stmt = stmt.where(Category.active.is_(True))
    return list(db.session.scalars(stmt))


def crafts(active_only: bool = True) -> list[Craft]:
    stmt = select(Craft).order_by(Craft.position, Craft.code)
    if active_only:
        stmt = stmt.where(Craft.active.is_(True))
    return list(db.session.scalars(stmt))


def goals(active_only: bool = True) -> list[Goal]:
    """Goals as choices: by theme, then code (the goal catalogue's order)."""
    stmt = select(Goal).order_by(Goal.theme, Goal.code)
    if active_only:
        stmt = stmt.where(Goal.active.is_(True))
    return list(db.session.scalars(stmt))


def contributing(user: User, goal: Goal, limit: int = 5) -> tuple[int, list[Initiative]]:
    """How many initiatives the user may see contribute to ``goal``, and the latest ``limit`` of them.

    Two queries; drafts count only for those who may see them.
    """
    where = (visible_initiatives(user), Initiative.goals.any(Goal.id == goal.id))
    total = db.session.scalar(select(func.count(Initiative.id)).where(*where)) or 0
    latest = [] if not total else list(db.session.scalars(
        select(Initiative).where(*where).options(joinedload(Initiative.org))
        .order_by(*SORTS[DEFAULT_SORT]).limit(limit)))
    return total, latest


def provinces() -> list[Organisation]:
    return list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.PROVINCE).order_by(Organisation.code)))


def member_orgs() -> list[Organisation]:
    """Organisations that may own initiatives (every one but the network), by code."""
    return list(db.session.scalars(
        select(Organisation).where(Organisation.kind != OrgKind.NETWORK, Organisation.active.is_(True))
        .order_by(Organisation.code)))


def years_in_use() -> list[int]:
    """Solar Hijri years from the earliest start date to the latest end (or start) date."""
    # Three aggregates the indexes on the dates answer without reading the table.
    first, last_start, last_end = db.session.execute(
        select(func.min(Initiative.start_date), func.max(Initiative.start_date), func.max(Initiative.end_date))
    ).one()
    if first is None:
        return [period_containing(clock.today(), Frequency.YEARLY).year]
    last = max(last_start, last_end or last_start)
    return list(range(_year_of(last), _year_of(first) - 1, -1))


def _year_of(day: date) -> int:
    return period_containing(day, Frequency.YEARLY).year


def history(ini: Initiative, limit: int = 50):
    from wcc.audit.models import AuditEvent

    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == Initiative.__tablename__, AuditEvent.object_id == str(ini.id))
        .order_by(AuditEvent.id.desc()).limit(limit)))


def partner_countries_in_use() -> list[str]:
    """Countries any initiative names (read from the index alone, so deleted ones count too)."""
    return list(db.session.scalars(
        select(Initiative.partner_country).where(Initiative.partner_country.is_not(None))
        .distinct().order_by(Initiative.partner_country)))
