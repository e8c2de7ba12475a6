"""Initiatives found by story, crafts and category

Revision ID: 27ec023c7ccc
Revises: 591fe16c9311
Create Date: 2026-11-30 19:35:00

An initiative's folded ``search_text`` now holds its title and story in every
language it has them and the names of its
crafts and category in fa, en and ru as well (see
``wcc.initiatives.services.search_key``); existing rows are recomputed. No
schema change.
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

from wcc.i18n.search import search_key
from wcc.initiatives.services import initiative_search_fields


# revision identifiers, used by Alembic.
revision = '27ec023c7ccc'
down_revision = '591fe16c9311'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    ini = sa.table("initiatives", sa.column("id"), sa.column("title"), sa.column("title_en"), sa.column("title_ru"),
                   sa.column("summary"), sa.column("story"), sa.column("story_en"), sa.column("story_ru"),
                   sa.column("external_id"), sa.column("category_id"), sa.column("search_text"))
    def named(table):
        t = sa.table(table, sa.column("id"), sa.column("name_fa"), sa.column("name_en"), sa.column("name_ru"))
        return {r.id: r for r in bind.execute(sa.select(t.c.id, t.c.name_fa, t.c.name_en, t.c.name_ru))}

    categories = {i: [r.name_fa, r.name_en, r.name_ru] for i, r in named("initiative_categories").items()}
    crafts = named("crafts")
    crafts_of = defaultdict(list)
    links = sa.table("initiative_crafts", sa.column("initiative_id"), sa.column("craft_id"))
    for row in bind.execute(sa.select(links.c.initiative_id, links.c.craft_id)):
        crafts_of[row.initiative_id].append(crafts[row.craft_id])
    partners_of = defaultdict(list)
    partners = sa.table("initiative_partners", sa.column("initiative_id"), sa.column("position"), sa.column("name"))
    for row in bind.execute(sa.select(partners.c.initiative_id, partners.c.name).order_by(partners.c.position)):
        partners_of[row.initiative_id].append(row.name)
    for row in bind.execute(sa.select(ini.c.id, ini.c.title, ini.c.title_en, ini.c.title_ru, ini.c.summary,
                                      ini.c.story, ini.c.story_en, ini.c.story_ru, ini.c.external_id,
                                      ini.c.category_id)).all():
        own = crafts_of[row.id]
        fields = initiative_search_fields(
            [row.title, row.title_en, row.title_ru], row.summary, [row.story, row.story_en, row.story_ru],
            row.external_id, partners_of[row.id],
            [c.name_fa for c in own] + [c.name_en for c in own] + [c.name_ru for c in own],
            categories.get(row.category_id, []))
        bind.execute(ini.update().where(ini.c.id == row.id).values(search_text=search_key(*fields)))


def downgrade():
    pass  # the richer search text does no harm to the earlier code
