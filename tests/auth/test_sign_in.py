"""Signing in and out: messages, sessions, throttling, cookies, CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, sign_in_with_password
from wcc.audit.models import AuditEvent
from wcc.auth.models import SignInThrottle, UserSession
from wcc.extensions import db


def sign_in(client, email, password=TEST_PASSWORD, **kwargs):
    return sign_in_with_password(client, email, password, **kwargs)


def test_signing_in_lands_on_the_home_page_and_records_a_session(client, network):
    response = sign_in(client, "ISFAHAN.city@test.example.org ")  # case and spaces do not matter
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    page = client.get("/?lang=en")
    assert "Welcome" in page.get_data(as_text=True)


def test_unknown_address_and_wrong_password_get_the_same_answer(client, network):
    wrong = sign_in(client, network.users["admin"].email, "not the password", query_string={"lang": "en"})
    unknown = sign_in(client, "nobody@test.example.org", "not the password", query_string={"lang": "en"})
    assert wrong.status_code == unknown.status_code == 401
    message = "The e-mail address or password is not correct."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_deactivated_users_cannot_sign_in(client, network):
    user = network.users["fars"]
    user.active = False
    db.session.commit()
    assert sign_in(client, user.email).status_code == 401


@pytest.mark.parametrize("target, expected", [
    ("/orgs", "/orgs"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com/", "/"),
    ("/\\evil.example.com", "/"),
    ("javascript:alert(1)", "/"),
])
def test_only_local_next_targets_are_followed(client, network, target, expected):
    response = sign_in(client, network.users["admin"].email, query_string={"next": target})
    assert response.headers["Location"] == expected


def test_logout_is_a_post_and_a_replayed_cookie_no_longer_works(client, network):
    sign_in(client, network.users["admin"].email)
    cookie = client.get_cookie("wcc_session").value
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    client.set_cookie("wcc_session", cookie)  # an attacker replays the old cookie
    assert client.get("/admin/users").status_code == 302  # sent to the sign-in page


def test_deactivating_a_user_ends_their_sessions(client, app, network, login_as):
    victim = network.users["kashan_city"]
    other = app.test_client()
    sign_in(other, victim.email)
    assert other.get("/profile").status_code == 200
    login_as(network.users["admin"])
    response = client.post(f"/admin/users/{victim.id}/edit", data={
        "email": victim.email, "name": victim.name, "role": "municipality", "org": victim.org_id,
        "preferred_language": "fa"})  # "active" unticked
    assert response.status_code == 302
    assert other.get("/profile").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == victim.id)) == 0


def test_more_than_ten_failures_a_minute_from_one_address_get_429_and_are_audited(client, network):
    statuses = [sign_in(client, f"guess{i}@test.example.org", "nope").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    response = sign_in(client, "guess99@test.example.org", "nope")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    failures = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "auth.sign_in_failed"))
    assert failures == 10
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "auth.rate_limited")) >= 1


def test_repeated_failures_on_one_account_slow_it_down_but_never_lock_it(client, network):
    email = network.users["admin"].email
    for _ in range(3):
        assert sign_in(client, email, "nope").status_code == 401
    # After the third failure the address must wait, even with the right password ...
    delayed = sign_in(client, email, TEST_PASSWORD, query_string={"lang": "en"})
    assert delayed.status_code == 429 and "Try again in" in delayed.get_data(as_text=True)
    # ... and once the wait is over the right password works again.
    throttle = db.session.scalar(select(SignInThrottle))
    throttle.last_failure_at -= timedelta(hours=1)
    db.session.commit()
    assert sign_in(client, email).status_code == 302


def test_the_delay_grows_and_is_capped():
    from wcc.auth.services import MAX_DELAY_SECONDS, delay_for

    delays = [delay_for(n) for n in range(1, 30)]
    assert delays[:2] == [0, 0]
    assert all(a <= b for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == MAX_DELAY_SECONDS


def test_forms_need_a_csrf_token(make_app, network):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"email": network.users["admin"].email, "password": TEST_PASSWORD},
                           query_string={"lang": "en"})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_session_cookie_flags(make_app, network):
    for production in (False, True):
        app = make_app(SESSION_COOKIE_SECURE=production)
        client = app.test_client()
        response = sign_in(client, network.users["admin"].email)
        header = response.headers["Set-Cookie"]
        assert "HttpOnly" in header and "SameSite=Lax" in header
        assert ("Secure" in header) is production



def test_a_pages_background_request_never_sends_back_an_older_session_cookie(client, network):
    """A fetch still under way when its page's form is sent answers after the form: were it to send
    the session cookie back, the cookie from before the form (without its flash message) would win."""
    sign_in(client, network.users["isfahan_city"].email)
    echo = "/reports/read-value?unit=EUR&value=12"
    background = client.get(echo, headers={"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"})
    assert background.status_code == 200 and background.get_json()["ok"]
    assert "Set-Cookie" not in background.headers
    # A navigation still renews the cookie, and a background request that changes the session sends it.
    assert "Set-Cookie" in client.get(echo).headers
    changed = client.get(echo + "&lang=ru", headers={"Sec-Fetch-Dest": "empty"})
    assert "Set-Cookie" in changed.headers


def _posted_language(client, path="/login", **kwargs) -> str:
    """The language the sign-in form carries, as the page renders it."""
    import re

    page = client.get(path, **kwargs).get_data(as_text=True)
    return re.search(r'<input[^>]*name="lang"[^>]*value="([^"]*)"', page).group(1)


@pytest.mark.parametrize("who", ["isfahan_city", "admin"])  # without and with a second factor
def test_the_language_picked_on_the_sign_in_page_wins_and_becomes_the_saved_preference(client, network, who):
    from tests.conftest import totp_code

    user = network.users[who]
    user.preferred_language = "ru"
    db.session.commit()
    assert _posted_language(client, "/login?lang=en") == "en"
    assert _posted_language(client) == "en"  # the pick stays for this browser
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "lang": "en"})
    if response.headers["Location"].startswith("/login/two-factor"):
        assert 'lang="en"' in client.get("/login/two-factor").get_data(as_text=True)
        response = client.post("/login/two-factor", data={"code": totp_code(user)})
    assert response.status_code == 302
    assert 'lang="en"' in client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert user.preferred_language == "en"
    change = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert (change.actor_id, change.object_id) == (user.id, str(user.id))
    assert change.before == {"preferred_language": "ru"} and change.after == {"preferred_language": "en"}
    # Signed out and in again on another browser, without picking: the saved preference applies.
    other = client.application.test_client()
    assert _posted_language(other) == ""
    response = sign_in(other, user.email)
    assert 'lang="en"' in other.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)


def test_without_a_pick_or_with_a_wrong_one_the_saved_preference_stays(client, network):
    user = network.users["isfahan_city"]
    user.preferred_language = "ru"
    db.session.commit()
    for lang in ("", "de", "<b>"):
        fresh = client.application.test_client()
        response = fresh.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "lang": lang},
                              headers={"Accept-Language": "en"})
        assert response.status_code == 302
        assert 'lang="ru"' in fresh.get("/", follow_redirects=True).get_data(as_text=True)
    # A failed sign-in changes nothing either.
    assert client.post("/login", data={"email": user.email, "password": "wrong", "lang": "en"}).status_code == 401
    db.session.expire_all()
    assert user.preferred_language == "ru"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.update")) == 0
