"""Settings from the environment, and how static files are served."""

from __future__ import annotations

import brotli
import pytest

from wcc.config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("WCC_ENV", "production")
    monkeypatch.delenv("WCC_SECRET_KEY", raising=False)
    monkeypatch.setenv("WCC_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="WCC_SECRET_KEY"):
        load_config()
    monkeypatch.setenv("WCC_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("WCC_DATABASE_URL", "postgresql://wcc@db.internal/wcc")
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] is True


def test_development_keeps_one_generated_key(monkeypatch, tmp_path):
    monkeypatch.delenv("WCC_ENV", raising=False)
    monkeypatch.delenv("WCC_SECRET_KEY", raising=False)
    monkeypatch.setenv("WCC_INSTANCE_DIR", str(tmp_path))
    first, second = load_config()["SECRET_KEY"], load_config()["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("WCC_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("WCC_DATABASE_URL", "postgresql://u:p@db:5432/wcc")
    monkeypatch.setenv("WCC_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("WCC_UPLOAD_DIR", "/srv/uploads")
    monkeypatch.setenv("WCC_MAX_UPLOAD_MB", "5")
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/wcc"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["CACHE_TYPE"] == "wcc.shared.ResilientRedisCache"
    assert config["UPLOAD_DIR"] == "/srv/uploads" and config["MAX_UPLOAD_BYTES"] == 5 * 1024 * 1024
    monkeypatch.setenv("WCC_MAX_UPLOAD_MB", "ten")
    with pytest.raises(ConfigError):
        load_config()


def test_default_database_is_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("WCC_DATABASE_URL", raising=False)
    monkeypatch.setenv("WCC_INSTANCE_DIR", str(tmp_path))
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'wcc.db'}"
    assert normalise_database_url("postgres://x/y") == "postgresql+psycopg://x/y"


def test_pages_reference_fingerprinted_assets_cached_for_a_year(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    href = page.split('href="/static/vendor/bootstrap/css/bootstrap.rtl.min.css?v=')[1].split('"')[0]
    response = client.get(f"/static/vendor/bootstrap/css/bootstrap.rtl.min.css?v={href}",
                          headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    css = brotli.decompress(response.get_data())
    assert b".container" in css
    response.close()
    plain = client.get("/static/vendor/bootstrap/css/bootstrap.rtl.min.css", headers={"Accept-Encoding": ""})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == css
    plain.close()


def test_pages_load_nothing_from_other_hosts(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
