"""Bad input anywhere gets a clear, translated answer and changes nothing; never a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.auth.models import ApiToken, User
from wcc.extensions import db
from wcc.orgs.models import Organisation
from wcc.urls import IdConverter

NASTY = {
    "empty": "",
    "spaces": "   ",
    "10k characters": "ا" * 10_000,
    "NUL": "abc\x00def",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "persian digits": "۱۲۳۴۵",
    "arabic digits": "١٢٣٤٥",
    "bidi override": "\u202eevil\u202c",
}


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (User, Organisation, ApiToken))


@pytest.mark.parametrize("case", sorted(NASTY))
def test_sign_in_form(client, network, case):
    value = NASTY[case]
    response = client.post("/login?lang=en", data={"email": value, "password": value})
    assert response.status_code in (400, 401)
    assert "alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("case", sorted(NASTY))
def test_admin_forms(client, network, login_as, case):
    login_as(network.users["admin"])
    value = NASTY[case]
    before = counts()
    user_form = client.post("/admin/users/new?lang=ru", data={
        "email": value, "name": value, "role": value, "org": value, "preferred_language": value,
        "password": value})
    org_form = client.post("/admin/orgs/new?lang=ru", data={
        "code": value, "kind": "province", "parent": value, "name_fa": value, "name_en": value,
        "name_ru": value, "country": value, "latitude": value, "longitude": value, "wcc_year": value})
    for response in (user_form, org_form):
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert 'class="invalid-feedback' in body or 'alert alert-danger' in body
        assert "<script>alert(1)" not in body
    assert counts() == before


def test_a_valid_organisation_with_a_wrong_code_is_explained(client, network, login_as):
    login_as(network.users["admin"])
    response = client.post("/admin/orgs/new?lang=en", data={
        "code": "ISFAHAN-NEW", "kind": "municipality", "settlement": "city", "parent": network.orgs["IR-10"].id,
        "name_fa": "نجف‌آباد", "name_en": "Najafabad", "name_ru": "Наджафабад", "country": "IR"})
    assert response.status_code == 400
    assert "IR-10-NAME" in response.get_data(as_text=True)
    fixed = client.post("/admin/orgs/new?lang=en", data={
        "code": "ir-10-najafabad", "kind": "municipality", "settlement": "city",
        "parent": network.orgs["IR-10"].id, "name_fa": "نجف‌آباد", "name_en": "Najafabad",
        "name_ru": "Наджафабад", "country": "ir", "latitude": "32.63", "longitude": "51.36", "active": "y"})
    assert fixed.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.code == "IR-10-NAJAFABAD"))
    assert org.name_fa == "نجف‌آباد" and "\u200c" in org.name_fa  # ZWNJ kept as typed
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "org.create")) == 1


@pytest.mark.parametrize("case", sorted(NASTY))
def test_profile_and_token_forms(client, network, login_as, case):
    user = login_as(network.users["kashan_city"])
    value = NASTY[case]
    before = counts()
    for path, data in (("/profile", {"name": value, "preferred_language": value}),
                       ("/profile/tokens", {"name": value}),
                       ("/profile/password", {"current_password": value, "new_password": value,
                                              "confirm": value})):
        response = client.post(path + "?lang=en", data=data)
        assert response.status_code in (200, 302, 400), path
    assert counts()[2] <= before[2] + 1
    db.session.refresh(user)
    assert "\x00" not in user.name and len(user.name) <= 200


@pytest.mark.parametrize("query", [
    "page=-5", "page=99999999999999999999", "page=abc", "q=" + "x" * 10_000, "kind=<b>",
    "province=IR-99", "q=%D9%83%D9%8A%D9%81%D9%8A%D8%AA", "org=%E2%80%AE", "action=%25",
])
@pytest.mark.parametrize("path", ["/orgs", "/admin/users", "/admin/audit"])
def test_list_pages_survive_any_query_string(client, network, login_as, path, query):
    login_as(network.users["admin"])
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/orgs", "/admin/users", "/api/v1/orgs"])
def test_control_characters_in_a_query_are_refused_with_a_message(client, network, login_as, path):
    login_as(network.users["admin"])
    response = client.get(f"{path}?q=a%00b&lang=en")
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)


def test_unknown_pages_and_methods_get_translated_pages(client, network, login_as):
    login_as(network.users["isfahan_city"])
    missing = client.get("/no/such/page?lang=ru")
    assert missing.status_code == 404 and "Страница не найдена" in missing.get_data(as_text=True)
    wrong = client.put("/login?lang=fa")
    assert wrong.status_code == 405 and "مجاز نیست" in wrong.get_data(as_text=True)


def test_oversized_requests_get_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post("/login?lang=en", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


def test_unexpected_errors_show_no_stack_trace(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom?lang=en")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body and "Something went wrong" in body


@pytest.mark.parametrize("bad_id", [str(2**31), str(2**63), "9999999999999999999999999", "0x10", "١٢", "-1", "1.5", "abc"])
def test_ids_that_cannot_exist_answer_404_on_every_route(app, client, network, login_as, bad_id):
    login_as(network.users["admin"])
    rules = [rule for rule in app.url_map.iter_rules()
             if any(isinstance(c, IdConverter) for c in rule._converters.values())]
    assert len(rules) > 20
    for rule in rules:
        path = rule.rule
        for name, converter in rule._converters.items():
            path = _fill(path, name, bad_id if isinstance(converter, IdConverter) else "X")
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]
        response = client.open(path, method=method)
        assert response.status_code == 404, (rule.rule, method, response.status_code)


def _fill(path: str, name: str, value: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?" + re.escape(name) + ">", value, path)


def test_the_largest_possible_id_is_an_ordinary_missing_object(client, network, login_as):
    login_as(network.users["admin"])
    assert client.get(f"/initiatives/{2**31 - 1}").status_code == 404
    assert client.get(f"/reports/{2**31 - 1}").status_code == 404


@pytest.mark.parametrize("body", [
    b'{"goal": "EXPORT-RU", "period": "1404-Q1", "value": ' + b"9" * 5000 + b"}",
    b'{"goal": "EXPORT-RU", "period": "1404-Q1", "value": -' + b"9" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"goal": "EXPORT-RU", "period": "1404-Q1", "narrative": "ab\\ud800cd"}',
], ids=["5000 digits", "5000 negative digits", "deep nesting", "lone surrogate"])
def test_json_python_cannot_read_is_a_400_with_the_usual_error(client, network, api_token, body):
    from wcc.reporting.models import ProgressReport

    headers = {"Authorization": f"Bearer {api_token(network.users['isfahan_city'])}",
               "Content-Type": "application/json"}
    response = client.post("/api/v1/reports?lang=en", data=body, headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["details"] == {"json": ["Invalid JSON body."]}
    assert error["message"]
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0
