"""Fixtures: an app per database backend, a client, a CLI runner, factories, sign-in.

Every test that touches the database runs twice, on SQLite and on PostgreSQL
(``backend`` is parametrized). The schema is built by the migrations once per
backend and test session, and every table is emptied after each test.

PostgreSQL comes from ``WCC_TEST_DATABASE_URL`` (default: the local server as
user postgres). A fresh database is created for each run and dropped after it.
When PostgreSQL does not answer the run fails: it never silently skips.
``WCC_TEST_DATABASES=sqlite`` runs SQLite only, on purpose.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from wcc import create_app
from wcc.extensions import cache, db, limiter

# Factories of each area, shared by every test folder.
pytest_plugins = ["tests.fixtures.reporting", "tests.fixtures.initiatives", "tests.fixtures.dashboards",
                  "tests.fixtures.server", "tests.fixtures.demo", "tests.fixtures.jobs"]

# The test databases are thrown away after the run: a commit need not wait for PostgreSQL to write its
# log to disk (every connection libpq opens in this process and its children; what a committed
# transaction shows to the next one is unchanged). About a fifth of each PostgreSQL test's time.
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")

PG_ADMIN_URL = os.environ.get("WCC_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b.strip() for b in os.environ.get("WCC_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]
TEST_PASSWORD = "correct-horse-battery"
#: The second factor of test users whose role requires one (WCC_MFA_REQUIRED_ROLES' default).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MFA_ROLES = ("admin", "province")


def totp_code(user=None, *, secret: str = TEST_TOTP_SECRET) -> str:
    """A code the app will accept now for ``user``: the current time step's, or the next one's
    when the current step was used already (a code is accepted once)."""
    import time

    import pyotp

    step = int(time.time() // 30)
    last = getattr(user, "totp_last_step", None)
    if last is not None and last >= step:
        step = last + 1
    return pyotp.TOTP(secret).at(step * 30)


def pytest_report_header(config):
    return f"WCC test databases: {', '.join(BACKENDS)}"


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran on each database, and in Chromium: CI's proof that none was skipped."""
    passed = [r.nodeid for r in terminalreporter.stats.get("passed", []) if r.when == "call"]

    def on(backend: str, nodeid: str) -> bool:  # the database is one of the test's parameters, in any place
        return backend in nodeid.partition("[")[2].rstrip("]").split("-")

    per_backend = {b: sum(1 for n in passed if on(b, n)) for b in BACKENDS}
    browser = {b: sum(1 for n in passed if "tests/browser/" in n and on(b, n)) for b in BACKENDS}
    terminalreporter.write_sep("-", "database and browser tests")
    for backend in BACKENDS:
        terminalreporter.write_line(f"{backend}: {per_backend[backend]} tests passed, "
                                    f"{browser[backend]} of them in Chromium")


def pytest_configure(config):
    if os.environ.get("WCC_TEST_REQUIRE_ALL") and set(BACKENDS) != {"sqlite", "postgresql"}:
        raise pytest.UsageError("CI runs every database test on both SQLite and PostgreSQL; "
                                "unset WCC_TEST_DATABASES")


# --- databases ----------------------------------------------------------------

def _pg_connect(url: str):
    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                           dbname=u.database or "postgres", autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test run (and xdist worker)."""
    name = f"wcc_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = _pg_connect(PG_ADMIN_URL)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not answering at {PG_ADMIN_URL}: {exc}. Start it (see README) "
                    "or set WCC_TEST_DATABASES=sqlite to run only the SQLite half on purpose.",
                    pytrace=False)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_ADMIN_URL).set(database=name, drivername="postgresql+psycopg")
    yield url.render_as_string(hide_password=False)
    with _pg_connect(PG_ADMIN_URL) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database(backend, tmp_path) -> Iterator[str]:
    """The URL of a new database of the test's kind, with no tables (dropped after the test)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"wcc_empty_{uuid.uuid4().hex[:10]}"
    with _pg_connect(PG_ADMIN_URL) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_ADMIN_URL).set(database=name, drivername="postgresql+psycopg").render_as_string(
        hide_password=False)
    with _pg_connect(PG_ADMIN_URL) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'wcc-test.db'}"


def _base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + secrets.token_hex(8),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(instance),
        "UPLOAD_DIR": str(instance / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "CACHE_TYPE": "SimpleCache",
        "REDIS_URL": None,
        "SERVER_NAME": None,
        # Most tests post forms without a token; tests of CSRF itself turn it on.
        "WTF_CSRF_ENABLED": False,
    }


_session_apps: dict[str, Flask] = {}


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's app context.

    Flask reuses an app context that is already pushed, so without this every
    request of a test would share ``g`` (the signed-in user) and the database
    session with the test and with each other. Before each request the test's
    own transaction ends (committing what the test set up, and ending its read
    snapshot); after it, the test's session forgets what it loaded, so assertions
    read fresh rows.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


