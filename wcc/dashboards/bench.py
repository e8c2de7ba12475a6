"""``flask bench``: the dashboards on a synthetic network at scale, against the plain SQL floor.

Builds, in a database of its own (a SQLite file under the instance folder, or
a PostgreSQL database named ``wcc_bench_<scale>`` — never the app's), 31
provinces, 1,000 members, 20 goals, 50 quarterly periods, N approved reports
and 100,000 initiatives; loads them in bulk (PostgreSQL COPY, SQLite
executemany in large transactions); computes the rollups; then measures:

- in a process started afresh, the median server time (Flask test client) of the overview, one goal page,
  one province page and the goal JSON endpoint, with a cold cache (cleared
  before each request), a warm one, and "after write": the page's first
  request one second after an approval of a report in its range commits
  (beside it, the same second's pause without a write: what waking up costs
  the machine by itself);
- the answer's size, uncompressed and as sent to a client accepting Brotli;
- the bench process's peak resident set;
- the floor: the plain SQL GROUP BY over the raw report rows that each page's
  numbers need, run straight through the driver, once after each cold request;
- page / floor, and how the page time grows from the smallest to the largest scale.

Every page asks for the whole span of 50 periods (the heaviest range); the goal JSON is also
measured over one year (1404), against the floor of that year.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import statistics
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

SCALES = {"toy": 2_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
PROVINCES, MEMBERS, GOALS, PERIODS, INITIATIVES = 31, 1_000, 20, 50, 100_000
FIRST_YEAR = 1393  # 50 quarters: 1393-Q1 … 1405-Q2
PASSWORD = "bench-password-1404"
MINISTRY_EMAIL = "bench.ministry@wcc.example.org"
ADMIN_EMAIL = "bench.admin@wcc.example.org"
#: The goal JSON over one year (the last whole year of the span), against its own one-year floor.
ONE_YEAR = "goal JSON (1 year)"
#: Seconds between an approval's commit and the page's first request (the "after write" column).
AFTER_WRITE_PAUSE = 1.0
CHUNK = 50_000


# --- the synthetic network ---------------------------------------------------------------

def _periods():
    from wcc.periods import Period

    out, period = [], Period(FIRST_YEAR, 1)
    for _ in range(PERIODS):
        out.append(period)
        period = period.next()
    return out


def _defaults(table) -> dict:
    """Values for every column a bulk row leaves out: the model's default, else NULL."""
    out = {}
    for column in table.columns:
        default = column.default
        if default is None:
            out[column.name] = None
        elif default.is_callable:
            out[column.name] = default.arg(None)
        elif default.is_scalar:
            out[column.name] = default.arg
        else:
            out[column.name] = None
    return out


