"""Read side of documents: what a designation report or a brochure is made of, and the library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from wcc.documents.models import Document, DocumentKind, DocumentState, DocumentVersion
from wcc.extensions import db
from wcc.initiatives.models import Category, Craft, FileKind, Initiative, InitiativeFile, initiative_crafts
from wcc.orgs.models import Organisation
from wcc.periods import Frequency, Period, period_containing
from wcc.permissions.helpers import org_scope

#: Initiative categories whose initiatives are events held (shown in their own section).
EVENT_CATEGORIES = ("exhibition", "auction")
#: Categories whose contacts a brochure may list under "where to buy".
SELLER_CATEGORIES = ("sales_rep", "export_deal", "hotel_placement")


# --- spans ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """Whole Solar Hijri years, ``first`` to ``last``."""

    first: int
    last: int

    @property
    def start(self) -> date:
        return Period(self.first).first_day

    @property
    def end(self) -> date:
        return Period(self.last).last_day


def solar_year(day: date) -> int:
    return period_containing(day, Frequency.YEARLY).year


def designation_year(org: Organisation) -> int | None:
    """The Solar Hijri year of the designation (the Council designates in the Gregorian year given)."""
    if org.wcc_year is None:
        return None
    return solar_year(date(org.wcc_year, 9, 1))


def last_report(org: Organisation) -> Document | None:
    return db.session.scalar(
        select(Document).where(Document.org_id == org.id, Document.kind == DocumentKind.DESIGNATION_REPORT,
                               Document.state != DocumentState.FAILED)
        .order_by(Document.span_end.desc(), Document.id.desc()).limit(1))


def default_span(org: Organisation, today: date) -> Span:
    """Since its last activity report, else since its designation, up to this year."""
    this_year = solar_year(today)
    previous = last_report(org)
    if previous is not None and previous.span_end is not None:
        first = min(this_year, solar_year(previous.span_end) + 1)
    else:
        first = designation_year(org) or this_year
    return Span(min(first, this_year), this_year)


# --- what a designation report shows -------------------------------------------------------

def _moment(day: date, end: bool = False) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _overlaps(span: Span) -> ColumnElement[bool]:
    starts = or_(Initiative.start_date.is_(None), Initiative.start_date <= span.end)
    ends = or_(Initiative.end_date.is_(None), Initiative.end_date >= span.start)
    # An initiative with neither date counts in the span of its registration.
    dated = or_(Initiative.start_date.is_not(None), Initiative.end_date.is_not(None),
                and_(Initiative.created_at >= _moment(span.start), Initiative.created_at <= _moment(span.end, True)))
    return and_(starts, ends, dated)


def span_initiatives(org: Organisation, span: Span) -> list[Initiative]:
    """The member's own initiatives (not deleted, not cancelled) that overlap the span,
    by category then start date, with what a report prints loaded in a fixed number of queries."""
    stmt = (select(Initiative).join(Category)
            .where(Initiative.org_id == org.id, Initiative.deleted_at.is_(None),
                   Initiative.status != "cancelled", _overlaps(span))
            .options(selectinload(Initiative.files).selectinload(InitiativeFile.stored),
                     selectinload(Initiative.partners), selectinload(Initiative.crafts),
                     selectinload(Initiative.category))
            .order_by(Category.position, Category.id, Initiative.start_date, Initiative.id))
    return list(db.session.scalars(stmt))


@dataclass
class CategoryGroup:
    category: Category
    initiatives: list[Initiative] = field(default_factory=list)


def group_by_category(initiatives: list[Initiative]) -> list[CategoryGroup]:
    groups: dict[int, CategoryGroup] = {}
    for ini in initiatives:
        groups.setdefault(ini.category_id, CategoryGroup(ini.category)).initiatives.append(ini)
    return list(groups.values())


@dataclass(frozen=True)
class MoneyTotal:
    currency: str
    amount: Decimal
    deals: int
    first_value_date: date | None
    last_value_date: date | None


def money_raised(org: Organisation, span: Span) -> list[MoneyTotal]:
    """Deal values of the span's initiatives added up per currency (never converted), by the database."""
    stmt = (select(Initiative.deal_currency, func.sum(Initiative.deal_amount), func.count(),
                   func.min(Initiative.deal_value_date), func.max(Initiative.deal_value_date))
            .where(Initiative.org_id == org.id, Initiative.deleted_at.is_(None),
                   Initiative.status != "cancelled", Initiative.deal_amount.is_not(None), _overlaps(span))
            .group_by(Initiative.deal_currency).order_by(Initiative.deal_currency))
    return [MoneyTotal(cur or "", Decimal(total or 0), n, first, last)
            for cur, total, n, first, last in db.session.execute(stmt)]


def photos_of(initiatives: list[Initiative]) -> list[InitiativeFile]:
    return [f for ini in initiatives for f in ini.files if f.kind == FileKind.PHOTO]


def default_photo_ids(initiatives: list[Initiative]) -> list[int]:
    """Each initiative's cover photo: what is ticked before the officer chooses."""
    return [ini.cover.id for ini in initiatives if ini.cover is not None]


# --- what a brochure shows --------------------------------------------------------------------

def crafts_for_brochures() -> list[Craft]:
    return list(db.session.scalars(select(Craft).where(Craft.active.is_(True)).order_by(Craft.position, Craft.id)))


def brochure_initiatives(*, ids: list[int] | None = None, craft: Craft | None = None,
                         org_ids: list[int] | None = None) -> list[Initiative]:
    """Published initiatives chosen by id, or all published ones of a craft (limited to ``org_ids``)."""
    stmt = (select(Initiative).where(Initiative.deleted_at.is_(None), Initiative.published.is_(True))
            .options(selectinload(Initiative.files).selectinload(InitiativeFile.stored),
                     selectinload(Initiative.partners), selectinload(Initiative.crafts),
                     selectinload(Initiative.org), selectinload(Initiative.category))
            .order_by(Initiative.start_date.desc().nulls_last(), Initiative.id))
    if ids is not None:
        stmt = stmt.where(Initiative.id.in_(ids or [-1]))
    if craft is not None:
        stmt = stmt.where(Initiative.id.in_(select(initiative_crafts.c.initiative_id)
                                            .where(initiative_crafts.c.craft_id == craft.id)))
    if org_ids is not None:
        stmt = stmt.where(Initiative.org_id.in_(org_ids or [-1]))
    return list(db.session.scalars(stmt))


# --- the library ------------------------------------------------------------------------------

def visible_documents(user) -> ColumnElement[bool]:
    """The documents ``document.view`` allows, as a WHERE clause (same rule, in SQL)."""
    return org_scope(user, Document.org_id)


def library_query(user, *, kind: str | None = None, language: str | None = None) -> Select:
    stmt = (select(Document).where(visible_documents(user))
            .options(selectinload(Document.org), selectinload(Document.versions)
                     .selectinload(DocumentVersion.created_by))
            .order_by(Document.updated_at.desc(), Document.id.desc()))
    if kind:
        stmt = stmt.where(Document.kind == kind)
    if language:
        stmt = stmt.where(Document.language == language)
    return stmt


def published_brochures(org: Organisation, language: str, span_start: date, span_end: date) -> int:
    """Brochures of ``org`` in ``language`` published between the two days (inclusive)."""
    start, end = _moment(span_start), _moment(span_end, True)
    return db.session.scalar(select(func.count()).select_from(Document).where(
        Document.org_id == org.id, Document.kind == DocumentKind.BROCHURE, Document.language == language,
        Document.published_at.is_not(None), Document.published_at >= start, Document.published_at <= end)) or 0
