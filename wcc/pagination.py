"""Pagination of any select (rows or entities) in exactly two queries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from wcc.extensions import db


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)


MAX_PAGE = 100_000


def requested_page() -> int:
    """The ``page`` query argument as a sane number: 1 for junk, never past MAX_PAGE."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    return min(max(page, 1), MAX_PAGE)


def paginate(stmt: Select, page: int, per_page: int, *, scalars: bool = False) -> Page:
    """One COUNT and one page of rows. ``scalars`` returns the first column only."""
    page = min(max(1, page), MAX_PAGE)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    paged = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(paged)
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, total=total, page=page, per_page=per_page)
