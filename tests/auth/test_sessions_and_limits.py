"""Sessions end on the server (lifetime, idle time, deactivation, password change) and sign-in
limits slow guessers down without ever keeping the owner out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, sign_in_with_password
from wcc.audit.models import AuditEvent
from wcc.auth.models import ApiToken, UserSession
from wcc.extensions import db


def age_sessions(**delta):
    for row in db.session.scalars(select(UserSession)):
        row.created_at -= timedelta(**delta.get("created", {}))
        row.last_seen_at -= timedelta(**delta.get("seen", {}))
    db.session.commit()


def test_a_session_older_than_its_lifetime_ends(client, network, login_as):
    login_as(network.users["kashan_city"])
    assert client.get("/profile").status_code == 200
    age_sessions(created={"hours": 13})  # WCC_SESSION_HOURS defaults to 12
    assert client.get("/profile").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_an_idle_session_ends(client, network, login_as):
    login_as(network.users["kashan_city"])
    age_sessions(created={"minutes": 61}, seen={"minutes": 61})  # WCC_SESSION_IDLE_MINUTES: 60
    assert client.get("/profile").status_code == 302


def test_a_used_session_stays(client, network, login_as):
    login_as(network.users["kashan_city"])
    age_sessions(created={"minutes": 50}, seen={"minutes": 50})
    assert client.get("/profile").status_code == 200
    age_sessions(created={"minutes": 50}, seen={"minutes": 50})
    assert client.get("/profile").status_code == 200  # used 50 minutes ago, made 100 minutes ago


def test_deactivating_an_organisation_ends_its_sessions_and_tokens_at_once(app, client, network, login_as,
                                                                          api_token):
    shiraz = network.users["shiraz_city"]
    browser = app.test_client()
    assert sign_in_with_password(browser, shiraz.email).status_code == 302
    token = api_token(shiraz)
    assert browser.get("/initiatives/new").status_code == 200
    org = network.orgs["IR-07-SHIRAZ"]
    org.active = False  # even a change that bypasses the service: the session is checked per request
    db.session.commit()
    assert browser.get("/initiatives/new").status_code == 302
    assert browser.post("/initiatives/new", data={"title": "x"}).status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Through the admin page, sessions and tokens are removed too.
    org.active = True
    db.session.commit()
    assert sign_in_with_password(browser, shiraz.email).status_code == 302
    login_as(network.users["admin"])
    from wcc.orgs.services import update_org

    update_org(org, active=False)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == shiraz.id)) == 0
    assert all(t.revoked_at is not None for t in db.session.scalars(select(ApiToken)))


def test_a_password_change_ends_other_sessions_and_revokes_tokens(app, client, network, login_as, api_token):
    user = network.users["kashan_city"]
    elsewhere = app.test_client()
    sign_in_with_password(elsewhere, user.email)
    token = api_token(user)
    login_as(user)
    response = client.post("/profile/password?lang=en", data={
        "current_password": TEST_PASSWORD, "new_password": "seven blue tiles on a dome",
        "confirm": "seven blue tiles on a dome"}, follow_redirects=True)
    assert "API tokens revoked" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 200  # this browser stays
    assert elsewhere.get("/profile").status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_an_admin_reset_revokes_tokens_too(client, app, network, login_as, api_token):
    user = network.users["kashan_city"]
    token = api_token(user)
    login_as(network.users["admin"])
    response = client.post(f"/admin/users/{user.id}/reset-password?lang=en",
                           data={"new_password": "seven blue tiles on a dome"}, follow_redirects=True)
    assert "API tokens revoked" in response.get_data(as_text=True)
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --- sign-in limits -------------------------------------------------------------------

def from_address(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_guesser_does_not_keep_the_owner_out(app, network):
    owner = network.users["kashan_city"]
    attacker = from_address(app.test_client(), "203.0.113.9")
    for _ in range(30):
        attacker.post("/login", data={"email": owner.email, "password": "guess-guess-guess"})
    refused = attacker.post("/login", data={"email": owner.email, "password": TEST_PASSWORD})
    assert refused.status_code == 429
    # The owner, at an address that has not been failing, gets in with the right password.
    home = from_address(app.test_client(), "198.51.100.7")
    assert sign_in_with_password(home, owner.email).status_code == 302


def test_many_addresses_guessing_one_account_are_slowed_down(app, network):
    owner = network.users["kashan_city"]
    for i in range(25):
        from_address(app.test_client(), f"203.0.113.{i}").post(
            "/login", data={"email": owner.email, "password": "guess-guess-guess"})
    # A failing address waits for the account as a whole ...
    again = from_address(app.test_client(), "203.0.113.3")
    assert again.post("/login", data={"email": owner.email, "password": TEST_PASSWORD}).status_code == 429
    # ... a clean one does not.
    clean = from_address(app.test_client(), "198.51.100.7")
    assert sign_in_with_password(clean, owner.email).status_code == 302


def test_retry_after_is_what_the_page_says_and_one_audit_row_per_burst(client, network):
    email = network.users["kashan_city"].email
    for _ in range(3):
        client.post("/login", data={"email": email, "password": "nope-nope-nope"})
    bursts = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "auth.rate_limited"))
    for _ in range(20):
        response = client.post("/login?lang=en", data={"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 429
        assert f"Try again in {response.headers['Retry-After']} seconds" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "auth.rate_limited")) == bursts == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "auth.sign_in_failed")) == 3


def test_forwarded_addresses_count_only_behind_trusted_proxies(make_app, network):
    owner = network.users["kashan_city"]
    direct = make_app().test_client()
    for i in range(12):  # with no trusted proxy, X-Forwarded-For is ignored: one address
        direct.post("/login", data={"email": f"x{i}@test.example.org", "password": "nope"},
                    headers={"X-Forwarded-For": f"192.0.2.{i}"})
    assert direct.post("/login", data={"email": owner.email, "password": TEST_PASSWORD},
                       headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    proxied.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy, which is the same for everyone
    for i in range(12):
        proxied.post("/login", data={"email": f"y{i}@test.example.org", "password": "nope"},
                     headers={"X-Forwarded-For": "192.0.2.66"})
    response = proxied.post("/login", data={"email": owner.email, "password": TEST_PASSWORD},
                            headers={"X-Forwarded-For": "198.51.100.8"})
    assert response.status_code == 302
    row = db.session.scalar(select(UserSession))
    assert row.ip == "198.51.100.8"
