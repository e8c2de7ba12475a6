"""The demo initiatives: enough of them, in every category, the ones named at the founding meeting."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from wcc.extensions import db
from wcc.initiatives.models import Category, FileKind, Initiative, InitiativeFile

PERSIAN = re.compile("[\u0600-\u06ff]")
CYRILLIC = re.compile("[\u0400-\u04ff]")


def test_the_demo_has_realistic_initiatives_in_every_category_with_photos(demo):
    initiatives = db.session.scalars(select(Initiative)).all()
    assert len(initiatives) >= 150
    used = {ini.category.code for ini in initiatives}
    assert used == set(db.session.scalars(select(Category.code)))
    titles = [ini.title for ini in initiatives]
    persian = [t for t in titles if PERSIAN.search(t)]
    assert len(persian) > 0.8 * len(titles)
    assert any(CYRILLIC.search(t) for t in titles) and any(t.isascii() for t in titles)
    assert len({ini.org_id for ini in initiatives}) >= 15

    film = next(ini for ini in initiatives if ini.category.code == "film" and ini.deal_value
                and ini.deal_value.amount == 1_300_000)
    assert film.deal_value.currency == "EUR" and "روس" in film.title
    moscow_reps = [ini for ini in initiatives if ini.category.code == "sales_rep" and ini.external_id.startswith("DEMO-H")]
    assert len(moscow_reps) == 4 and all("مسکو" in ini.title for ini in moscow_reps)
    assert any(ini.category.code == "brochure" and "روسی" in ini.title and "اصفهان" in ini.title
               for ini in initiatives)
    assert any(ini.category.code == "exhibition" and "سفارت" in ini.title for ini in initiatives)
    assert any(ini.category.code == "auction" and "فرش" in ini.title and "مسکو" in ini.title
               for ini in initiatives)

    # Each contributes to the goals its kind of work plainly serves.
    plain = {"export_deal": "EXPORT-RU", "exhibition": "EXHIBITIONS", "brochure": "BROCHURES-RU",
             "photography": "PHOTOGRAPHY", "film": "FILM-PLACEMENTS", "hotel_placement": "HOTEL-PLACEMENTS",
             "auction": "AUCTIONS", "market_research": "MARKET-STUDIES", "storytelling": "STORIES",
             "training": "ARTISANS-TRAINED", "logistics": "POSTAL-ONTIME"}
    for ini in initiatives:
        codes = [g.code for g in ini.goals]
        assert codes, ini.title
        assert plain.get(ini.category.code, codes[0]) in codes, (ini.category.code, codes)

    photos = db.session.scalar(select(func.count()).select_from(InitiativeFile)
                               .where(InitiativeFile.kind == FileKind.PHOTO))
    assert photos >= 100
    assert db.session.scalar(select(func.count()).select_from(InitiativeFile)
                             .where(InitiativeFile.kind == FileKind.DOCUMENT)) >= 1

    again = demo.runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "initiatives: 0 created" in again.output
    assert db.session.scalar(select(func.count()).select_from(Initiative)) == len(initiatives)