def _new_app(config: dict) -> Flask:
    application = create_app(config)
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def _migrated(backend, request, tmp_path_factory) -> Iterator[dict]:
    """Run the migrations once per backend; later tests reuse the schema."""
    url = request.getfixturevalue("postgres_url" if backend == "postgresql" else "sqlite_url")
    instance = tmp_path_factory.mktemp(f"instance-{backend}")
    config = _base_config(url, instance)
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield config
    shared = _session_apps.pop(backend, None)
    if shared is not None:
        with shared.app_context():
            db.engine.dispose()


def _empty_all_tables() -> None:
    """Delete every row, children first, and start ids at 1 again (as SQLite does by itself).

    On PostgreSQL, DELETE plus resetting the sequences takes a few milliseconds where a
    TRUNCATE of every table takes about 150 (it recreates each table's files)."""
    for table in (t.name for t in reversed(db.metadata.sorted_tables)):
        db.session.execute(text(f'DELETE FROM "{table}"'))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                                "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"))
    db.session.commit()


@pytest.fixture
def make_app(_migrated) -> Iterator:
    """Build another app on the same test database, with config overrides."""
    made: list[Flask] = []

    def factory(**overrides) -> Flask:
        app = _new_app({**_migrated, **overrides})
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(_migrated, backend) -> Iterator[Flask]:
    application = _session_apps.get(backend)
    if application is None:
        application = _session_apps[backend] = _new_app(dict(_migrated))
    with application.app_context():
        limiter.reset()
        cache.clear()
        yield application
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ------------------------------------------------------------------

_PASSWORD_HASH: list[str] = []


def test_password_hash() -> str:
    if not _PASSWORD_HASH:
        from wcc.auth.services import hash_password

        _PASSWORD_HASH.append(hash_password(TEST_PASSWORD))
    return _PASSWORD_HASH[0]


def sign_in_with_password(client, email, password=TEST_PASSWORD, **kwargs):
    """Sign in through the pages as a person does: the password, then the second factor's code
    when the app asks for it. Returns the last answer."""
    from wcc.auth.services import find_user_by_email

    response = client.post("/login", data={"email": email, "password": password}, **kwargs)
    if response.status_code == 302 and response.headers["Location"].startswith("/login/two-factor"):
        db.session.expire_all()
        kwargs.pop("query_string", None)
        response = client.post("/login/two-factor", data={"code": totp_code(find_user_by_email(email))},
                               **kwargs)
    return response


@pytest.fixture
def create_org(app):
    """``create_org(kind, code=None, parent=None, commit=True, **fields)`` → a committed Organisation
    (only added to the session with ``commit=False``)."""
    from wcc.orgs.models import Organisation, OrgKind

    counter = iter(range(10, 10_000))

    def factory(kind: str = "municipality", code: str | None = None, parent=None, commit: bool = True, **fields):
        n = next(counter)
        if code is None:
            code = {"network": "WCC", "province": f"IR-{n % 100:02d}",
                    "municipality": f"{parent.code if parent else 'IR-99'}-TOWN{n}"}[kind]
        org = Organisation(
            code=code, kind=kind, parent=parent, parent_id=parent.id if parent else None,
            name_fa=fields.pop("name_fa", f"سازمان {n}"), name_en=fields.pop("name_en", f"Org {n}"),
            name_ru=fields.pop("name_ru", f"Организация {n}"),
            settlement=fields.pop("settlement", "city" if kind == OrgKind.MUNICIPALITY else None),
            **fields)
        db.session.add(org)
        if commit:
            db.session.commit()
        return org

    return factory


@pytest.fixture
def create_user(app):
    """``create_user(role, org, email=None, two_factor=None, commit=True, **fields)`` → a committed User
    (password TEST_PASSWORD; only added to the session with ``commit=False``). Admins and province
    officers have set up their second factor (TEST_TOTP_SECRET), as the app requires of them;
    ``two_factor`` says otherwise."""
    from wcc.auth.models import User
    from wcc.db import utcnow

    counter = iter(range(1, 100_000))

    def factory(role: str, org, email: str | None = None, two_factor: bool | None = None, commit: bool = True,
                **fields):
        n = next(counter)
        email = email or f"{role}{n}@test.example.org"
        if two_factor is None:
            two_factor = role in MFA_ROLES
        if two_factor:
            fields.setdefault("totp_secret", TEST_TOTP_SECRET)
            fields.setdefault("totp_enabled_at", utcnow())
        user = User(email=email, email_normalised=email.lower(), name=fields.pop("name", f"{role} {n}"),
                    password_hash=test_password_hash(), role=role, org_id=org.id, org=org,
                    active=fields.pop("active", True), **fields)
        db.session.add(user)
        if commit:
            db.session.commit()
        return user

    return factory


