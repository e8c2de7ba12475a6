"""A large initiative import against a bare ``executemany`` of the same rows.

Usage:
    python tools/measure_import.py [--rows 100000] [--file-rows 5000] [--xlsx] [--postgres URL]

Each measurement runs in a process of its own on a fresh throwaway database
(SQLite in a temporary directory, or a new database on the PostgreSQL server at
URL, dropped afterwards) holding the demo network. Both generate the same
``--rows`` initiative rows in the import template's columns (Persian and
English titles, stories and partners, every member of the demo network,
categories, crafts and goals written as codes or words in fa/en/ru, money,
dates in both calendars, a third published), written as CSV files of
``--file-rows`` rows (the import's limit per file, as a user would send them;
``--file-rows 0`` sends one file with the limits raised) or XLSX with ``--xlsx``.

import        the app's import of every file, as the demo admin in a request, through
              ``transfer.import_table`` (what the page and the API call), one commit per
              file as a request would; the time of its write step is shown apart.
executemany   the rows the import's own checks make of the same files (prepared beforehand,
              not timed), written with the DBAPI cursor's ``executemany``: initiatives (with
              their ids given), craft and goal links, partners and the creation's audit
              rows, one commit per file.

What the import does that the bare insert does not: reading the files, checking and
converting every cell, the search text, bumping the dashboards' data version, and the
notices of published initiatives to the other officers of their province (a row each).
Prints each measurement's time, SQL statements (``before_cursor_execute``; the bare
insert counts its own ``executemany`` calls) and peak RSS, then a markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ADMIN = "admin@wcc.example.org"
TITLES_FA = ["نمایشگاه فرش دستباف", "صادرات نمد", "کارگاه سفال", "حراج گلیم", "بروشور صنایع دستی",
             "همکاری با قازان", "جشنواره مینیاتور", "بازارچه خاتم", "آموزش قلمزنی", "غرفه در مسکو"]
TITLES_EN = ["Carpet fair", "Felt export", "Pottery workshop", "Kilim auction", "Craft brochure",
             "Kazan partnership", "Miniature festival", "Khatam market", "Engraving course", "Moscow stand"]
PARTNERS = ["Экспоцентр", "Moscow Crafts House", "خانه صنایع دستی تبریز", "Kazan Art Gallery", "اتاق بازرگانی"]
CATEGORY_WORDS = ["export_deal", "نمایشگاه و اجرای زنده", "film", "Export deal", "Таможенное содействие"]
STATUS_WORDS = ["active", "فعال", "planned", "در حال اجرا", "completed", "завершена"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def progress(text: str) -> None:
    print(f"  {text}", file=sys.stderr, flush=True)


def make_app(database_url: str, instance: Path):
    from wcc import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "measure", "TESTING": True,
                       "INSTANCE_DIR": str(instance), "UPLOAD_DIR": str(instance / "uploads"),
                       "REDIS_URL": None, "SMTP_HOST": None, "CACHE_TYPE": "SimpleCache",
                       "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING"})


def seed_demo() -> None:
    from flask_migrate import upgrade

    from wcc.demo import SEED_STEPS
    from wcc.extensions import db

    upgrade()
    started = time.perf_counter()
    for _name, step, _expected in SEED_STEPS:
        for _ in step():
            pass
        db.session.commit()
    progress(f"demo network loaded in {time.perf_counter() - started:.1f} s")


def solar_hijri(day: date) -> str:
    """The date as an officer in Iran types it: «۱۴۰۳/۰۵/۱۲»."""
    from persiantools.digits import en_to_fa
    from persiantools.jdatetime import JalaliDate

    return en_to_fa(JalaliDate(day).strftime("%Y/%m/%d"))


def generate_files(count: int, file_rows: int, xlsx: bool) -> list[tuple[str, bytes]]:
    """``count`` rows in the template's columns (Persian headers), as files of ``file_rows`` rows."""
    from flask_babel import force_locale
    from sqlalchemy import select

    from wcc.extensions import db
    from wcc.goals.models import Goal
    from wcc.initiatives.models import Craft
    from wcc.initiatives.transfer import COLUMNS
    from wcc.orgs.models import Organisation, OrgKind
    from wcc.spreadsheets import csv_bytes, xlsx_bytes

    rng = random.Random(100_000)
    orgs = db.session.scalars(select(Organisation.code).where(Organisation.kind != OrgKind.NETWORK)).all()
    crafts = db.session.execute(select(Craft.code, Craft.name_fa, Craft.name_en).where(Craft.active)).all()
    goals = db.session.scalars(select(Goal.code).where(Goal.active)).all()
    columns = [c for c in COLUMNS if c.importable]
    with force_locale("fa"):
        headers = [str(c.label) for c in columns]
    rows = []
    for n in range(1, count + 1):
        start = date(2023, 3, 21) + timedelta(days=rng.randrange(1300))
        persian = rng.random() < 0.7
        title = f"{rng.choice(TITLES_FA if persian else TITLES_EN)} {n}"
        craft_words = [rng.choice(c[1:]) for c in rng.sample(crafts, rng.choice((1, 2, 2, 3)))]
        deal = rng.random() < 0.4
        cells = {
            "external_id": f"IMP-{n:06d}", "org": rng.choice(orgs), "title": title,
            "category": rng.choice(CATEGORY_WORDS), "status": rng.choice(STATUS_WORDS),
            "start_date": start.isoformat() if rng.random() < 0.5 else solar_hijri(start),
            "end_date": (start + timedelta(days=rng.randrange(30, 400))).isoformat() if rng.random() < 0.5 else "",
            "crafts": "; ".join(craft_words), "goals": "; ".join(rng.sample(goals, rng.choice((0, 1, 1, 2)))),
            "partner_country": rng.choice(["RU", "Russia", "روسیه", "", "TR"]),
            "partners": "; ".join(rng.sample(PARTNERS, rng.choice((0, 1, 2)))),
            "summary": " ".join(rng.choices(TITLES_FA + TITLES_EN, k=6)),
            "budget_amount": str(rng.randrange(10_000, 5_000_000)) if not deal else "",
            "budget_currency": "IRR" if not deal else "", "budget_value_date": "",
            "deal_value_amount": f"{rng.randrange(1000, 900_000)}.50" if deal else "",
            "deal_value_currency": rng.choice(["EUR", "RUB", "USD"]) if deal else "",
            "deal_value_date": start.isoformat() if deal else "",
            "contact_name": rng.choice(["مریم احمدی", "Elena Volkova", ""]),
            "contact_email": f"officer{n % 97}@example.org" if rng.random() < 0.5 else "",
            "contact_phone": "+98 31 3222 0000" if rng.random() < 0.3 else "",
            "published": rng.choice(["yes", "خیر", "no"]),
            "story": " ".join(rng.choices(TITLES_FA, k=rng.randrange(10, 60))),
        }
        rows.append([cells[c.key] for c in columns])
    size = file_rows or count
    files = []
    for first in range(0, count, size):
        chunk = rows[first:first + size]
        if xlsx:
            files.append((f"initiatives-{len(files) + 1}.xlsx", xlsx_bytes(headers, chunk, right_to_left=True)))
        else:
            files.append((f"initiatives-{len(files) + 1}.csv", csv_bytes(headers, chunk)))
    return files


