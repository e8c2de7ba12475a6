"""Production guards and the headers every answer carries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD
from wcc.config import ConfigError, load_config
from wcc.extensions import db


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("WCC_ENV", "production")
    monkeypatch.setenv("WCC_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("WCC_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("WCC_DATABASE_URL", "postgresql://wcc@db.internal/wcc")
    return monkeypatch


def test_a_short_secret_key_is_refused(production_env):
    production_env.setenv("WCC_SECRET_KEY", "x")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_config()
    production_env.setenv("WCC_ENV", "development")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_config()


def test_production_refuses_sqlite_unless_told(production_env):
    production_env.setenv("WCC_DATABASE_URL", "sqlite:////tmp/wcc.db")
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_config()
    production_env.setenv("WCC_ALLOW_SQLITE_IN_PRODUCTION", "true")
    assert load_config()["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def test_production_cookie_is_host_locked(production_env):
    config = load_config()
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-") and config["SESSION_COOKIE_SECURE"]


def test_seed_demo_refuses_in_production(make_app, network):
    app = make_app(WCC_ENV="production")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output
    from wcc.auth.models import User

    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.email_normalised == "admin@wcc.example.org")) == 0


def test_production_answers_carry_hsts_and_the_host_cookie(make_app, network):
    app = make_app(WCC_ENV="production", HSTS_SECONDS=31536000, SESSION_COOKIE_SECURE=True,
                   SESSION_COOKIE_NAME="__Host-wcc_session")
    client = app.test_client()
    for path in ("/login", "/healthz", "/api/v1/openapi.json", "/no/such/page", "/static/css/wcc.css"):
        response = client.get(path)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path
        response.close()
    response = client.post("/login", data={"email": network.users["kashan_city"].email, "password": TEST_PASSWORD},
                           base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-wcc_session=") and "Secure" in cookie and "Path=/" in cookie \
        and "Domain" not in cookie


def test_no_hsts_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_signed_in_pages_api_answers_exports_and_files_are_never_stored(client, network, login_as, api_token):
    token = api_token(network.users["kashan_city"])
    answers = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
               client.get("/api/v1/orgs")]  # anonymous API answer
    login_as(network.users["kashan_city"])
    answers += [client.get("/profile"), client.get("/initiatives/export.csv"), client.get("/dashboards/overview.csv")]
    for response in answers:
        assert response.headers["Cache-Control"] == "no-store", response.request.path


def test_the_answer_to_signing_in_is_never_stored(client, network):
    response = client.post("/login", data={"email": network.users["kashan_city"].email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_page_is_marked_private_without_reading_the_user_twice(client, network, login_as,
                                                                          count_queries):
    login_as(network.users["kashan_city"])
    with count_queries() as queries:
        response = client.get("/profile")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    # The user is read with the session, once; not again after the request's commit.
    assert sum("users.password_hash" in statement for statement in queries.statements) == 1


def test_csp_forbids_base_tags(client):
    assert "base-uri 'none'" in client.get("/login").headers["Content-Security-Policy"]


def test_the_host_header_is_never_reflected(make_app, client, network, api_token, reference_data):
    token = api_token(network.users["kashan_city"])
    headers = {"Authorization": f"Bearer {token}", "Host": "evil.example.com"}
    created = client.post("/api/v1/initiatives", json={"title": "Felt rugs", "category": "export_deal"},
                          headers=headers)
    assert "evil.example.com" not in created.get_data(as_text=True)
    configured = make_app(SERVER_NAME="wcc.example.org", TRUSTED_HOSTS=["wcc.example.org"]).test_client()
    assert configured.get("/login", headers={"Host": "evil.example.com"}).status_code in (400, 404)
    ok = configured.get("/api/v1/initiatives", headers={**headers, "Host": "wcc.example.org"})
    assert ok.status_code == 200 and all(
        item["url"].startswith("http://wcc.example.org/") for item in ok.get_json()["items"])


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("path", ["/profile", "/dashboards", "/initiatives", "/api/v1/me"])
def test_signed_in_answers_carry_the_whole_content_security_policy(client, network, login_as, path):
    login_as(network.users["kashan_city"])
    response = client.get(path)
    assert response.status_code == 200
    csp = csp_directives(response.headers["Content-Security-Policy"])
    # Scripts only from the app's own files: no inline script, no eval, no other host (ASVS 3.4.3).
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]  # no framing at all (3.4.6)
    assert csp["form-action"] == ["'self'"]
    # Inline styles are allowed (the charts set them), nothing else is relaxed.
    assert set(csp["style-src"]) == {"'self'", "'unsafe-inline'"}
    assert set(csp["img-src"]) <= {"'self'", "data:", "blob:"}
    for name, sources in csp.items():
        assert not {"*", "http:", "https:", "'unsafe-eval'"} & set(sources), name
        assert name == "style-src" or "'unsafe-inline'" not in sources, name
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
