"""The default goal catalogue, from the meeting the union came out of, and demo targets."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import insert, select

from wcc.audit.models import AuditEvent
from wcc.db import utcnow
from wcc.extensions import db
from wcc.goals import services
from wcc.goals.models import Goal, Target
from wcc.orgs.models import NETWORK_CODE, Organisation, OrgKind

P, M = "province", "municipality"

#: code, theme, unit, aggregation, frequency, reported by, baseline (1402), titles and descriptions.
CATALOGUE: list[dict] = [
    {"code": "EXPORT-RU", "theme": "exports", "unit": "EUR", "aggregation": "sum", "frequency": "quarterly",
     "kinds": (P, M), "baseline": 2_000_000,
     "title": ("ارزش صادرات صنایع دستی به روسیه", "Export value to Russia", "Стоимость экспорта ремёсел в Россию"),
     "description": (
         "صنایع دستی فروخته‌شده به خریداران روسی، به یورو و به نرخ روز صدور فاکتور: محموله‌های نمد، فرش، "
         "سوزن‌دوزی و دیگر صنایع دستی.",
         "Handicrafts sold to buyers in Russia, in euros at the invoice date: shipments of felt (namad) rugs, "
         "carpets, needlework (suzandozi) and other crafts.",
         "Ремёсла, проданные покупателям в России, в евро по дате счёта: партии войлочных ковров (намад), "
         "ковров, вышивки (сузандузи) и других изделий.")},
    {"code": "EXHIBITIONS", "theme": "events", "unit": "count", "aggregation": "sum", "frequency": "quarterly",
     "kinds": (P, M), "baseline": 60,
     "title": ("نمایشگاه‌های زنده برگزارشده", "Live exhibitions held", "Проведённые живые выставки"),
     "description": (
         "نمایشگاه‌ها و اجراهای زندهٔ صنایع دستی در روسیه یا برای مخاطب روس، مانند نمایشگاه در جشن روز ملی سفارت.",
         "Live craft exhibitions and shows in Russia or for a Russian audience, such as a live exhibition at an "
         "embassy's national-day celebration.",
         "Живые выставки и показы ремёсел в России или для российской публики, например выставка на приёме "
         "в честь национального дня в посольстве.")},
    {"code": "BROCHURES-RU", "theme": "promotion", "unit": "count", "aggregation": "sum", "frequency": "yearly",
     "kinds": (P, M), "baseline": 40,
     "title": ("بروشورهای منتشرشده به زبان روسی", "Russian-language brochures published",
               "Изданные брошюры на русском языке"),
     "description": (
         "بروشورهای ساده‌نویس به زبان روسی که یک رشتهٔ صنایع دستی و سازندگانش را معرفی می‌کنند.",
         "Plain-language brochures in Russian that introduce a craft and its makers.",
         "Брошюры на простом русском языке, знакомящие с ремеслом и его мастерами.")},
    {"code": "PHOTOGRAPHY", "theme": "promotion", "unit": "count", "aggregation": "sum", "frequency": "quarterly",
     "kinds": (P, M), "baseline": 3_600,
     "title": ("محصولات عکاسی‌شده به‌صورت حرفه‌ای", "Products professionally photographed",
               "Изделия с профессиональной фотосъёмкой"),
     "description": (
         "تعداد محصولاتی که عکس حرفه‌ای برای کاتالوگ و فروش برخط دارند.",
         "Products with professional photographs for catalogues and online sales.",
         "Изделия с профессиональными фотографиями для каталогов и онлайн-продаж.")},
    {"code": "FILM-PLACEMENTS", "theme": "promotion", "unit": "count", "aggregation": "sum",
     "frequency": "yearly", "kinds": (P,), "baseline": 9,
     "title": ("حضور در فیلم و سریال", "Film and series placements", "Показ в фильмах и сериалах"),
     "description": (
         "صنایع دستی نمایش‌داده‌شده در فیلم یا سریال روسی، و لوکیشن‌های ایرانی اجاره‌داده‌شده به کارگردانان روس.",
         "Crafts shown in a Russian film or series, and Iranian film locations rented to Russian directors.",
         "Ремёсла, показанные в российском фильме или сериале, и иранские локации, сданные российским "
         "режиссёрам.")},
    {"code": "HOTEL-PLACEMENTS", "theme": "market_access", "unit": "count", "aggregation": "sum",
     "frequency": "quarterly", "kinds": (P, M), "baseline": 45,
     "title": ("عرضه در هتل‌ها و اتاق بازرگانی", "Hotel and chamber placements",
               "Размещение в отелях и торговой палате"),
     "description": (
         "مجموعه‌های صنایع دستی که در زنجیره‌های هتل یا اتاق بازرگانی به نمایش یا فروش گذاشته شده‌اند.",
         "Craft collections placed for display or sale in a hotel chain or the chamber of commerce.",
         "Коллекции ремёсел, размещённые для показа или продажи в сети отелей или в торговой палате.")},
    {"code": "AUCTIONS", "theme": "events", "unit": "count", "aggregation": "sum", "frequency": "yearly",
     "kinds": (P,), "baseline": 8,
     "title": ("حراج‌های برگزارشده", "Auctions held", "Проведённые аукционы"),
     "description": (
         "حراج صنایع دستی ممتاز در روسیه.",
         "Auctions of premium crafts in Russia.",
         "Аукционы ремёсел премиум-класса в России.")},
    {"code": "POSTAL-ONTIME", "theme": "market_access", "unit": "percent", "aggregation": "latest",
     "frequency": "quarterly", "kinds": (P,), "baseline": 72,
     "title": ("نرخ تحویل به‌موقع مرسولات پستی", "On-time postal shipment rate",
               "Доля своевременных почтовых отправлений"),
     "description": (
         "درصد سفارش‌هایی که بر پایهٔ تفاهم‌نامهٔ پستی ایران و روسیه ارسال شده و به‌موقع رسیده‌اند.",
         "Share of orders shipped under the Iran–Russia postal memorandum that arrived on time.",
         "Доля заказов, отправленных по почтовому меморандуму Ирана и России и доставленных вовремя.")},
    {"code": "MARKET-STUDIES", "theme": "market_access", "unit": "count", "aggregation": "sum",
     "frequency": "yearly", "kinds": (P,), "baseline": 10,
     "title": ("مطالعات بازار انجام‌شده", "Market studies completed", "Завершённые исследования рынка"),
     "description": (
         "مطالعاتی دربارهٔ اینکه خریداران روس صنایع دستی ایرانی را چگونه می‌خرند و به کار می‌برند.",
         "Studies of how Russian buyers choose and use Iranian crafts.",
         "Исследования того, как российские покупатели выбирают и используют иранские ремёсла.")},
    {"code": "STORIES", "theme": "promotion", "unit": "count", "aggregation": "sum", "frequency": "quarterly",
     "kinds": (P, M), "baseline": 240,
     "title": ("روایت‌های منتشرشده از صنایع دستی", "Craft stories published", "Опубликованные истории о ремёслах"),
     "description": (
         "داستان‌های منتشرشده دربارهٔ یک رشتهٔ صنایع دستی و هنرمندانش، در رسانه یا شبکه‌های اجتماعی.",
         "Published stories about a craft and its makers, in the press or on social media.",
         "Опубликованные истории о ремесле и его мастерах, в прессе или в социальных сетях.")},
    {"code": "ARTISANS-TRAINED", "theme": "capacity", "unit": "people", "aggregation": "sum",
     "frequency": "quarterly", "kinds": (P, M), "baseline": 4_500,
     "title": ("هنرمندان صنایع دستی آموزش‌دیده", "Artisans trained", "Обученные ремесленники"),
     "description": (
         "هنرمندانی که در کارگاه‌های آموزشی صادرات، بسته‌بندی، قیمت‌گذاری یا طراحی شرکت کرده‌اند.",
         "Artisans who took part in workshops on export, packaging, pricing or design.",
         "Ремесленники, прошедшие семинары по экспорту, упаковке, ценообразованию или дизайну.")},
]

FIRST_YEAR, LAST_YEAR = 1403, 1405
BASELINE_YEAR = "1402"

#: A typical member's quarterly (or, for yearly goals, yearly) value: (low, high).
MEMBER_SCALE = {
    "EXPORT-RU": (4_000, 20_000), "EXHIBITIONS": (0, 0.8), "BROCHURES-RU": (0, 2), "PHOTOGRAPHY": (5, 40),
    "FILM-PLACEMENTS": (0, 1.5), "HOTEL-PLACEMENTS": (0, 0.7), "AUCTIONS": (0, 1.2), "POSTAL-ONTIME": (68, 92),
    "MARKET-STUDIES": (0, 1.5), "STORIES": (0, 3), "ARTISANS-TRAINED": (5, 50),
}
#: How far the network's target reaches beyond what members typically deliver, so the
#: demo shows every kind of progress.
AMBITION = {
    "EXPORT-RU": 1.05, "EXHIBITIONS": 1.4, "BROCHURES-RU": 0.85, "PHOTOGRAPHY": 1.0, "FILM-PLACEMENTS": 1.3,
    "HOTEL-PLACEMENTS": 1.9, "AUCTIONS": 0.8, "MARKET-STUDIES": 1.1, "STORIES": 2.2, "ARTISANS-TRAINED": 1.15,
}
#: Members that report a lot more than the rest (large cities and old craft centres).
BIG_MEMBERS = {"IR-10-ISFAHAN", "IR-03-TABRIZ", "IR-07-SHIRAZ", "IR-09-MASHHAD", "IR-10-KASHAN", "IR-10",
               "IR-03", "IR-07", "IR-23-TEHRAN"}


#: Goals the demo network shows everyone (on /public and a public page each).
PUBLIC_GOALS = {"EXPORT-RU", "EXHIBITIONS", "ARTISANS-TRAINED"}


def seed_goals() -> Iterator[str]:
    """The eleven goals of the default catalogue; existing codes are left alone. A few of them are
    public, so the public landing page has figures to show."""
    existing = set(db.session.scalars(select(Goal.code)))
    for item in CATALOGUE:
        if item["code"] in existing:
            continue
        quarterly = item["frequency"] == "quarterly"
        services.create_goal(
            code=item["code"], theme=item["theme"], unit=item["unit"], aggregation=item["aggregation"],
            direction="higher", frequency=item["frequency"],
            title_fa=item["title"][0], title_en=item["title"][1], title_ru=item["title"][2],
            description_fa=item["description"][0], description_en=item["description"][1],
            description_ru=item["description"][2],
            baseline_value=Decimal(item["baseline"]), baseline_period=BASELINE_YEAR,
            first_period=f"{FIRST_YEAR}-Q1" if quarterly else str(FIRST_YEAR),
            last_period=f"{LAST_YEAR}-Q4" if quarterly else str(LAST_YEAR),
            reported_by_province=P in item["kinds"], reported_by_municipality=M in item["kinds"],
            due_days=30, active=True, public_dashboard=item["code"] in PUBLIC_GOALS)
        yield item["code"]


def reporting_members() -> list[Organisation]:
    """Demo members that report: every municipality, and the provinces that have member municipalities."""
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.active.is_(True))
                                   .order_by(Organisation.code)))
    with_members = {o.parent_id for o in orgs if o.kind == OrgKind.MUNICIPALITY}
    return [o for o in orgs if o.kind == OrgKind.MUNICIPALITY
            or (o.kind == OrgKind.PROVINCE and o.id in with_members)]


def member_scale(org_code: str, goal_code: str) -> tuple[float, float]:
    low, high = MEMBER_SCALE[goal_code]
    if goal_code == "POSTAL-ONTIME":
        return low, high
    factor = 2.0 if org_code in BIG_MEMBERS else 1.0
    return low * factor, high * factor


def seed_targets() -> Iterator[str]:
    """Network targets for 1403–1405, and most members' own (a few leave theirs unset)."""
    goals = list(db.session.scalars(select(Goal).order_by(Goal.code)))
    network = db.session.scalar(select(Organisation).where(Organisation.code == NETWORK_CODE))
    existing = set(db.session.execute(select(Target.goal_id, Target.org_id, Target.period_key)).all())
    now = utcnow()
    rows: list[dict] = []

    def add(goal: Goal, org: Organisation, year: int, value: float) -> None:
        if (goal.id, org.id, str(year)) not in existing:
            rows.append({"goal_id": goal.id, "org_id": org.id, "period_key": str(year),
                         "value": Decimal(round(value, 0 if goal.unit != "EUR" else 2)), "updated_at": now})

    members = reporting_members()
    for goal in goals:
        per_year = 1 if goal.frequency == "yearly" else 4
        typical = sum(sum(member_scale(o.code, goal.code)) / 2 * per_year for o in members if goal.reported_by(o))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            step = year - FIRST_YEAR
            if goal.unit == "percent":
                add(goal, network, year, min(95, float(goal.baseline_value or 70) + 6 * (step + 1)))
            else:
                add(goal, network, year, max(2, typical * AMBITION[goal.code] * (1 + 0.18 * step)))
        for org in members:
            if not goal.reported_by(org):
                continue
            rng = random.Random(f"target:{org.code}:{goal.code}")
            if rng.random() < 0.08:
                # No target of its own: the member is not measured, nor its province as a whole.
                continue
            low, high = member_scale(org.code, goal.code)
            per_year = 1 if goal.frequency == "yearly" else 4
            for year in range(FIRST_YEAR, LAST_YEAR + 1):
                growth = 1 + 0.15 * (year - FIRST_YEAR)
                if goal.unit == "percent":
                    add(goal, org, year, min(98, 80 + 4 * (year - FIRST_YEAR)))
                else:
                    add(goal, org, year, max(1, (low + high) / 2 * per_year * growth))
    if not rows:
        return
    ids = db.session.scalars(insert(Target).returning(Target.id, sort_by_parameter_order=True), rows).all()
    codes = {g.id: g.code for g in goals}
    orgs = {o.id: o.code for o in [network, *members]}
    # The audit trail is the targets' history: each seeded target appears as set once.
    db.session.execute(insert(AuditEvent), [
        {"at": now, "actor_id": None, "action": "target.set", "object_type": Target.__tablename__,
         "object_id": str(target_id), "before": {"goal": codes[row["goal_id"]], "org": orgs[row["org_id"]],
                                                  "period": row["period_key"], "value": None},
         "after": {"goal": codes[row["goal_id"]], "org": orgs[row["org_id"]], "period": row["period_key"],
                   "value": str(row["value"])}}
        for target_id, row in zip(ids, rows, strict=True)])
    for row in rows:
        yield f"{codes[row['goal_id']]}:{orgs[row['org_id']]}:{row['period_key']}"
