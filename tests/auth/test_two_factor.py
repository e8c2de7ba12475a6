"""Two-factor sign-in: setting it up, the code after the password, recovery codes, roles that
must use it, an admin's reset; API tokens go on working."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, TEST_TOTP_SECRET, sign_in_with_password, totp_code
from wcc.audit.models import AuditEvent
from wcc.auth.models import RecoveryCode, UserSession
from wcc.extensions import db


def password_step(client, user, password=TEST_PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


def audit_count(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def enrol(client, user):
    """Set up the second factor through the pages; returns the recovery codes shown."""
    page = client.get("/account/two-factor?lang=en").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page  # the QR code, drawn on the server
    response = client.post("/account/two-factor?lang=en", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r'<code class="user-select-all">([a-z0-9]{5}-[a-z0-9]{5})</code>', response.get_data(as_text=True))
    return secret, codes


def test_an_admin_cannot_finish_signing_in_without_the_code(client, network):
    admin = network.users["admin"]
    response = password_step(client, admin)
    assert response.headers["Location"] == "/login/two-factor"
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert client.get("/admin/users").status_code == 302  # not signed in yet
    wrong = client.post("/login/two-factor", data={"code": "000000"})
    assert wrong.status_code == 401
    ok = client.post("/login/two-factor", data={"code": totp_code(admin)})
    assert ok.status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_a_code_is_accepted_once(client, app, network):
    admin = network.users["admin"]
    code = totp_code(admin)
    password_step(client, admin)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    other = app.test_client()
    password_step(other, admin)
    assert other.post("/login/two-factor", data={"code": code}).status_code == 401


def test_the_second_step_expires_and_needs_the_password_first(client, network):
    assert client.get("/login/two-factor").headers["Location"] == "/login"
    assert client.post("/login/two-factor", data={"code": totp_code()}).status_code == 302


def test_wrong_codes_are_throttled_with_the_same_wait_in_header_and_page(client, network):
    admin = network.users["admin"]
    password_step(client, admin)
    statuses = [client.post("/login/two-factor?lang=en", data={"code": "123456"}) for _ in range(6)]
    assert [r.status_code for r in statuses[:4]] == [401] * 4
    last = statuses[-1]
    assert last.status_code == 429
    wait = last.headers["Retry-After"]
    assert f"Try again in {wait} seconds" in last.get_data(as_text=True)
    # Even the right code waits now.
    assert client.post("/login/two-factor", data={"code": totp_code(admin)}).status_code == 429


@pytest.mark.parametrize("role", ["admin", "province"])
def test_required_roles_without_a_second_factor_can_open_only_the_set_up_page(client, network, create_user, role):
    org = network.orgs["WCC" if role == "admin" else "IR-10"]
    user = create_user(role, org, two_factor=False)
    assert password_step(client, user).status_code == 302
    for path in ("/", "/admin/users", "/profile", "/initiatives", "/orgs"):
        assert client.get(path).headers.get("Location") == "/account/two-factor", path
    assert client.get("/api/v1/me").status_code == 403
    set_up = client.get("/account/two-factor")
    assert set_up.status_code == 200
    assert 'href="/initiatives"' not in set_up.get_data(as_text=True)  # no menu to pages that will not open
    secret, codes = enrol(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/profile").status_code == 200
    db.session.refresh(user)
    assert user.has_second_factor and user.totp_secret == secret
    assert audit_count("user.two_factor_enabled") == 1
    # Only hashes are kept.
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not any(code.replace("-", "") in h for h in hashes for code in codes)


def test_the_roles_come_from_the_setting(make_app, network, create_user):
    nobody = make_app(MFA_REQUIRED_ROLES=[]).test_client()
    user = create_user("admin", network.orgs["WCC"], two_factor=False)
    password_step(nobody, user)
    assert nobody.get("/admin/users").status_code == 200
    everyone = make_app(MFA_REQUIRED_ROLES=["municipality"]).test_client()
    password_step(everyone, network.users["kashan_city"])
    assert everyone.get("/initiatives").headers["Location"] == "/account/two-factor"


def test_optional_for_other_roles_who_may_turn_it_on_and_off(client, network, login_as):
    user = login_as(network.users["kashan_city"])
    assert client.get("/initiatives").status_code == 200
    secret, codes = enrol(client, user)
    client.post("/logout")
    assert password_step(client, user).headers["Location"] == "/login/two-factor"
    db.session.refresh(user)
    assert client.post("/login/two-factor", data={"code": totp_code(user, secret=secret)}).status_code == 302
    db.session.refresh(user)
    # (Two codes of the app have been used within a minute: a recovery code does it too.)
    response = client.post("/account/two-factor", data={"action": "disable", "code": codes[0]})
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.has_second_factor


def test_a_required_role_cannot_turn_it_off(client, network, login_as):
    admin = login_as(network.users["admin"])
    response = client.post("/account/two-factor", data={"action": "disable", "code": totp_code(admin)})
    assert response.status_code == 403
    db.session.refresh(admin)
    assert admin.has_second_factor


def test_recovery_codes_work_once_each(client, app, network, login_as):
    user = login_as(network.users["shiraz_city"])
    _secret, codes = enrol(client, user)
    client.post("/logout")
    password_step(client, user)
    assert client.post("/login/two-factor", data={"code": codes[3].upper()}).status_code == 302
    other = app.test_client()
    password_step(other, user)
    assert other.post("/login/two-factor", data={"code": codes[3]}).status_code == 401
    assert audit_count("user.recovery_code_used") == 1


def test_an_admin_resets_a_second_factor_and_it_is_audited(client, app, network, login_as):
    officer = network.users["isfahan"]
    theirs = app.test_client()
    assert sign_in_with_password(theirs, officer.email).status_code == 302
    login_as(network.users["admin"])
    assert client.post(f"/admin/users/{officer.id}/reset-two-factor").status_code == 302
    db.session.refresh(officer)
    assert not officer.has_second_factor
    assert audit_count("user.two_factor_reset") == 1
    assert theirs.get("/profile").status_code == 302  # signed out
    # At the next sign-in the officer sets up a new one.
    assert password_step(theirs, officer).status_code == 302
    assert theirs.get("/").headers["Location"] == "/account/two-factor"


def test_only_admins_reset_second_factors(client, network, login_as):
    login_as(network.users["isfahan"])
    target = network.users["isfahan_city"]
    assert client.post(f"/admin/users/{target.id}/reset-two-factor").status_code == 403


def test_api_tokens_do_not_ask_for_the_second_factor_and_are_listed_with_last_use(
        client, app, network, create_user, api_token, login_as):
    admin = network.users["admin"]
    token = api_token(admin)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    login_as(admin)
    page = client.get("/profile?lang=en").get_data(as_text=True)
    assert "Personal API tokens" in page and token[:10] in page and "Last used" in page
    # Even a user still to set up a second factor keeps using an existing token.
    pending = create_user("province", network.orgs["IR-07"], two_factor=False)
    other = api_token(pending)
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_the_demo_admin_signs_in_with_the_documented_second_factor(app, runner):
    from wcc.auth.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from wcc.demo import SEED_STEPS

    for name, step, _n in SEED_STEPS:
        if name in ("organisations", "users"):
            list(step())
    db.session.commit()
    printed = runner.invoke(args=["demo-accounts"]).output
    assert DEMO_TOTP_SECRET in printed and "two-factor-code" in printed
    code = runner.invoke(args=["two-factor-code", "admin@wcc.example.org"]).output.strip()
    assert code == pyotp.TOTP(DEMO_TOTP_SECRET).now() or pyotp.TOTP(DEMO_TOTP_SECRET).verify(code, valid_window=1)
    client = app.test_client()
    client.post("/login", data={"email": "admin@wcc.example.org", "password": DEMO_PASSWORD})
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    # A municipality officer needs none.
    assert runner.invoke(args=["two-factor-code", "kashan.city@wcc.example.org"]).exit_code != 0
    assert TEST_TOTP_SECRET != DEMO_TOTP_SECRET
