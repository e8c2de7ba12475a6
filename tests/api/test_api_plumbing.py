"""The JSON API's plumbing: tokens, errors, the OpenAPI document, the directory."""

from __future__ import annotations

import pytest


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_me_answers_for_the_token_owner(client, network, api_token):
    token = api_token(network.users["isfahan"])
    body = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert body["email"] == "isfahan@test.example.org"
    assert body["role"] == "province" and body["org"] == "IR-10"
    assert set(body) >= {"email", "name", "role", "org"}


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer wcc_not-a-real-token", "Basic dXNlcjpwdw==",
                                    "Bearer " + "x" * 5000])
def test_missing_or_bad_tokens_get_a_json_401(client, network, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.get_json()["error"]["message"]


def test_token_requests_set_no_session_cookie(client, network, api_token):
    response = client.get("/api/v1/me", headers=bearer(api_token(network.users["admin"])))
    assert "Set-Cookie" not in response.headers


def test_tokens_of_deactivated_users_stop_working(client, network, api_token):
    from wcc.extensions import db

    user = network.users["fars"]
    token = api_token(user)
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_orgs_lists_the_directory_with_filters(client, network, api_token):
    headers = bearer(api_token(network.users["shiraz_city"]))
    everything = client.get("/api/v1/orgs", headers=headers).get_json()
    assert everything["total"] == 6 and len(everything["items"]) == 6
    provinces = client.get("/api/v1/orgs?kind=province", headers=headers).get_json()
    assert sorted(o["code"] for o in provinces["items"]) == ["IR-07", "IR-10"]
    assert all(o["parent"] == "WCC" for o in provinces["items"])
    children = client.get("/api/v1/orgs?parent=IR-10", headers=headers).get_json()
    assert [o["code"] for o in children["items"]] == ["IR-10-ISFAHAN", "IR-10-KASHAN"]
    item = children["items"][0]
    assert item["kind"] == "municipality" and set(item["names"]) == {"fa", "en", "ru"}
    page = client.get("/api/v1/orgs?per_page=2&page=2", headers=headers).get_json()
    assert page["total"] == 6 and len(page["items"]) == 2


@pytest.mark.parametrize("query", ["kind=planet", "page=0", "per_page=100000", "page=abc"])
def test_bad_query_parameters_get_a_json_422(client, network, api_token, query):
    response = client.get(f"/api/v1/orgs?{query}", headers=bearer(api_token(network.users["admin"])))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["details"]


def test_errors_are_json_under_the_api(client, network, api_token):
    headers = bearer(api_token(network.users["admin"]))
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/api/v1/me", headers=headers)
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"]["code"] == "method_not_allowed"
    assert client.get("/api/v1/orgs/IR-99", headers=headers).status_code == 404


def test_api_error_messages_follow_the_language(app, network):
    english = app.test_client().get("/api/v1/me?lang=en").get_json()["error"]["message"]
    russian = app.test_client().get("/api/v1/me", headers={"Accept-Language": "ru"}).get_json()["error"]["message"]
    assert english != russian and "токен" in russian


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/orgs"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["Error"]
    assert "error" in error["properties"]


def test_cookie_sessions_need_csrf_but_bearer_tokens_do_not(make_app, network, api_token):
    from wcc.auth.services import start_session
    from wcc.extensions import db

    app = make_app(WTF_CSRF_ENABLED=True)
    token = api_token(network.users["admin"])
    browser = app.test_client()
    row = start_session(network.users["admin"], None, None)
    db.session.commit()
    with browser.session_transaction() as session:
        session.update({"_user_id": str(network.users["admin"].id), "sid": row.id, "_fresh": True})
    assert browser.post("/profile/tokens", data={"name": "x"}).status_code == 400
    program = app.test_client()
    # A bearer-token POST is not refused for lack of a CSRF token (405: no POST here).
    assert program.post("/api/v1/me", headers=bearer(token)).status_code == 405
