"""Two years of demo reports (1403 and 1404), with the history a real network would have.

Most reports of 1403 and early 1404 are approved, some of them late and a few
after being returned once; some were never sent. The last quarter and the
year 1404 are still moving: drafts, submissions waiting for the province or
the secretariat, reports returned with comments, and missing ones. Rows are
inserted in bulk per member, so seeding takes seconds; the audit trail gets the
same events the app would have written, so every report has its history.
Most reports cite the member's initiatives that contribute to the goal and ran
during the period.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from wcc.audit.models import AuditEvent
from wcc.auth.models import Role, User
from wcc.extensions import db
from wcc.goals.demo import member_scale, reporting_members
from wcc.goals.models import Goal
from wcc.i18n.text import to_persian_digits
from wcc.initiatives.models import Initiative, initiative_goals
from wcc.orgs.models import OrgKind
from wcc.periods import Period, periods_between
from wcc.reporting.models import CommentKind, ProgressReport, ReportComment, Status, report_initiatives

YEARS = (1403, 1404)
#: A rough count for the progress bar of ``flask seed-demo``.
EXPECTED_REPORTS = 2200
#: The share of reports that cite initiatives, where the member has one that fits.
LINK_SHARE = 0.85

NARRATIVES_FA = {
    "EXPORT-RU": ["ارسال {n} محموله نمد و فرش دستباف به خریداران مسکو.",
                  "فروش سوزن‌دوزی و گلیم از طریق نمایندهٔ فروش در مسکو؛ فاکتورها پیوست است."],
    "EXHIBITIONS": ["برگزاری نمایشگاه زندهٔ صنایع دستی در جشن روز ملی سفارت.",
                    "غرفهٔ صنایع دستی در نمایشگاه بین‌المللی مسکو با حضور {n} هنرمند."],
    "BROCHURES-RU": ["انتشار بروشور ساده‌نویس روسی دربارهٔ نمدمالی.", "چاپ {n} بروشور معرفی سوزن‌دوزی به زبان روسی."],
    "PHOTOGRAPHY": ["عکاسی حرفه‌ای از {n} محصول برای کاتالوگ برخط.", "عکاسی از مجموعهٔ جدید فرش و نمد."],
    "FILM-PLACEMENTS": ["نمایش صنایع دستی در یک سریال روسی.", "اجارهٔ لوکیشن به گروه فیلم‌سازی روس."],
    "HOTEL-PLACEMENTS": ["عرضهٔ مجموعهٔ صنایع دستی در هتل‌های زنجیره‌ای.", "غرفهٔ دائمی در اتاق بازرگانی."],
    "AUCTIONS": ["برگزاری حراج صنایع دستی ممتاز در مسکو.", "حراج فرش‌های نفیس با همکاری اتاق بازرگانی."],
    "POSTAL-ONTIME": ["بر پایهٔ گزارش پست، {n} درصد مرسولات به‌موقع رسیدند.", "بهبود بسته‌بندی و کنترل کیفیت پیش از ارسال."],
    "MARKET-STUDIES": ["مطالعهٔ رفتار خریداران روس در خرید صنایع دستی ایرانی.", "بررسی بازار هدیه‌های سازمانی در روسیه."],
    "STORIES": ["انتشار {n} روایت دربارهٔ هنرمندان نمدمال در رسانه‌ها.", "روایت‌های ویدیویی از کارگاه‌های سوزن‌دوزی."],
    "ARTISANS-TRAINED": ["برگزاری کارگاه آموزش صادرات و بسته‌بندی برای {n} هنرمند.", "دورهٔ قیمت‌گذاری و طراحی برای هنرمندان."],
}
NARRATIVES_EN = {
    "EXPORT-RU": ["{n} shipments of carpets and felt rugs to buyers in Moscow.",
                  "Sales through the Moscow representative; invoices attached."],
    "EXHIBITIONS": ["A live craft show at an embassy national-day reception.", "A stand at a Moscow trade fair."],
    "BROCHURES-RU": ["A plain-language Russian brochure on carpet weaving."],
    "PHOTOGRAPHY": ["Professional photos of {n} products for the online catalogue."],
    "HOTEL-PLACEMENTS": ["A craft collection placed in a hotel chain."],
    "STORIES": ["{n} stories about local carpet weavers published."],
    "ARTISANS-TRAINED": ["An export and packaging workshop for {n} artisans."],
}
#: Members whose demo officer writes in English.
ENGLISH_NARRATIVES = {"IR-03-TABRIZ"}
RETURN_COMMENTS = [
    "لطفاً فاکتورهای فروش را به‌عنوان مستند پیوست کنید.",
    "رقم گزارش‌شده با گزارش گمرک همخوانی ندارد؛ لطفاً بررسی کنید.",
    "شرح اقدام کامل نیست؛ تاریخ و محل برگزاری را بنویسید.",
    "این مقدار مربوط به فصل قبل است؛ لطفاً اصلاح کنید.",
]


def _at(day, hour: int, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=UTC)


def _value(goal: Goal, org_code: str, period: Period, rng: random.Random) -> Decimal:
    low, high = member_scale(org_code, goal.code)
    growth = 1.0 + 0.18 * (period.year - YEARS[0])
    if goal.unit == "percent":
        quarter = (period.year - YEARS[0]) * 4 + (period.quarter or 4)
        return Decimal(str(round(min(99.0, rng.uniform(low, high) + 1.2 * quarter), 1)))
    raw = rng.uniform(low, high) * growth
    if goal.unit == "EUR":
        return Decimal(str(round(raw / 10) * 10))
    return Decimal(max(0, round(raw)))


def _fate(period: Period, municipal: bool, rng: random.Random) -> str:
    """What became of this report: missing, draft, submitted, reviewed, returned or approved."""
    recent = period.year == YEARS[-1] and period.quarter in (None, 4)
    r = rng.random()
    if not recent:
        return "missing" if r < 0.06 else "approved"
    for fate, share in (("missing", 0.12), ("draft", 0.05), ("returned", 0.06), ("submitted", 0.12),
                        ("reviewed", 0.13)):
        if r < share:
            return fate if municipal or fate != "reviewed" else "submitted"
        r -= share
    return "approved"


def _narrative(goal: Goal, org_code: str, value: Decimal, rng: random.Random, english: bool) -> str:
    pool = (NARRATIVES_EN if english else NARRATIVES_FA).get(goal.code) or NARRATIVES_FA[goal.code]
    n = str(int(value)) if goal.unit != "percent" else str(value)
    text = rng.choice(pool).format(n=n)
    return text if english else to_persian_digits(text)


def seed_reports() -> Iterator[str]:
    goals = list(db.session.scalars(select(Goal).where(Goal.active.is_(True)).order_by(Goal.code)))
    members = reporting_members()
    users = list(db.session.scalars(select(User).where(User.active.is_(True))))
    officer = {u.org_id: u for u in users if u.role in (Role.PROVINCE, Role.MUNICIPALITY)}
    admin = next((u for u in users if u.role == Role.ADMIN), None)
    existing = set(db.session.execute(
        select(ProgressReport.org_id, ProgressReport.goal_id, ProgressReport.period_key)).all())
    work = _initiatives_by_member_and_goal()
    for org in members:
        reports, histories = [], []
        for goal in goals:
            if not goal.reported_by(org):
                continue
            periods = periods_between(Period(YEARS[0], 1), Period(YEARS[-1], 4)) \
                if goal.frequency == "quarterly" else [Period(y) for y in YEARS]
            for period in periods:
                if (org.id, goal.id, period.key) in existing:
                    continue
                rng = random.Random(f"report:{org.code}:{goal.code}:{period.key}")
                built = _build(org, goal, period, rng, officer, admin)
                if built is not None:
                    row, history = built
                    history["initiatives"] = _cited(work.get((org.id, goal.id), []), period,
                                                    random.Random(f"links:{org.code}:{goal.code}:{period.key}"))
                    history["events"][0]["after"]["initiatives"] = history["initiatives"]
                    reports.append(row)
                    histories.append(history)
        if not reports:
            continue
        ids = db.session.scalars(insert(ProgressReport).returning(ProgressReport.id, sort_by_parameter_order=True),
                                 reports).all()
        events, comments, links = [], [], []
        for report_id, history in zip(ids, histories, strict=True):
            for event in history["events"]:
                events.append({**event, "object_type": ProgressReport.__tablename__, "object_id": str(report_id)})
            for comment in history["comments"]:
                comments.append({**comment, "report_id": report_id})
            links.extend({"report_id": report_id, "initiative_id": i} for i in history["initiatives"])
        db.session.execute(insert(AuditEvent), events)
        if comments:
            db.session.execute(insert(ReportComment), comments)
        if links:
            db.session.execute(insert(report_initiatives), links)
        for row in reports:
            yield f"{org.code}:{row['period_key']}"


def _initiatives_by_member_and_goal() -> dict[tuple[int, int], list[tuple[int, date | None, date | None]]]:
    """{(org id, goal id): [(initiative id, start, end)]} of the initiatives not deleted, in one query."""
    rows = db.session.execute(
        select(Initiative.org_id, initiative_goals.c.goal_id, Initiative.id, Initiative.start_date,
               Initiative.end_date)
        .join(initiative_goals, initiative_goals.c.initiative_id == Initiative.id)
        .where(Initiative.deleted_at.is_(None)).order_by(Initiative.id))
    work: dict[tuple[int, int], list] = {}
    for org_id, goal_id, initiative_id, start, end in rows:
        work.setdefault((org_id, goal_id), []).append((initiative_id, start, end))
    return work


def _cited(candidates, period: Period, rng: random.Random) -> list[int]:
    """Ids of one to three of the candidates that ran during the period, for most reports."""
    running = [i for i, start, end in candidates
               if (start is None or start <= period.last_day) and (end is None or end >= period.first_day)]
    if not running or rng.random() >= LINK_SHARE:
        return []
    return sorted(rng.sample(running, min(len(running), rng.randint(1, 3))))


def _build(org, goal: Goal, period: Period, rng: random.Random, officer: dict, admin):
    """One report row and its events, or None when the member never reported."""
    municipal = org.kind == OrgKind.MUNICIPALITY
    fate = _fate(period, municipal, rng)
    if fate == "missing":
        return None
    author = officer.get(org.id)
    reviewer = officer.get(org.parent_id) if municipal else None
    reviewer = reviewer or admin
    english = org.code in ENGLISH_NARRATIVES
    value = _value(goal, org.code, period, rng)
    narrative = _narrative(goal, org.code, value, rng, english)
    end = period.last_day
    due = end + timedelta(days=goal.due_days)
    late = rng.random() < (0.2 if fate != "approved" else 0.12)
    created = _at(end + timedelta(days=rng.randrange(1, 15)), 8, rng)
    submitted_day = due + timedelta(days=rng.randrange(3, 45)) if late else \
        min(due, created.date() + timedelta(days=rng.randrange(0, 12)))
    t = max(created + timedelta(hours=1), _at(submitted_day, 11, rng))
    author_id = getattr(author, "id", None)
    events = [_event("report.create", created, author_id, None,
                     {"goal": goal.code, "org": org.code, "period": period.key, "value": str(value),
                      "narrative": narrative, "status": "draft"})]
    comments: list[dict] = []
    row = {"goal_id": goal.id, "org_id": org.id, "period_key": period.key, "period_year": period.year,
           "period_quarter": period.quarter, "period_start": period.first_day, "period_end": end,
           "value": value, "narrative": narrative, "status": Status.DRAFT, "is_late": False,
           "created_by_id": author_id, "updated_by_id": author_id, "created_at": created, "updated_at": created,
           "version": 1, "submitted_at": None, "submitted_by_id": None, "reviewed_at": None,
           "reviewed_by_id": None, "approved_at": None, "approved_by_id": None, "returned_at": None}
    if fate == "draft":
        return row, {"events": events, "comments": comments}

    def step(action: str, at: datetime, actor_id, before: str, after: str) -> None:
        events.append(_event(action, at, actor_id, {"status": before, "value": str(value)},
                             {"status": after, "value": str(value)}))

    row.update(status=Status.SUBMITTED, submitted_at=t, submitted_by_id=author_id, is_late=t.date() > due)
    step("report.submit", t, author_id, "draft", "submitted")
    returned_once = fate == "returned" or (fate == "approved" and rng.random() < 0.05)
    if returned_once:
        t += timedelta(days=rng.randrange(2, 9), hours=rng.randrange(8))
        body = rng.choice(RETURN_COMMENTS)
        events.append(_event("report.return", t, reviewer.id if reviewer else None,
                             {"status": "submitted", "value": str(value)},
                             {"status": "returned", "value": str(value), "comment": body}))
        comments.append({"author_id": reviewer.id if reviewer else None, "kind": CommentKind.RETURN,
                         "body": body, "created_at": t})
        row.update(status=Status.RETURNED, returned_at=t)
        if fate == "returned":
            row.update(version=len(events), updated_at=t)
            return row, {"events": events, "comments": comments}
        t += timedelta(days=rng.randrange(1, 6), hours=rng.randrange(8))
        step("report.submit", t, author_id, "returned", "submitted")
        row.update(status=Status.SUBMITTED)
    if fate == "submitted":
        row.update(version=len(events), updated_at=t)
        return row, {"events": events, "comments": comments}
    if municipal:
        t += timedelta(days=rng.randrange(2, 12), hours=rng.randrange(8))
        step("report.review", t, reviewer.id if reviewer else None, "submitted", "reviewed")
        row.update(status=Status.REVIEWED, reviewed_at=t, reviewed_by_id=reviewer.id if reviewer else None)
    if fate == "reviewed":
        row.update(version=len(events), updated_at=t)
        return row, {"events": events, "comments": comments}
    t += timedelta(days=rng.randrange(3, 15), hours=rng.randrange(8))
    step("report.approve", t, admin.id if admin else None, row["status"], "approved")
    row.update(status=Status.APPROVED, approved_at=t, approved_by_id=admin.id if admin else None,
               version=len(events), updated_at=t)
    return row, {"events": events, "comments": comments}


def _event(action: str, at: datetime, actor_id, before, after) -> dict:
    return {"at": at, "actor_id": actor_id, "action": action, "before": before, "after": after}
