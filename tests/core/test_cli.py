"""Command-line tasks: demo data, users and tokens."""

from __future__ import annotations

from sqlalchemy import func, select

from wcc.auth.models import User
from wcc.extensions import db
from wcc.orgs.models import Organisation


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_builds_the_network_once(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    orgs, users = count(Organisation), count(User)
    assert db.session.scalar(select(func.count()).select_from(Organisation)
                             .where(Organisation.kind == "province")) == 31
    designated = db.session.scalars(select(Organisation.code).where(Organisation.wcc_year.is_not(None))).all()
    assert len(designated) == 14 and {"IR-10-ISFAHAN", "IR-03-TABRIZ", "IR-13-LALEJIN"} <= set(designated)
    assert orgs >= 1 + 31 + 14 + 12
    assert {"admin", "ministry", "province", "municipality"} <= set(db.session.scalars(select(User.role)))
    assert "wcc-demo-1404" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert (count(Organisation), count(User)) == (orgs, users)
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in skipped.output


def test_demo_municipality_codes_follow_the_contract(demo):
    isfahan = db.session.scalar(select(Organisation).where(Organisation.code == "IR-10-ISFAHAN"))
    assert isfahan.parent.code == "IR-10" and isfahan.parent.name_en == "Isfahan"
    for org in db.session.scalars(select(Organisation).where(Organisation.kind == "municipality")):
        assert org.code.startswith(org.parent.code + "-") and org.code == org.code.upper()


def test_create_user_and_create_token(runner, app, network):
    result = runner.invoke(args=["create-user", "officer@test.example.org", "--password", "long-enough-pw",
                                 "--role", "municipality", "--org", "IR-07-SHIRAZ", "--name", "Officer"])
    assert result.exit_code == 0, result.output
    token_run = runner.invoke(args=["create-token", "officer@test.example.org"])
    assert token_run.exit_code == 0
    token = token_run.output.strip().splitlines()[-1]
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me == {"email": "officer@test.example.org", "name": "Officer", "role": "municipality",
                  "org": "IR-07-SHIRAZ", "preferred_language": None}


def test_create_user_refuses_bad_input_without_a_traceback(runner, network):
    for args in (["--role", "province", "--org", "IR-99"],
                 ["--role", "province", "--org", "IR-10-ISFAHAN"],
                 ["--role", "emperor", "--org", "IR-10"]):
        result = runner.invoke(args=["create-user", "x@test.example.org", "--password", "long-enough-pw", *args])
        assert result.exit_code != 0
        assert "Traceback" not in result.output
    assert db.session.scalar(select(User).where(User.email_normalised == "x@test.example.org")) is None


def test_create_token_for_an_unknown_user_fails(runner, network):
    result = runner.invoke(args=["create-token", "ghost@test.example.org"])
    assert result.exit_code != 0 and "ghost@test.example.org" in result.output


def test_the_db_commands_work_while_the_app_itself_never_loads_alembic(runner, tmp_path):
    """``flask db`` (Flask-Migrate) is bound when used: a web or job worker that only serves never
    imports Alembic and Mako (12 MB of each worker's memory)."""
    import subprocess
    import sys

    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0 and {"upgrade", "downgrade", "migrate", "current"} <= set(listed.output.split())
    current = runner.invoke(args=["db", "current"])  # Alembic prints to the process's own stdout
    assert current.exit_code == 0, current.output
    probe = ("import sys; from wcc import create_app; "
             f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'x.db'}', "
             f"'INSTANCE_DIR': '{tmp_path}'}}); app.test_client().get('/healthz'); "
             "print(sorted(m for m in ('alembic', 'mako', 'flask_migrate') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", loaded
