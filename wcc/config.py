"""Settings, read from ``WCC_*`` environment variables in one place.

Every variable is documented in README.md. ``load_config`` returns a plain dict
that ``create_app`` feeds to ``app.config``; tests pass overrides on top.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"

LANGUAGES = ("fa", "en", "ru")
DEFAULT_LANGUAGE = "fa"


class ConfigError(RuntimeError):
    """The environment does not allow the app to start safely."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"WCC_{name}")
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"WCC_{name} must be a whole number, not {raw!r}") from exc


def _env_bool(name: str, default: bool = False) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"WCC_{name} must be true or false, not {raw!r}")


def _env_list(name: str, default: str) -> list[str]:
    raw = os.environ.get(f"WCC_{name}")
    if raw is None:
        raw = default
    return [item.strip() for item in raw.split(",") if item.strip()]


MIN_SECRET_KEY_BYTES = 32


def normalise_database_url(url: str) -> str:
    """Point bare ``postgres://`` / ``postgresql://`` URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret(instance: Path) -> str:
    """Create a random key once under ``instance/`` and reuse it on every start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config() -> dict:
    env = _env("ENV", "development")
    if env not in ("development", "production"):
        raise ConfigError("WCC_ENV must be 'development' or 'production'")
    production = env == "production"
    instance = Path(_env("INSTANCE_DIR", str(DEFAULT_INSTANCE)))

    secret = _env("SECRET_KEY")
    if secret is None:
        if production:
            raise ConfigError("WCC_SECRET_KEY must be set when WCC_ENV=production")
        secret = _development_secret(instance)
    elif len(secret.encode()) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(f"WCC_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes long "
                          "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')")

    database_url = _env("DATABASE_URL", f"sqlite:///{instance / 'wcc.db'}")
    if production and database_url.startswith("sqlite") and not _env_bool("ALLOW_SQLITE_IN_PRODUCTION"):
        raise ConfigError("WCC_ENV=production needs PostgreSQL (WCC_DATABASE_URL); set "
                          "WCC_ALLOW_SQLITE_IN_PRODUCTION=true to run on SQLite anyway")
    server_name = _env("SERVER_NAME")
    trusted_hosts = _env_list("TRUSTED_HOSTS", "")
    if server_name and server_name.split(":")[0] not in trusted_hosts:
        trusted_hosts.insert(0, server_name.split(":")[0])
    redis_url = _env("REDIS_URL")
    smtp_tls = (_env("SMTP_TLS", "starttls") or "").lower()
    if smtp_tls not in ("starttls", "ssl", "none"):
        raise ConfigError("WCC_SMTP_TLS must be 'starttls', 'ssl' or 'none'")
    try:
        retry_intervals = [int(s) for s in (_env("JOB_RETRY_SECONDS", "60,300,1800,7200") or "").split(",") if s]
    except ValueError as exc:
        raise ConfigError("WCC_JOB_RETRY_SECONDS must be whole numbers separated by commas") from exc
    max_upload_mb = _env_int("MAX_UPLOAD_MB", 10)

    return {
        "WCC_ENV": env,
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": secret,
        "SECRET_KEY_FALLBACKS": _env_list("SECRET_KEY_FALLBACKS", ""),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "UPLOAD_DIR": _env("UPLOAD_DIR", str(instance / "uploads")),
        "MAX_UPLOAD_BYTES": max_upload_mb * 1024 * 1024,
        "MAX_IMAGE_PIXELS": _env_int("MAX_IMAGE_PIXELS", 40_000_000),
        # Photos decoded in a bounded amount of memory (about 4 bytes a pixel): larger JPEGs are
        # decoded at 1/2, 1/4 or 1/8 size, larger PNG and WebP refused; one decode at a time per
        # process, and a request that waits longer than this for its turn is asked to try again.
        "IMAGE_DECODE_PIXELS": _env_int("IMAGE_DECODE_PIXELS", 12_600_000),
        "IMAGE_DECODE_WAIT_SECONDS": _env_int("IMAGE_DECODE_WAIT_SECONDS", 20),
        # Whole requests may carry several files; each file is checked on its own.
        "MAX_CONTENT_LENGTH": (max_upload_mb * 5 + 1) * 1024 * 1024,
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        # Mail: without a host, messages are written to the log instead of sent.
        "SMTP_HOST": _env("SMTP_HOST"),
        "SMTP_PORT": _env_int("SMTP_PORT", 0) or None,
        "SMTP_USER": _env("SMTP_USER"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "SMTP_TLS": smtp_tls,
        "MAIL_FROM": _env("MAIL_FROM", "WCC Network <no-reply@wcc.example.org>"),
        # Links in e-mail point here.
        "BASE_URL": (_env("BASE_URL", "http://127.0.0.1:5000") or "").rstrip("/"),
        # Background jobs: seconds between the retries of a failed mail (RQ's back-off).
        "JOB_RETRY_INTERVALS": retry_intervals,
        # Jobs left hanging by a process that stopped mid-job: an e-mail still queued after this
        # many minutes is queued again, a document still waiting or being made is made again.
        "STALE_MAIL_MINUTES": max(1, _env_int("STALE_MAIL_MINUTES", 15)),
        "STALE_DOCUMENT_MINUTES": max(1, _env_int("STALE_DOCUMENT_MINUTES", 30)),
        # Documents: the most pages rendered in the web process (a print page's PDF, or a document
        # when there is no job queue), the most a queue's worker renders, and the contact on brochures.
        "PDF_MAX_PAGES": _env_int("PDF_MAX_PAGES", 80),
        "PDF_MAX_PAGES_IN_WORKER": _env_int("PDF_MAX_PAGES_IN_WORKER", 400),
        "NETWORK_CONTACT": _env("NETWORK_CONTACT", "secretariat@wcc.example.org"),
        # Host names: never taken from the request unless listed (Werkzeug answers 400 otherwise).
        "SERVER_NAME": server_name,
        "TRUSTED_HOSTS": trusted_hosts or None,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # How many proxies in front set X-Forwarded-For/-Proto/-Host (0: the client talks to us).
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        # Sessions: HttpOnly always, Secure and host-locked (__Host-) in production.
        "SESSION_COOKIE_NAME": "__Host-wcc_session" if production else "wcc_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # Checked on the server against the session row (wcc.auth.services.load_session_user).
        "PERMANENT_SESSION_LIFETIME": _env_int("SESSION_HOURS", 12) * 3600,
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 60),
        "HSTS_SECONDS": 365 * 24 * 3600 if production else 0,
        # Roles whose users must set up a second factor before anything else.
        "MFA_REQUIRED_ROLES": _env_list("MFA_REQUIRED_ROLES", "admin,province"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        # CSRF is checked in a before_request hook so bearer-token API calls skip it.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        # Translations
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": LANGUAGES,
        # Rate limits and cache live in Redis when it is configured.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        "LOGIN_FAILURES_PER_MINUTE": _env_int("LOGIN_FAILURES_PER_MINUTE", 10),
        "API_WRITES_PER_MINUTE": _env_int("API_WRITES_PER_MINUTE", 120),
        "EXPORTS_PER_MINUTE": _env_int("EXPORTS_PER_MINUTE", 30),
        # Requests carrying files (each photo is decoded and checked): per token or user and minute.
        "UPLOADS_PER_MINUTE": _env_int("UPLOADS_PER_MINUTE", 20),
        # Redis may go away at run time: the cache then answers "not cached" (wcc.shared).
        "CACHE_TYPE": "wcc.shared.ResilientRedisCache" if redis_url else "SimpleCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_DEFAULT_TIMEOUT": 300,
        "CACHE_KEY_PREFIX": "wcc:",
        # API documentation (flask-smorest)
        "API_TITLE": "WCC Network API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearerAuth": []}],
        },
        "JSON_SORT_KEYS": False,
        # Compression of HTML, JSON, CSS and JS responses.
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/csv", "application/json",
            "application/javascript", "text/javascript", "image/svg+xml",
            "application/geo+json",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Static files without a content hash in their URL (the map's base layers, fonts that a
        # stylesheet names) may be reused for a day without asking; fingerprinted ones for a year.
        "SEND_FILE_MAX_AGE_DEFAULT": 86400,
        # Static files have their own pre-compressed variants (wcc.assets).
        "COMPRESS_STREAMS": False,
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 500,
    }