class Loader:
    """Bulk inserts: COPY on PostgreSQL, executemany in large transactions on SQLite."""

    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def load(self, table, rows, total: int, label: str) -> None:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        # Rows without an id leave it to the database's sequence.
        columns = [c.name for c in table.columns if c.name != "id" or "id" in first]
        defaults = _defaults(table)
        with click.progressbar(length=total, label=f"  {label:<22}", show_pos=True) as bar:
            batch: list = []
            for row in itertools.chain([first], rows):
                batch.append(tuple(row.get(c, defaults[c]) for c in columns))
                if len(batch) >= CHUNK:
                    self._write(table.name, columns, batch)
                    bar.update(len(batch))
                    batch = []
            if batch:
                self._write(table.name, columns, batch)
                bar.update(len(batch))

    def _write(self, name: str, columns: list[str], batch: list[tuple]) -> None:
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.postgres:
                quoted = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({marks})',
                                   [tuple(_sqlite(v) for v in row) for row in batch])
            raw.commit()
        finally:
            raw.close()

    def fix_sequences(self, tables) -> None:
        if not self.postgres:
            return
        from sqlalchemy import text

        with self.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _sqlite(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def build_network(reports: int, seed: int = 1404, members_count: int = MEMBERS,
                  initiatives: int = INITIATIVES) -> dict:
    """Fill the (empty, migrated) database of the current app; returns what the measurements need."""
    from wcc.auth.models import User
    from wcc.auth.services import hash_password
    from wcc.extensions import db
    from wcc.goals.models import Goal, Target
    from wcc.initiatives.models import Category, Craft, Initiative, initiative_crafts
    from wcc.orgs.models import Organisation
    from wcc.reporting.models import ProgressReport

    rng = random.Random(seed)
    engine = db.engine
    loader = Loader(engine)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    # Organisations: the network, 31 provinces, 969 municipalities (1,000 members).
    orgs = [{"id": 1, "code": "WCC", "kind": "network", "name_fa": "اتحادیه", "name_en": "WCC", "name_ru": "Союз",
             "country": "IR", "active": True, "created_at": now, "updated_at": now}]
    centres = {}
    for p in range(PROVINCES):
        lat, lon = 27 + 11 * rng.random(), 46 + 14 * rng.random()
        centres[p] = (lat, lon)
        orgs.append({"id": 2 + p, "code": f"IR-{p:02d}", "kind": "province", "parent_id": 1,
                     "name_fa": f"استان {p}", "name_en": f"Province {p}", "name_ru": f"Провинция {p}",
                     "country": "IR", "latitude": lat, "longitude": lon, "active": True,
                     "created_at": now, "updated_at": now})
    for m in range(members_count - PROVINCES):
        p = m % PROVINCES
        lat, lon = centres[p]
        orgs.append({"id": 2 + PROVINCES + m, "code": f"IR-{p:02d}-TOWN{m:04d}", "kind": "municipality",
                     "parent_id": 2 + p, "settlement": "city", "name_fa": f"شهر {m}", "name_en": f"Town {m}",
                     "name_ru": f"Город {m}", "country": "IR", "latitude": lat + rng.uniform(-0.8, 0.8),
                     "longitude": lon + rng.uniform(-0.8, 0.8), "active": True, "created_at": now,
                     "updated_at": now})
    loader.load(Organisation.__table__, orgs, len(orgs), "organisations")
    members = [o for o in orgs if o["kind"] != "network"]
    loader.load(User.__table__, [{"id": 1, "email": MINISTRY_EMAIL, "email_normalised": MINISTRY_EMAIL,
                                  "name": "Bench ministry", "password_hash": hash_password(PASSWORD),
                                  "role": "ministry", "org_id": 1, "active": True, "created_at": now,
                                  "updated_at": now},
                                 {"id": 2, "email": ADMIN_EMAIL, "email_normalised": ADMIN_EMAIL,
                                  "name": "Bench admin", "password_hash": hash_password(PASSWORD),
                                  "role": "admin", "org_id": 1, "active": True, "created_at": now,
                                  "updated_at": now}], 2, "users")
    # Goals: 14 added up (two in EUR), 3 latest levels, 3 averaged levels; all quarterly.
    periods = _periods()
    goals = []
    for g in range(GOALS):
        aggregation = "sum" if g < 14 else ("latest" if g < 17 else "average")
        goals.append({"id": 1 + g, "code": f"G{g + 1:02d}", "title_fa": f"هدف {g + 1}", "title_en": f"Goal {g + 1}",
                      "title_ru": f"Цель {g + 1}", "description_fa": "", "description_en": "", "description_ru": "",
                      "theme": ("exports", "promotion", "market_access", "events", "capacity")[g % 5],
                      "unit": "EUR" if g < 2 else ("percent" if aggregation != "sum" else "count"),
                      "aggregation": aggregation, "direction": "higher", "frequency": "quarterly",
                      "first_period": periods[0].key, "last_period": periods[-1].key,
                      "reported_by_province": True, "reported_by_municipality": True, "due_days": 30,
                      "active": True, "public_dashboard": g == 0, "created_at": now, "updated_at": now})
    loader.load(Goal.__table__, goals, len(goals), "goals")
    years = sorted({p.year for p in periods})
    targets = ({"goal_id": goal["id"], "org_id": org["id"], "period_key": str(y),
                "value": Decimal(400 if goal["aggregation"] == "sum" else 80), "updated_at": now}
               for goal in goals for org in orgs for y in years)
    loader.load(Target.__table__, targets, len(goals) * len(orgs) * len(years), "targets")
    # Reports: N distinct (member, goal, period) cells, all approved.
    cells = len(members) * len(goals) * len(periods)
    chosen = range(cells) if reports >= cells else sorted(rng.sample(range(cells), reports))

    def report_rows():
        for index, cell in enumerate(chosen, start=1):
            m, rest = divmod(cell, len(goals) * len(periods))
            g, p = divmod(rest, len(periods))
            period, goal = periods[p], goals[g]
            value = rng.randrange(0, 200) if goal["aggregation"] == "sum" else rng.randrange(50, 100)
            yield {"id": index, "goal_id": goal["id"], "org_id": members[m]["id"], "period_key": period.key,
                   "period_year": period.year, "period_quarter": period.quarter, "period_start": period.first_day,
                   "period_end": period.last_day, "value": Decimal(value), "narrative": "", "status": "approved",
                   "version": 1, "is_late": rng.random() < 0.1, "submitted_at": now, "approved_at": now,
                   "created_at": now, "updated_at": now}

    loader.load(ProgressReport.__table__, report_rows(), len(chosen), "reports")
    # Initiatives: 100,000 over the members, in the categories and crafts the migrations created.
    from sqlalchemy import select

    category_ids = list(db.session.scalars(select(Category.id).order_by(Category.id)))
    craft_ids = list(db.session.scalars(select(Craft.id).order_by(Craft.id)))
    count = initiatives
    statuses = ("planned", "active", "completed", "cancelled")
    loader.load(Initiative.__table__, ({
        "id": i + 1, "org_id": members[i % len(members)]["id"],
        "category_id": category_ids[i % len(category_ids)], "title": f"Initiative {i}",
        "summary": "", "story": "", "status": statuses[i % 4], "published": i % 5 != 0, "search_text": f"initiative {i}",
        "start_date": periods[i % PERIODS].first_day, "end_date": periods[i % PERIODS].last_day, "version": 1,
        "created_at": now, "updated_at": now} for i in range(count)), count, "initiatives")
    loader.load(initiative_crafts, ({"initiative_id": i + 1, "craft_id": craft_ids[(i + k) % len(craft_ids)]}
                                    for i in range(count) for k in range(1 + i % 2)),
                count + count // 2, "initiative crafts")
    loader.fix_sequences(["organisations", "users", "goals", "targets", "progress_reports", "initiatives"])
    return {"first": periods[0].key, "last": periods[-1].key, "goal": goals[0]["code"], "province": "IR-10",
            "reports": len(chosen)}


# --- the floor: the raw GROUP BYs each page needs ------------------------------------------

def floor_queries(info: dict, network_id: int = 1) -> dict[str, list[tuple[str, tuple]]]:
    """Each page's floor over the whole span, and the goal JSON's over one year (``ONE_YEAR``)."""
    floors = _floors(info, info["first"], info["last"])
    floors[ONE_YEAR] = _floors(info, *one_year(info))["goal JSON"]
    return floors


def one_year(info: dict) -> tuple[str, str]:
    """The last whole year of the span: the range of the one-year goal JSON."""
    from wcc.periods import parse_period

    year = parse_period(info["last"]).year - (0 if info["last"].endswith("Q4") else 1)
    return f"{year}-Q1", f"{year}-Q4"


def _floors(info: dict, first: str, last: str) -> dict[str, list[tuple[str, tuple]]]:
    from wcc.periods import parse_period

    start, end = parse_period(first).first_day, parse_period(last).last_day
    area = "CASE WHEN o.kind = 'province' THEN o.id ELSE o.parent_id END"
    approved_range = "r.status = 'approved' AND r.value IS NOT NULL AND r.period_start >= ? AND r.period_end <= ?"
    reported = "r.status IN ('approved', 'submitted', 'reviewed', 'returned')"
    network = (f"SELECT r.goal_id, r.period_key, SUM(r.value), COUNT(r.value) FROM progress_reports r "
               f"WHERE {approved_range} GROUP BY r.goal_id, r.period_key", (start, end))
    provinces = (f"SELECT r.goal_id, {area} AS area, SUM(r.value), COUNT(r.value) FROM progress_reports r "
                 f"JOIN organisations o ON o.id = r.org_id WHERE {approved_range} GROUP BY r.goal_id, {area}",
                 (start, end))
    compliance = (f"SELECT {area} AS area, r.period_key, SUM(CASE WHEN r.status = 'approved' AND NOT r.is_late "
                  f"THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'approved' AND r.is_late THEN 1 ELSE 0 END), "
                  f"SUM(CASE WHEN r.status <> 'approved' THEN 1 ELSE 0 END) FROM progress_reports r "
                  f"JOIN organisations o ON o.id = r.org_id WHERE {reported} AND r.period_start >= ? "
                  f"AND r.period_end <= ? GROUP BY {area}, r.period_key", (start, end))
    missing = (f"SELECT r.org_id, COUNT(*) FROM progress_reports r WHERE {reported} AND r.period_key = ? "
               f"GROUP BY r.org_id", (last,))
    goal = "(SELECT id FROM goals WHERE code = ?)"
    province = "(SELECT id FROM organisations WHERE code = ?)"
    floors = {
        "overview": [network, provinces, compliance, missing],
        "goal": [
            (f"SELECT r.org_id, SUM(r.value), COUNT(r.value), MAX(r.period_start) FROM progress_reports r "
             f"WHERE r.goal_id = {goal} AND {approved_range} GROUP BY r.org_id", (info["goal"], start, end)),
            (f"SELECT r.period_key, SUM(r.value), COUNT(r.value) FROM progress_reports r WHERE r.goal_id = {goal} "
             f"AND {approved_range} GROUP BY r.period_key", (info["goal"], start, end)),
            (f"SELECT {area} AS area, r.period_key, SUM(r.value), COUNT(r.value) FROM progress_reports r "
             f"JOIN organisations o ON o.id = r.org_id WHERE r.goal_id = {goal} AND {approved_range} "
             f"GROUP BY {area}, r.period_key", (info["goal"], start, end)),
        ],
        # The JSON also lists every member's value in every period of the range.
        "goal JSON": [
            (f"SELECT r.org_id, r.period_key, r.value FROM progress_reports r WHERE r.goal_id = {goal} "
             f"AND {approved_range}", (info["goal"], start, end)),
        ],
        "province": [
            (f"SELECT r.goal_id, r.org_id, SUM(r.value), COUNT(r.value) FROM progress_reports r "
             f"JOIN organisations o ON o.id = r.org_id WHERE (o.id = {province} OR o.parent_id = {province}) "
             f"AND {approved_range} GROUP BY r.goal_id, r.org_id", (info["province"], info["province"], start, end)),
            provinces, network,
            (f"SELECT r.org_id, r.period_key, COUNT(*) FROM progress_reports r JOIN organisations o "
             f"ON o.id = r.org_id WHERE (o.id = {province} OR o.parent_id = {province}) AND {reported} "
             f"GROUP BY r.org_id, r.period_key", (info["province"], info["province"])),
        ],
    }
    floors["goal JSON"] = floors["goal"] + floors["goal JSON"]
    return floors


def run_floor(engine, queries: list[tuple[str, tuple]]) -> float:
    """Seconds to run ``queries`` straight through the driver, fetching every row."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        postgres = engine.dialect.name == "postgresql"
        started = time.perf_counter()
        for sql, params in queries:
            if postgres:
                cursor.execute(sql.replace("?", "%s"), params)
            else:
                cursor.execute(sql, tuple(_sqlite(p) for p in params))
            cursor.fetchall()
        elapsed = time.perf_counter() - started
        raw.rollback()
        return elapsed
    finally:
        raw.close()


# --- measuring -----------------------------------------------------------------------------

def page_ranges(info: dict) -> dict[str, tuple[str, str]]:
    """Each measured page and its range: the whole span, and one year for ``ONE_YEAR``."""
    span = (info["first"], info["last"])
    return {"overview": span, "goal": span, "province": span, "goal JSON": span, ONE_YEAR: one_year(info)}


def page_urls(info: dict) -> dict[str, str]:
    paths = {"overview": "/dashboards", "goal": f"/dashboards/goals/{info['goal']}",
             "province": f"/dashboards/provinces/{info['province']}",
             "goal JSON": f"/api/v1/dashboard/goals/{info['goal']}", ONE_YEAR: f"/api/v1/dashboard/goals/{info['goal']}"}
    return {page: f"{paths[page]}?period_from={first}&period_to={last}"
            for page, (first, last) in page_ranges(info).items()}


def signed_in_client(app):
    """A test client signed in as the bench's ministry user, whose every request runs in a context of
    its own, as a server runs it: its own app context and database session. (Sharing the bench's
    session would keep the user loaded from one request to the next, and make every request after
    the bench's own commits load it again: warm too fast, "after write" too slow.)"""
    import contextvars

    from flask.testing import FlaskClient
    from sqlalchemy import select

    from wcc.auth import services
    from wcc.auth.models import User
    from wcc.extensions import db

    class RequestClient(FlaskClient):
        def open(self, *args, **kwargs):
            return contextvars.Context().run(super().open, *args, **kwargs)

    client = RequestClient(app, app.response_class, use_cookies=True)
    user = db.session.scalar(select(User).where(User.email == MINISTRY_EMAIL))
    row = services.start_session(user, "127.0.0.1", "bench")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["sid"] = row.id
    return client


def measure(app, info: dict, repeat: int) -> dict:
    from wcc import settle_collector
    from wcc.extensions import cache, db

    settle_collector()  # as a serving process is (app.py), with the bench's app loaded
    client = signed_in_client(app)
    results = {}
    floors = floor_queries(info)
    ranges = page_ranges(info)
    for name, url in page_urls(info).items():
        cold, warm, after, floor = [], [], [], []
        # Each cold request is followed by its floor, so the two meet the machine in the same state
        # (on a shared machine, measured a minute apart, their ratio drifted by a third).
        for _ in range(repeat):
            cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            cold.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise click.ClickException(f"{url} answered {response.status_code}")
            floor.append(run_floor(db.engine, floors[name]))
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            warm.append(time.perf_counter() - started)
        packed = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        for i in range(repeat):
            approve_one(info, i, *ranges[name])
            time.sleep(AFTER_WRITE_PAUSE)
            started = time.perf_counter()
            client.get(url)
            after.append(time.perf_counter() - started)
        # The same pause without a write: what waking up after a second costs this machine by itself.
        idle = []
        for _ in range(repeat):
            time.sleep(AFTER_WRITE_PAUSE)
            started = time.perf_counter()
            client.get(url)
            idle.append(time.perf_counter() - started)
        results[name] = {"cold": statistics.median(cold), "warm": statistics.median(warm),
                         "floor": statistics.median(floor),
                         "after": statistics.median(after), "idle": statistics.median(idle),
                         "bytes": len(response.data),
                         "packed": len(packed.data), "encoding": packed.headers.get("Content-Encoding", "none")}
    return results


def approve_one(info: dict, index: int, first: str, last: str) -> None:
    """An approval, as the app makes it, of a report in the page's range (``first`` … ``last``): one of the
    measured goal by a municipality, of the measured province first (the ``index``-th such report, first
    put back to "reviewed" directly in the table, as a report waiting for approval). A network too
    sparse to have one in the range (a toy) approves one outside it. Jobs the commit
    asks for (warming the answers it invalidated) run as at the end of the approving request."""
    from sqlalchemy import and_, select, update

    from wcc.auth.models import User
    from wcc.extensions import db
    from wcc.goals.models import Goal
    from wcc.jobs import run_ready_jobs
    from wcc.orgs.models import Organisation
    from wcc.periods import parse_period
    from wcc.reporting import services
    from wcc.reporting.models import ProgressReport

    # End the read this session may have open since it signed the client in: on SQLite a write from
    # a snapshot older than the requests' own commits is refused at once ("database is locked").
    db.session.commit()
    start, end = parse_period(first).first_day, parse_period(last).last_day
    province = select(Organisation.id).where(Organisation.code == info["province"]).scalar_subquery()
    report_id = db.session.scalar(
        select(ProgressReport.id).join(Organisation, ProgressReport.org_id == Organisation.id)
        .where(ProgressReport.goal_id == select(Goal.id).where(Goal.code == info["goal"]).scalar_subquery(),
               Organisation.kind == "municipality", ProgressReport.status == "approved")
        .order_by(~and_(ProgressReport.period_start >= start, ProgressReport.period_end <= end),
                  Organisation.parent_id != province, ProgressReport.id).offset(index).limit(1))
    if report_id is None:
        raise click.ClickException("no approved report left to approve again")
    db.session.execute(update(ProgressReport).where(ProgressReport.id == report_id)
                       .values(status="reviewed", approved_at=None, approved_by_id=None))
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    services.approve(db.session.get(ProgressReport, report_id), admin)
    db.session.commit()
    run_ready_jobs()


def peak_rss_mb() -> float:
    """The peak resident set of this process so far, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def bench_app(backend: str, scale: str, pg_url: str):
    """An app on the benchmark's own database for ``scale``, freshly created and migrated."""
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    from wcc import create_app
    from wcc.extensions import db

    instance = Path(current_app.config["INSTANCE_DIR"]) / "bench"
    instance.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        path = instance / f"bench-{scale}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        name = f"wcc_bench_{scale}"
        admin = make_url(pg_url)
        with psycopg.connect(host=admin.host, port=admin.port or 5432, user=admin.username,
                             password=admin.password, dbname=admin.database or "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = admin.set(database=name, drivername="postgresql+psycopg").render_as_string(hide_password=False)
    app = create_app(_config(url, instance))
    with app.app_context():
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        try:
            yield app, url
        finally:
            db.session.remove()
            db.engine.dispose()


def _config(url: str, instance) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(instance), "CACHE_TYPE": "SimpleCache",
            "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING"}


def measure_in_fresh_process(url: str, instance: str, info: dict, repeat: int) -> dict:
    """``measure`` in a process started afresh, as a server's worker is, on the bench's database.
    The process that has just generated a network keeps a large heap from it, where the same cold
    goal page ran 10-15 % slower than in a new process (docs/PERFORMANCE.md)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure_here, (url, instance, info, repeat))


def _measure_here(url: str, instance: str, info: dict, repeat: int) -> dict:
    from wcc import create_app
    from wcc.extensions import db

    app = create_app(_config(url, instance))
    with app.app_context():
        try:
            return measure(app, info, repeat)
        finally:
            db.session.remove()
            db.engine.dispose()


def _analyse() -> None:
    from sqlalchemy import text

    from wcc.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@click.command("bench")
@click.option("--scale", "scales", multiple=True, type=click.Choice(list(SCALES)), default=["10k", "1m"],
              show_default=True, help="Number of approved reports; repeat to compare scales.")
@click.option("--backend", type=click.Choice(["sqlite", "postgresql", "both"]), default="both", show_default=True)
@click.option("--repeat", default=7, show_default=True, help="Measurements per page; the median is reported.")
@click.option("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres", show_default=True,
              help="A PostgreSQL server where the benchmark may create its own databases.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Also write the results table here.")
@click.option("--members", default=MEMBERS, show_default=True, help="Members (a smaller network for a quick try).")
@click.option("--initiatives", default=INITIATIVES, show_default=True)
@with_appcontext
def bench(scales: tuple[str, ...], backend: str, repeat: int, pg_url: str, out: str | None, members: int,
          initiatives: int) -> None:
    """Benchmark the dashboards on a synthetic network, in databases of their own."""
    from wcc.dashboards.rollups import rebuild
    from wcc.extensions import db

    backends = ["sqlite", "postgresql"] if backend == "both" else [backend]
    results: dict[tuple[str, str], dict] = {}
    for name in backends:
        for scale in scales:
            click.echo(f"\n== {name}, {scale} reports")
            with bench_app(name, scale, pg_url) as (app, url):
                started = time.perf_counter()
                info = build_network(SCALES[scale], members_count=members, initiatives=initiatives)
                loaded = time.perf_counter() - started
                # The rows came through other connections: end this session's read snapshot first.
                db.session.commit()
                started = time.perf_counter()
                counts = rebuild()
                db.session.commit()
                rolled = time.perf_counter() - started
                _analyse()
                click.echo(f"  loaded in {loaded:.1f} s; rollups rebuilt in {rolled:.1f} s: {counts}")
                results[(name, scale)] = measure_in_fresh_process(url, app.config["INSTANCE_DIR"], info, repeat)
                results[(name, scale)]["_meta"] = {"load": loaded, "rollups": rolled, "reports": info["reports"],
                                                   "rss": peak_rss_mb()}
    text = report(results, scales, backends)
    click.echo("\n" + text)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")


def report(results: dict, scales, backends) -> str:
    lines = ["| backend | reports | page | cold (ms) | warm (ms) | floor (ms) | cold / floor | response (KB) "
             "| after write (ms) | compressed (KB) | warm after 1 s idle (ms) |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for backend in backends:
        for scale in scales:
            entry = results[(backend, scale)]
            for page, r in entry.items():
                if page.startswith("_"):
                    continue
                lines.append(f"| {backend} | {entry['_meta']['reports']:,} | {page} | {r['cold'] * 1000:.1f} | "
                             f"{r['warm'] * 1000:.1f} | {r['floor'] * 1000:.1f} | {r['cold'] / r['floor']:.2f} | "
                             f"{r['bytes'] / 1024:.0f} | {r['after'] * 1000:.1f} | "
                             f"{r['packed'] / 1024:.0f} ({r['encoding']}) | {r['idle'] * 1000:.1f} |")
    if len(scales) > 1:
        small, large = scales[0], scales[-1]
        lines += ["", f"| backend | page | cold {large} / {small} | warm {large} / {small} |", "| --- | --- | ---: | ---: |"]
        for backend in backends:
            for page, r in results[(backend, large)].items():
                if page.startswith("_"):
                    continue
                base = results[(backend, small)][page]
                lines.append(f"| {backend} | {page} | {r['cold'] / base['cold']:.2f} | {r['warm'] / base['warm']:.2f} |")
    load = [f"{b} {s}: loaded {results[(b, s)]['_meta']['load']:.1f} s, rollups {results[(b, s)]['_meta']['rollups']:.1f} s, "
            f"peak RSS of the bench process {results[(b, s)]['_meta']['rss']:.0f} MB"
            for b in backends for s in scales]
    return "\n".join(lines + ["", *load])


