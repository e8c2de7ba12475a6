"""Time and SQL statements of ``flask send-reminders --date D``, on a database of your own.

Usage:
    python tools/measure_reminders.py --date 2026-11-20                     # the database of WCC_DATABASE_URL
    python tools/measure_reminders.py --date 2026-11-20 --generate 1000     # a generated network (SQLite, temp dir)

Runs the command twice for the same day, as the scheduler or an admin would: the
first run makes the day's notices (and, without Redis, mails them in-process
after it commits: to the log without WCC_SMTP_HOST), the replay makes nothing.
Prints, per run, the wall time, this process's CPU time (with SQLite, the database's
work too), the SQL statements and the command's last line.
It writes to the database: use a copy, or ``--generate``.

``--generate MEMBERS`` builds a throwaway SQLite network with ``flask bench``'s
generator (31 provinces, MEMBERS members, 20 quarterly goals over 50 periods,
10,000 approved reports scattered over them, no initiatives) and gives every
member one officer and the union two admins, so that the notices have
recipients.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generated_app(members: int, directory: Path):
    from flask_migrate import upgrade

    from wcc import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'reminders.db'}",
                      "INSTANCE_DIR": str(directory), "REDIS_URL": None, "SMTP_HOST": None,
                      "CACHE_TYPE": "SimpleCache", "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        from datetime import UTC, datetime

        from sqlalchemy import insert, select

        from wcc.auth.models import User
        from wcc.dashboards.bench import build_network
        from wcc.extensions import db
        from wcc.orgs.models import Organisation

        upgrade()
        build_network(10_000, members_count=members, initiatives=0)
        now = datetime(2026, 6, 1, tzinfo=UTC)
        orgs = db.session.execute(select(Organisation.id, Organisation.code, Organisation.kind)).all()
        rows = []
        for org_id, code, kind in orgs:
            role = {"province": "province", "municipality": "municipality"}.get(str(kind))
            if role is None:
                continue
            email = f"officer.{code.lower()}@bench.example.org"
            rows.append({"email": email, "email_normalised": email, "name": f"Officer {code}", "role": role,
                         "org_id": org_id, "active": True, "password_hash": "!", "created_at": now,
                         "updated_at": now, "preferred_language": "fa"})
        for n in (1, 2):
            email = f"admin{n}@bench.example.org"
            rows.append({"email": email, "email_normalised": email, "name": f"Admin {n}", "role": "admin",
                         "org_id": 1, "active": True, "password_hash": "!", "created_at": now, "updated_at": now,
                         "preferred_language": "en"})
        db.session.execute(insert(User), rows)
        db.session.commit()
        print(f"generated: {len(orgs) - 1} members, {len(rows)} officers and admins, 10,000 reports")
    return app


def measure(app, day: str) -> None:
    from sqlalchemy import event

    from wcc.extensions import db

    with app.app_context():
        engine = db.engine
    for label in ("first run", "replay"):
        box = {"n": 0}

        def count(*_args, _box=box):
            _box["n"] += 1

        event.listen(engine, "before_cursor_execute", count)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            # The app context the command runs in ends with the in-process jobs (the mail).
            with app.app_context():
                result = app.test_cli_runner().invoke(args=["send-reminders", "--date", day])
        finally:
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            event.remove(engine, "before_cursor_execute", count)
        if result.exit_code != 0:
            raise SystemExit(result.output + repr(result.exception))
        last = result.output.strip().splitlines()[-1]
        print(f"{label:<10} {elapsed:7.2f} s (this process's CPU: {cpu:7.2f} s)  {box['n']:7d} statements  {last}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--date", required=True)
    parser.add_argument("--generate", type=int, default=None, metavar="MEMBERS")
    args = parser.parse_args()
    if args.generate:
        with tempfile.TemporaryDirectory() as tmp:
            measure(generated_app(args.generate, Path(tmp)), args.date)
    else:
        from wcc import create_app

        measure(create_app({"LOG_LEVEL": "WARNING"}), args.date)


if __name__ == "__main__":
    main()
