"""Server time and query count of the initiatives list with many initiatives.

Usage:
    python tools/measure_initiatives.py [--count 10000] [--runs 15] [--postgres URL]

Builds a throwaway database (SQLite in a temporary directory, or a new database
on the PostgreSQL server at URL, dropped afterwards), loads the demo network and
``--count`` initiatives, then requests the list pages through the Flask test
client as a province officer and prints the median and slowest time and the
number of SQL statements per request. Nothing outside the temporary database
is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = {
    "list (table)": "/initiatives",
    "list (cards)": "/initiatives?view=cards",
    "search «نمایشگاه»": "/initiatives?q=نمایشگاه",
    "filters": "/initiatives?province=IR-10&category=exhibition&status=active",
    "API list": "/api/v1/initiatives",
}
WORDS = ["نمایشگاه", "صادرات", "فرش دستباف", "نمد", "سفال", "حراج", "مسکو", "قازان", "بروشور", "كيفيت",
         "Moscow", "export", "выставка"]


def _load_initiatives(count: int) -> None:
    from sqlalchemy import insert, select, text

    from wcc.extensions import db
    from wcc.i18n.text import fold
    from wcc.initiatives.models import Category, Craft, Initiative, initiative_crafts
    from wcc.orgs.models import Organisation, OrgKind

    rng = random.Random(10_000)
    orgs = db.session.scalars(select(Organisation.id).where(Organisation.kind != OrgKind.NETWORK)).all()
    categories = db.session.scalars(select(Category.id)).all()
    crafts = db.session.scalars(select(Craft.id)).all()
    now = datetime.now(UTC)
    rows, links = [], []
    for n in range(1, count + 1):
        title = " ".join(rng.sample(WORDS, 3)) + f" {n}"
        summary = " ".join(rng.choices(WORDS, k=12))
        start = date(2023, 3, 21) + timedelta(days=rng.randrange(1300))
        rows.append({
            "id": n, "org_id": rng.choice(orgs), "category_id": rng.choice(categories), "title": title,
            "summary": summary, "story": "", "status": rng.choice(["planned", "active", "completed"]),
            "start_date": start, "end_date": start + timedelta(days=90), "partner_country": "RU",
            "contact_name": "", "contact_email": "", "contact_phone": "", "published": rng.random() < 0.8,
            "search_text": f"{fold(title)}|{fold(summary)}", "version": 1,
            "created_at": now - timedelta(minutes=n), "updated_at": now - timedelta(minutes=n),
        })
        links += [{"initiative_id": n, "craft_id": c} for c in rng.sample(crafts, 2)]
    for start in range(0, count, 2000):
        db.session.execute(insert(Initiative.__table__), rows[start:start + 2000])
    for start in range(0, len(links), 4000):
        db.session.execute(insert(initiative_crafts), links[start:start + 4000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # as autovacuum would have done on a live server
        db.session.commit()


def measure(database_url: str, count: int, runs: int, explain: bool = False) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import event

    from wcc import create_app
    from wcc.auth import services as auth
    from wcc.extensions import db
    from wcc.initiatives.services import ensure_reference_data
    from wcc.orgs.demo import seed_orgs
    from wcc.orgs.queries import get_by_code

    instance = Path(tempfile.mkdtemp(prefix="wcc-measure-"))
    # A province officer signs in without a second factor here (the tool measures lists, not sign-in).
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "measure-initiatives-" + "0" * 32,
                      "TESTING": True, "MFA_REQUIRED_ROLES": [],
                      "INSTANCE_DIR": str(instance), "UPLOAD_DIR": str(instance / "uploads"),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        for _ in seed_orgs():
            pass
        ensure_reference_data()
        user = auth.create_user(email="measure@example.org", name="Measure", password="kashan-felt-and-carpets-1404",
                                role="province", org=get_by_code("IR-10"))
        db.session.commit()
        started = time.perf_counter()
        _load_initiatives(count)
        print(f"{database_url.split(':')[0]}: {count} initiatives loaded in {time.perf_counter() - started:.1f} s")
        row = auth.start_session(user, "127.0.0.1", "measure")
        db.session.commit()
        session_id, user_id = row.id, user.id

    client = app.test_client()
    with client.session_transaction() as session:
        session.update({"_user_id": str(user_id), "_fresh": True, "sid": session_id})
    statements: list[list] = []

    def before(conn, cursor, statement, *args):
        statements.append([statement, time.perf_counter()])

    def after(conn, cursor, statement, *args):
        statements[-1][1] = (time.perf_counter() - statements[-1][1]) * 1000

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        for name, url in PAGES.items():
            times, queries = [], set()
            for _ in range(runs):
                statements.clear()
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                queries.add(len(statements))
            print(f"  {name:<22} median {statistics.median(times):6.1f} ms   slowest {max(times):6.1f} ms   "
                  f"queries {sorted(queries)}")
            if explain:
                for statement, spent in sorted(statements, key=lambda s: -s[1])[:4]:
                    print(f"      {spent:6.1f} ms  {' '.join(statement.split())[:110]}")
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL to create a database on")
    parser.add_argument("--explain", action="store_true", help="print each statement's time for the last run")
    args = parser.parse_args()
    if not args.postgres:
        with tempfile.TemporaryDirectory() as folder:
            measure(f"sqlite:///{folder}/measure.db", args.count, args.runs, args.explain)
        return
    with postgres_database(args.postgres) as url:
        measure(url, args.count, args.runs, args.explain)


@contextlib.contextmanager
def postgres_database(server_url: str):
    """A new database on the PostgreSQL server at ``server_url``, dropped afterwards: yields its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    name = f"wcc_measure_{uuid.uuid4().hex[:8]}"
    connect = dict(host=server.host, port=server.port or 5432, user=server.username, password=server.password,
                   dbname=server.database or "postgres", autocommit=True)
    with psycopg.connect(**connect) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name, drivername="postgresql+psycopg").render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**connect) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

if __name__ == "__main__":
    main()
