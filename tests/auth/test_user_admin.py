"""Admins manage users in the browser-facing pages; nobody else can."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, totp_code
from wcc.audit.models import AuditEvent
from wcc.auth.models import User
from wcc.extensions import db

ADMIN_PAGES = ["/admin", "/admin/users", "/admin/users/new", "/admin/orgs/new", "/orgs/IR-10/users"]


def test_admin_creates_a_province_officer_who_then_signs_in(client, app, network, login_as):
    login_as(network.users["admin"])
    response = client.post("/admin/users/new", data={
        "email": "New.Officer@Test.Example.org", "name": "نرگس کاظمی", "role": "province",
        "org": network.orgs["IR-07"].id, "preferred_language": "fa", "active": "y",
        "password": "a-long-enough-password"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email_normalised == "new.officer@test.example.org"))
    assert user.role == "province" and user.org.code == "IR-07"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.create", AuditEvent.object_id == str(user.id))) == 1
    officer = app.test_client()
    assert officer.post("/login", data={"email": "new.officer@test.example.org",
                                        "password": "a-long-enough-password"}).status_code == 302
    # Province officers must set up a second factor before anything else.
    assert officer.get("/api/v1/me").status_code == 403
    assert officer.get("/").headers["Location"] == "/account/two-factor"
    officer.get("/account/two-factor")
    db.session.refresh(user)
    assert officer.post("/account/two-factor", data={"code": totp_code(secret=user.totp_secret)}).status_code == 200
    assert officer.get("/api/v1/me").get_json()["org"] == "IR-07"


@pytest.mark.parametrize("who", ["ministry", "isfahan", "isfahan_city"])
@pytest.mark.parametrize("path", ADMIN_PAGES[:4])
def test_only_admins_reach_admin_pages(client, network, login_as, who, path):
    login_as(network.users[who])
    assert client.get(path).status_code == 403


def test_a_municipality_officer_cannot_list_another_organisations_users(client, network, login_as):
    login_as(network.users["isfahan_city"])
    assert client.get("/orgs/IR-10-ISFAHAN/users").status_code == 200
    for other in ("IR-10-KASHAN", "IR-10", "IR-07-SHIRAZ", "WCC"):
        assert client.get(f"/orgs/{other}/users").status_code == 403
    assert client.get("/admin/users?org=IR-10-KASHAN").status_code == 403


def test_a_province_officer_lists_its_municipalities_users_but_not_other_provinces(client, network, login_as):
    login_as(network.users["isfahan"])
    assert client.get("/orgs/IR-10-KASHAN/users").status_code == 200
    assert client.get("/orgs/IR-07-SHIRAZ/users").status_code == 403


@pytest.mark.parametrize("role, org", [("province", "IR-10-ISFAHAN"), ("municipality", "IR-10"),
                                       ("admin", "IR-07"), ("ministry", "IR-10-KASHAN")])
def test_role_and_organisation_must_fit(client, network, login_as, role, org):
    login_as(network.users["admin"])
    response = client.post("/admin/users/new", query_string={"lang": "en"}, data={
        "email": "x@test.example.org", "name": "X", "role": role, "org": network.orgs[org].id,
        "preferred_language": "en", "active": "y", "password": "a-long-enough-password"})
    assert response.status_code == 400
    assert "another kind" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email_normalised == "x@test.example.org")) is None


def test_duplicate_email_in_other_case_is_refused(client, network, login_as):
    login_as(network.users["admin"])
    response = client.post("/admin/users/new", query_string={"lang": "en"}, data={
        "email": "ADMIN@test.example.org", "name": "Copy", "role": "admin", "org": network.orgs["WCC"].id,
        "preferred_language": "en", "active": "y", "password": "a-long-enough-password"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_reset_password_signs_the_user_out_and_the_new_one_works(client, app, network, login_as):
    victim = network.users["shiraz_city"]
    other = app.test_client()
    other.post("/login", data={"email": victim.email, "password": TEST_PASSWORD})
    login_as(network.users["admin"])
    response = client.post(f"/admin/users/{victim.id}/reset-password",
                           data={"new_password": "brand-new-password-1"})
    assert response.status_code == 302
    assert other.get("/profile").status_code == 302
    assert other.post("/login", data={"email": victim.email, "password": "brand-new-password-1"}).status_code == 302


def test_an_admin_cannot_deactivate_themselves(client, network, login_as):
    admin = login_as(network.users["admin"])
    response = client.post(f"/admin/users/{admin.id}/edit", data={
        "email": admin.email, "name": admin.name, "role": "admin", "org": admin.org_id,
        "preferred_language": "fa"})
    assert response.status_code == 400
    assert db.session.get(User, admin.id).active


def test_users_see_and_revoke_their_own_tokens_only(client, app, network, login_as, api_token):
    api_token(network.users["kashan_city"])
    login_as(network.users["isfahan_city"])
    created = client.post("/profile/tokens", data={"name": "reporting script"})
    assert created.status_code == 200
    secret = created.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    program = app.test_client()  # a script with the token and no browser session
    assert program.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    from wcc.auth.models import ApiToken

    mine, theirs = (db.session.scalar(select(ApiToken).join(User).where(User.email == network.users[u].email))
                    for u in ("isfahan_city", "kashan_city"))
    assert client.post(f"/profile/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/profile/tokens/{mine.id}/revoke").status_code == 302
    assert program.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


@pytest.mark.parametrize("query", ["علي رضايي", "رضایی علی", "ali rezaei", "REZAEI ali", "rezaei example"])
def test_the_user_list_finds_every_word_in_any_order(client, network, login_as, create_user, query):
    create_user("municipality", network.orgs["IR-10-KASHAN"], email="ali.rezaei@example.org", name="علی رضایی Ali Rezaei")
    create_user("municipality", network.orgs["IR-10-KASHAN"], email="ali.karimi@example.org", name="علی کریمی Ali Karimi")
    login_as(network.users["admin"])
    page = client.get("/admin/users", query_string={"q": query}).get_data(as_text=True)
    assert "ali.rezaei@example.org" in page and "ali.karimi@example.org" not in page