def as_admin(app):
    """A request context signed in as the demo admin, as the import page runs in."""
    from flask_login import login_user

    from wcc.auth.services import find_user_by_email

    context = app.test_request_context("/initiatives/import", method="POST")
    context.push()
    login_user(find_user_by_email(ADMIN))
    return context


def measure_import(app, files) -> dict:
    from flask_login import current_user
    from sqlalchemy import event

    from wcc.extensions import db
    from wcc.initiatives import transfer

    count = {"n": 0}
    spent = {"write": 0.0}
    write = transfer._write

    def timed_write(plans, result):
        began = time.perf_counter()
        write(plans, result)
        spent["write"] += time.perf_counter() - began

    shapes: Counter[str] = Counter()

    def statement(_conn, _cursor, sql, *_args):
        count["n"] += 1
        shapes[" ".join(sql.split())[:100]] += 1

    transfer._write = timed_write
    event.listen(db.engine, "before_cursor_execute", statement)
    rss_before = rss_mb()
    started = time.perf_counter()
    created = 0
    for number, (name, data) in enumerate(files, start=1):
        context = as_admin(app)
        try:
            result = transfer.import_table(current_user, name, data)
            if not result.ok:
                raise SystemExit(f"{name}: {[e.as_dict() for e in result.errors[:5]]}")
            db.session.commit()
        finally:
            context.pop()
        created += result.created
        if number % 5 == 0 or number == len(files):
            progress(f"import: {number}/{len(files)} files, {time.perf_counter() - started:.1f} s")
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", statement)
    for sql, times in shapes.most_common(8):
        progress(f"{times:8d}  {sql}")
    return {"rows": created, "seconds": elapsed, "write_seconds": spent["write"], "statements": count["n"],
            "rss_before_mb": rss_before, "rss_peak_mb": rss_mb()}