@pytest.fixture
def network(create_org, create_user):
    """A small union: WCC, Isfahan and Fars provinces, three municipalities, a user per role.

    ``network.orgs[code]`` and ``network.users[name]``; user names are admin,
    ministry, isfahan (province IR-10), fars (province IR-07), isfahan_city
    (IR-10-ISFAHAN), kashan_city (IR-10-KASHAN), shiraz_city (IR-07-SHIRAZ).
    """
    from functools import partial
    from types import SimpleNamespace

    # Added to the session and committed together: the rollups follow the organisations once, not per row.
    org, user = partial(create_org, commit=False), partial(create_user, commit=False)
    wcc = org("network", code="WCC", name_en="Union of World Craft Cities")
    isfahan = org("province", code="IR-10", parent=wcc, name_en="Isfahan", name_fa="اصفهان")
    fars = org("province", code="IR-07", parent=wcc, name_en="Fars", name_fa="فارس")
    orgs = {
        "WCC": wcc, "IR-10": isfahan, "IR-07": fars,
        "IR-10-ISFAHAN": org("municipality", code="IR-10-ISFAHAN", parent=isfahan, name_en="Isfahan"),
        "IR-10-KASHAN": org("municipality", code="IR-10-KASHAN", parent=isfahan, name_en="Kashan"),
        "IR-07-SHIRAZ": org("municipality", code="IR-07-SHIRAZ", parent=fars, name_en="Shiraz"),
    }
    users = {
        "admin": user("admin", wcc, email="admin@test.example.org"),
        "ministry": user("ministry", wcc, email="ministry@test.example.org"),
        "isfahan": user("province", isfahan, email="isfahan@test.example.org"),
        "fars": user("province", fars, email="fars@test.example.org"),
        "isfahan_city": user("municipality", orgs["IR-10-ISFAHAN"], email="isfahan.city@test.example.org"),
        "kashan_city": user("municipality", orgs["IR-10-KASHAN"], email="kashan.city@test.example.org"),
        "shiraz_city": user("municipality", orgs["IR-07-SHIRAZ"], email="shiraz.city@test.example.org"),
    }
    db.session.commit()
    return SimpleNamespace(orgs=orgs, users=users)


def sign_in_session(client, user) -> None:
    """Sign ``client`` in as ``user``: a real session row, as after a complete sign-in (password,
    and the second factor for users who have one)."""
    from wcc.auth import services

    row = services.start_session(user, "127.0.0.1", "pytest")
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["sid"] = row.id


def bearer_headers():
    """``headers(user)`` → request headers carrying a token of ``user``, made on first use."""
    from wcc.auth.services import create_token

    made: dict[int, dict] = {}

    def headers(user) -> dict:
        if user.id not in made:
            _token, secret = create_token(user, "test")
            db.session.commit()
            made[user.id] = {"Authorization": f"Bearer {secret}"}
        return made[user.id]

    return headers


@pytest.fixture
def login_as(client):
    """``login_as(user)`` signs the test client in as ``user`` (see ``sign_in_session``)."""

    def sign_in(user):
        sign_in_session(client, user)
        return user

    return sign_in


@pytest.fixture
def api_token(app):
    """``api_token(user)`` → a bearer token string for ``user``."""
    from wcc.auth.services import create_token

    def make(user) -> str:
        _token, secret = create_token(user, "test")
        db.session.commit()
        return secret

    return make


@pytest.fixture
def csrf_token(client):
    """The CSRF token of the client's session, for POSTs the way a browser sends them."""

    def get() -> str:
        client.get("/login")
        with client.session_transaction() as session:
            raw = session.get("csrf_token")
        from itsdangerous import URLSafeTimedSerializer

        return URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    return get


# --- Redis ----------------------------------------------------------------------

def _redis_url() -> str:
    """WCC_TEST_REDIS_URL, with one Redis database per xdist worker (15, 14, ...): tests empty it."""
    base = os.environ.get("WCC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    root, _, number = base.rpartition("/")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"{root}/{int(number or 15) - int(worker[2:] or 0)}"


REDIS_URL = _redis_url()


@pytest.fixture
def redis_app(make_app, redis_store):
    """``(build, store)``: ``build()`` makes an app whose cache and rate limits live in Redis
    (as with WCC_REDIS_URL); ``store`` is a client of that Redis database, emptied around the test
    (``redis_store``, tests/fixtures/jobs.py). A Redis that does not answer fails the test."""
    settings = {"REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL, "CACHE_TYPE": "wcc.shared.ResilientRedisCache",
                "CACHE_REDIS_URL": REDIS_URL}
    yield lambda: make_app(**settings), redis_store
    make_app()  # put the shared limiter back on in-memory storage for the other tests


# --- query counting -------------------------------------------------------------

@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count`` is the number of SQL statements run."""

    @contextlib.contextmanager
    def counter():
        box = type("QueryCount", (), {"count": 0, "statements": []})()

        def before(conn, cursor, statement, parameters, context, executemany):
            box.count += 1
            box.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield box
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter
