"""TOTP secrets are stored encrypted with a key derived from the secret key: a copy of the
database alone gives nobody a second factor. Existing secrets are encrypted by a migration."""

from __future__ import annotations

import re

import pyotp
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests import conftest
from tests.conftest import TEST_PASSWORD, TEST_TOTP_SECRET, totp_code
from wcc.auth.models import User
from wcc.extensions import db

BEFORE = "27ec023c7ccc"  # the revision before secrets were encrypted
ENCRYPTING = "8e4cd2f4332c"


def stored_secret(user_id: int) -> str | None:
    return db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}).scalar()


def test_the_stored_secret_is_not_the_secret(app, network):
    admin = network.users["admin"]
    raw = stored_secret(admin.id)
    assert raw and TEST_TOTP_SECRET not in raw and not re.fullmatch(r"[A-Z2-7]+=*", raw)
    # Two users with the same secret store different values (a fresh IV each time).
    assert raw != stored_secret(network.users["isfahan"].id)
    db.session.expire_all()
    assert db.session.get(User, admin.id).totp_secret == TEST_TOTP_SECRET


def test_a_secret_set_up_through_the_pages_is_stored_encrypted_and_works(client, network, login_as):
    user = login_as(network.users["kashan_city"])
    page = client.get("/account/two-factor?lang=en").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert secret not in (stored_secret(user.id) or "")
    assert client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert secret not in stored_secret(user.id)
    client.post("/logout")
    db.session.expire_all()
    answer = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert answer.headers["Location"] == "/login/two-factor"
    db.session.refresh(user)
    assert client.post("/login/two-factor", data={"code": totp_code(user, secret=secret)}).status_code == 302
    assert client.get("/profile").status_code == 200


def test_another_secret_key_cannot_read_the_secret_and_does_not_skip_the_second_factor(make_app, network):
    admin = network.users["admin"]
    other = make_app(SECRET_KEY="another-secret-key-of-at-least-32-bytes!!")
    client = other.test_client()
    response = client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/login/two-factor"  # still asked for a second factor
    assert client.post("/login/two-factor", data={"code": totp_code(admin)}).status_code == 401
    assert client.get("/admin/users").status_code == 302


def test_the_previous_secret_key_still_opens_the_secret_after_rotation(app, make_app, network):
    admin = network.users["admin"]
    rotated = make_app(SECRET_KEY="a-new-secret-key-of-at-least-32-bytes!!!",
                       SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    client = rotated.test_client()
    client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    assert client.post("/login/two-factor", data={"code": totp_code(admin)}).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_the_migration_encrypts_existing_secrets_and_downgrading_decrypts_them(make_app, empty_database):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision=BEFORE)
        db.session.execute(text(
            "INSERT INTO organisations (code, kind, name_fa, name_en, name_ru, country, active, search_text, "
            "created_at, updated_at) VALUES ('WCC', 'network', 'ش', 'WCC', 'WCC', 'IR', true, '', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        db.session.execute(text(
            "INSERT INTO users (email, email_normalised, name, password_hash, role, org_id, active, "
            "search_text, totp_secret, totp_enabled_at, created_at, updated_at) VALUES "
            "('a@example.org', 'a@example.org', 'A', :hash, 'admin', "
            "(SELECT id FROM organisations WHERE code = 'WCC'), true, '', :secret, CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"hash": conftest.test_password_hash(), "secret": TEST_TOTP_SECRET})
        db.session.commit()
        user_id = db.session.execute(text("SELECT id FROM users")).scalar()
        db.session.remove()

        upgrade(revision=ENCRYPTING)
        raw = stored_secret(user_id)
        assert raw != TEST_TOTP_SECRET and TEST_TOTP_SECRET not in raw
        assert db.session.get(User, user_id).totp_secret == TEST_TOTP_SECRET
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "a@example.org", "password": TEST_PASSWORD})
        assert client.post("/login/two-factor", data={"code": totp_code()}).status_code == 302

        db.session.remove()
        downgrade(revision=BEFORE)
        assert stored_secret(user_id) == TEST_TOTP_SECRET
        db.session.remove()
        upgrade()
        assert stored_secret(user_id) != TEST_TOTP_SECRET
        db.session.remove()
        db.engine.dispose()