def prepared_rows(app, files) -> list[dict[str, tuple[str, list]]]:
    """Per file: the rows each table gets, made by the import's own checks (not timed)."""
    from flask_login import current_user
    from sqlalchemy import func, select

    from wcc.audit.models import AuditEvent
    from wcc.db import utcnow
    from wcc.extensions import db
    from wcc.initiatives import services, transfer
    from wcc.initiatives.models import Initiative, Partner, initiative_crafts, initiative_goals

    batches = []
    captured = []
    write = transfer._write
    transfer._write = lambda plans, result: captured.append(plans)
    next_id = (db.session.scalar(select(func.max(Initiative.id))) or 0) + 1
    try:
        for name, data in files:
            context = as_admin(app)
            try:
                actor_id = current_user.id
                result = transfer.import_table(current_user, name, data)
                assert result.ok, result.errors[:3]
                tables = {"initiatives": [], "initiative_crafts": [], "initiative_goals": [],
                          "initiative_partners": [], "audit_events": []}
                with db.session.no_autoflush:
                    for org, _current, values in captured.pop():
                        ini = services.new_initiative(org, values, check_unique=False)
                        db.session.expunge(ini)
                        ini.id, now = next_id, utcnow()
                        next_id += 1
                        row = {c.key: getattr(ini, c.key) for c in Initiative.__table__.columns}
                        row.update(created_at=now, updated_at=now, category_id=ini.category.id)
                        tables["initiatives"].append(row)
                        tables["initiative_crafts"] += [{"initiative_id": ini.id, "craft_id": c.id}
                                                        for c in ini.crafts]
                        tables["initiative_goals"] += [{"initiative_id": ini.id, "goal_id": g.id} for g in ini.goals]
                        tables["initiative_partners"] += [{"initiative_id": ini.id, "position": p.position,
                                                           "name": p.name} for p in ini.partners]
                        tables["audit_events"].append({
                            "at": now, "actor_id": actor_id, "action": "initiative.create",
                            "object_type": "initiatives", "object_id": str(ini.id), "before": None,
                            "after": services.audit_state(ini), "request_id": None, "ip": None})
                batches.append(tables)
                db.session.rollback()
            finally:
                context.pop()
    finally:
        transfer._write = write
    models = {"initiatives": Initiative.__table__, "initiative_crafts": initiative_crafts,
              "initiative_goals": initiative_goals, "initiative_partners": Partner.__table__,
              "audit_events": AuditEvent.__table__}
    return [{name: _bound(models[name], rows) for name, rows in tables.items() if rows} for tables in batches]


def _bound(table, rows: list[dict]) -> tuple[str, list]:
    """The INSERT as the driver takes it and the rows as its parameters (types converted)."""
    from sqlalchemy import insert

    from wcc.audit.services import _jsonable
    from wcc.extensions import db

    dialect = db.engine.dialect
    keys = [k for k in rows[0] if not (k == "id" and table.name != "initiatives")]
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    processors = compiled._bind_processors
    order = compiled.positiontup if compiled.positional else keys
    params = []
    for row in rows:
        values = {}
        for key in order:
            value = row.get(key)
            if key in ("before", "after") and value is not None:
                value = _jsonable(value)
            processor = processors.get(key)
            values[key] = processor(value) if processor else value
        params.append([values[k] for k in order] if compiled.positional else values)
    return compiled.string, params


