"""Fixtures for initiatives: the shipped categories and crafts, and a factory."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from wcc.extensions import db


@pytest.fixture(autouse=True)
def reference_data(app):
    """The 13 categories and the crafts, as the migration ships them."""
    from wcc.initiatives.services import ensure_reference_data

    ensure_reference_data()
    db.session.commit()


@pytest.fixture
def category():
    from wcc.initiatives.models import Category

    def get(code: str = "export_deal"):
        return db.session.scalar(select(Category).where(Category.code == code))

    return get


@pytest.fixture
def craft():
    from wcc.initiatives.models import Craft

    def get(code: str = "felt"):
        return db.session.scalar(select(Craft).where(Craft.code == code))

    return get


@pytest.fixture
def make_initiative(app, category):
    """``make_initiative(org, title=..., published=..., **values)`` → a committed Initiative."""
    from wcc.initiatives import services

    counter = iter(range(1, 1_000_000))

    def factory(org, title: str | None = None, *, category_code: str = "export_deal", **values):
        n = next(counter)
        values.setdefault("status", "active")
        values.setdefault("start_date", date(2025, 4, 1))
        ini = services.create_initiative(org, {"title": title or f"Initiative {n}",
                                               "category": category(category_code), **values})
        db.session.commit()
        return ini

    return factory
