"""Demo translations: Russian and English titles and stories for the published felt-making,
needlework and carpet initiatives (and a photo where one has none), so the demo network's
brochures read as they would for real."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wcc.extensions import db
from wcc.initiatives.models import Craft, Initiative, initiative_crafts

CRAFT_STORIES = {
    "felt": {
        "ru": ("Намад: войлок, который не ткут",
               "Намад валяют вручную из овечьей шерсти. Мастер раскладывает цветную шерсть узором, "
               "поливает её горячей водой с мылом и часами катает и мнёт полотно, пока волокна не "
               "сцепятся в плотный войлок. Станок не нужен: ковёр рождается из рук и воды.\n\n"
               "Намад тёплый, лёгкий и служит десятилетиями. Его кладут на пол, вешают на стену, "
               "из него шьют жилеты пастухов и коврики для йоги."),
        "en": ("Namad: felt that is never woven",
               "Namad is felt made by hand from sheep's wool. The maker lays out coloured wool in a "
               "pattern, soaks it with hot soapy water and rolls and presses it for hours until the "
               "fibres lock into a dense felt. No loom is needed: the rug is made by hands and water.\n\n"
               "A namad is warm, light and lasts for decades, on the floor, on the wall or as a "
               "shepherd's cloak."),
    },
    "needlework": {
        "ru": ("Сузандузи: вышивка белуджских мастериц",
               "Сузандузи — вышивка иглой, которой женщины Белуджистана украшают воротники, рукава и "
               "подушки. Узор строится из тысяч мелких стежков шёлковой или хлопковой нитью; на одну "
               "вставку уходит несколько недель.\n\nКаждое изделие уникально: мастерица не повторяет "
               "узор в точности дважды."),
        "en": ("Suzandozi: the needlework of Baluch women",
               "Suzandozi is needlework with which the women of Baluchestan decorate collars, sleeves "
               "and cushions, in thousands of small stitches of silk or cotton thread; one panel takes "
               "several weeks.\n\nEvery piece is unique: no pattern is ever repeated exactly."),
    },
    "carpet": {
        "ru": ("Персидский ковёр ручной работы",
               "Ковёр ручной работы ткут на вертикальном станке, завязывая узел за узлом — до миллиона "
               "узлов на квадратный метр. Шерсть красят природными красителями: мареной, индиго, "
               "кожурой граната.\n\nХороший ковёр переживает своего владельца и со временем становится "
               "только красивее."),
        "en": ("The hand-knotted Persian carpet",
               "A hand-knotted carpet is woven on an upright loom, knot by knot, up to a million knots "
               "per square metre, in wool dyed with madder, indigo and pomegranate peel.\n\nA good "
               "carpet outlives its owner and grows more beautiful with age."),
    },
}

CATEGORY_LINES = {
    "ru": "Инициатива «{category}» участника {org}: изделия можно увидеть и заказать через Союз.",
    "en": "{org}'s initiative “{category}”: the pieces can be seen and ordered through the union.",
}


def seed_translations() -> Iterator[str]:
    """Give published initiatives of the three crafts Russian and English titles and stories
    where they have none yet, and a photo of the craft where they have none (idempotent)."""
    import io

    from werkzeug.datastructures import FileStorage

    from wcc.initiatives.demo_photos import demo_photo
    from wcc.initiatives.models import FileKind
    from wcc.initiatives.services import add_file

    crafts = {c.code: c for c in db.session.scalars(select(Craft).where(Craft.code.in_(list(CRAFT_STORIES))))}
    for code, craft in crafts.items():
        ids = select(initiative_crafts.c.initiative_id).where(initiative_crafts.c.craft_id == craft.id)
        stmt = (select(Initiative).where(Initiative.id.in_(ids), Initiative.published.is_(True),
                                         Initiative.deleted_at.is_(None), Initiative.story_ru == "")
                .options(selectinload(Initiative.org), selectinload(Initiative.category),
                         selectinload(Initiative.files)))
        for ini in db.session.scalars(stmt):
            for lang in ("ru", "en"):
                title, story = CRAFT_STORIES[code][lang]
                line = CATEGORY_LINES[lang].format(category=ini.category.name(lang), org=ini.org.name(lang))
                setattr(ini, f"title_{lang}", f"{title} — {ini.org.name(lang)}")
                setattr(ini, f"story_{lang}", f"{story}\n\n{line}")
            if not ini.photos:
                add_file(ini, FileStorage(io.BytesIO(demo_photo(code, seed=ini.id)), filename=f"{code}-{ini.id}.jpg"),
                         kind=FileKind.PHOTO)
            yield f"{code} {ini.id}"