def measure_executemany(app, files) -> dict:
    from wcc.extensions import db

    batches = prepared_rows(app, files)
    progress(f"executemany: {sum(len(b['initiatives'][1]) for b in batches)} rows prepared")
    connection = db.engine.raw_connection()
    calls = 0
    rss_before = rss_mb()
    started = time.perf_counter()
    sqlite = db.engine.dialect.name == "sqlite"
    for tables in batches:
        cursor = connection.cursor()
        if sqlite:  # the app's connections leave transactions to the caller (wcc/db_events.py)
            cursor.execute("BEGIN")
        for sql, params in tables.values():
            cursor.executemany(sql, params)
            calls += 1
        connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    rows = sum(len(b["initiatives"][1]) for b in batches)
    return {"rows": rows, "seconds": elapsed, "statements": calls, "rss_before_mb": rss_before,
            "rss_peak_mb": rss_mb(), "table_rows": {name: sum(len(b[name][1]) for b in batches if name in b)
                                                    for name in batches[0]}}


def child(kind: str, database_url: str, count: int, file_rows: int, xlsx: bool) -> None:
    from sqlalchemy.engine import make_url

    from wcc.extensions import db
    from wcc.initiatives import transfer

    # Only the throwaway databases main() makes: a child migrates and fills the database it is given.
    if "{folder}" not in database_url and not (make_url(database_url).database or "").startswith("wcc_measure_"):
        raise SystemExit(f"not a throwaway database: {database_url}")
    with tempfile.TemporaryDirectory() as folder:
        url = database_url.replace("{folder}", folder)
        app = make_app(url, Path(folder))
        with app.app_context():
            seed_demo()
            files = generate_files(count, file_rows, xlsx)
            progress(f"{count} rows generated in {len(files)} files ({sum(len(d) for _, d in files) / 1e6:.1f} MB)")
            if not file_rows:
                transfer.MAX_IMPORT_ROWS = count
                app.config["MAX_UPLOAD_BYTES"] = max(app.config["MAX_UPLOAD_BYTES"], len(files[0][1]) + 1)
            figures = measure_import(app, files) if kind == "import" else measure_executemany(app, files)
            db.engine.dispose()
    print(json.dumps({"kind": kind, "files": len(files), **figures}))


def run_child(kind: str, database_url: str, args) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--url", database_url, "--rows", str(args.rows),
               "--file-rows", str(args.file_rows)] + (["--xlsx"] if args.xlsx else [])
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def on_fresh_database(server_url: str | None, body):
    """Run ``body(url)`` on a new SQLite file or a new PostgreSQL database dropped afterwards."""
    if not server_url:
        return body("sqlite:///{folder}/measure.db")
    from measure_initiatives import postgres_database

    with postgres_database(server_url) as url:
        return body(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file-rows", type=int, default=5_000, help="rows per file; 0: one file")
    parser.add_argument("--xlsx", action="store_true", help="send XLSX files instead of CSV")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL to create databases on")
    parser.add_argument("--child", choices=("import", "executemany"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.rows, args.file_rows, args.xlsx)
        return
    backend = "postgresql" if args.postgres else "sqlite"
    results = {}
    for kind in ("import", "executemany"):
        print(f"{backend}: {kind} of {args.rows} rows …", file=sys.stderr, flush=True)
        results[kind] = on_fresh_database(args.postgres, lambda url, kind=kind: run_child(kind, url, args))
        print(f"  {json.dumps(results[kind])}", file=sys.stderr, flush=True)
    imp, bare = results["import"], results["executemany"]
    files = f"{imp['files']} × {args.file_rows or args.rows}-row {'XLSX' if args.xlsx else 'CSV'}"
    print(f"\n{backend}, {files}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| | rows | time (s) | import / executemany | SQL statements | peak RSS MB (before the timed step) |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| import | {imp['rows']:,} | {imp['seconds']:.1f} | {imp['seconds'] / bare['seconds']:.2f}× "
          f"| {imp['statements']:,} | {imp['rss_peak_mb']:.0f} ({imp['rss_before_mb']:.0f}) |")
    print(f"| … its write step | | {imp['write_seconds']:.1f} | {imp['write_seconds'] / bare['seconds']:.2f}× | | |")
    print(f"| bare executemany | {bare['rows']:,} | {bare['seconds']:.1f} | 1 | {bare['statements']:,} "
          f"| {bare['rss_peak_mb']:.0f} ({bare['rss_before_mb']:.0f}) |")


if __name__ == "__main__":
    main()
