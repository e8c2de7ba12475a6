"""API hygiene: anonymous answers say nothing about ids, per-token rate limits, refusals on record."""

from __future__ import annotations

from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db


def test_anonymous_answers_are_the_same_for_existing_and_missing_ids(client, network, make_initiative, reference_data):
    ini = make_initiative(network.orgs["IR-10-KASHAN"])
    existing = client.get(f"/api/v1/initiatives/{ini.id}")
    missing = client.get("/api/v1/initiatives/999999")
    assert existing.status_code == missing.status_code == 401
    assert existing.get_json() == missing.get_json()
    for path in ("/api/v1/orgs/IR-10", "/api/v1/orgs/IR-99", "/api/v1/goals/NOPE", "/api/v1/reports/1"):
        assert client.get(path).status_code == 401, path


def test_writes_are_limited_per_token_with_retry_after(make_app, network, api_token, reference_data):
    app = make_app(API_WRITES_PER_MINUTE=3)
    client = app.test_client()
    first, second = api_token(network.users["kashan_city"]), api_token(network.users["kashan_city"])
    statuses = [client.post("/api/v1/initiatives", json={"title": f"Rugs {i}", "category": "export_deal"},
                            headers={"Authorization": f"Bearer {first}"}).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = client.post("/api/v1/initiatives", json={"title": "Rugs", "category": "export_deal"},
                          headers={"Authorization": f"Bearer {first}"})
    assert 0 < int(refused.headers["Retry-After"]) <= 60 and refused.get_json()["error"]["code"] == "rate_limited"
    # Reads go on, and another token has its own budget.
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 200
    assert client.post("/api/v1/initiatives", json={"title": "Other", "category": "export_deal"},
                       headers={"Authorization": f"Bearer {second}"}).status_code == 201


def test_exports_are_limited(make_app, network, login_as):
    app = make_app(EXPORTS_PER_MINUTE=2)
    client = app.test_client()
    from tests.conftest import sign_in_with_password

    sign_in_with_password(client, network.users["kashan_city"].email)
    statuses = [client.get("/initiatives/export.csv").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_uploads_are_limited_per_user_on_the_pages_and_the_api(make_app, network, api_token, reference_data,
                                                                make_initiative):
    """Each photo is decoded and checked: a person (or a token) sends a bounded number of files a minute."""
    import io

    from tests.conftest import sign_in_with_password
    from tests.initiatives.samples import image_bytes

    app = make_app(UPLOADS_PER_MINUTE=2)
    ini = make_initiative(network.orgs["IR-10-KASHAN"])
    db.session.commit()
    web = app.test_client()
    sign_in_with_password(web, network.users["kashan_city"].email)
    form = {"title": ini.title, "category": "export_deal", "version": str(ini.version)}

    def send_photo():
        return web.post(f"/initiatives/{ini.id}/edit?lang=en", content_type="multipart/form-data",
                        data={**form, "photos": (io.BytesIO(image_bytes()), "namad.jpg")})

    assert [send_photo().status_code != 429 for _ in range(2)] == [True, True]
    refused = send_photo()
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 60
    # A form without files is not an upload; another person has a budget of their own.
    assert web.get("/initiatives?lang=en").status_code == 200
    token = {"Authorization": f"Bearer {api_token(network.users['isfahan_city'])}"}
    csv = io.BytesIO(b"external_id,title,category\nX-1,Rugs,export_deal\n")
    answer = app.test_client().post("/api/v1/initiatives/import?dry_run=1", headers=token,
                                    data={"file": (csv, "rows.csv")}, content_type="multipart/form-data")
    assert answer.status_code != 429


def test_refusals_are_logged_audited_and_counted_on_the_security_page(client, network, login_as, caplog, reference_data,
                                                                      make_initiative):
    draft = make_initiative(network.orgs["IR-07-SHIRAZ"])
    intruder = login_as(network.users["kashan_city"])
    with caplog.at_level("WARNING", logger="wcc.security"):
        assert client.get("/admin/users").status_code == 403
        assert client.get(f"/initiatives/{draft.id}/edit").status_code == 404
    assert any("access denied" in r.message and f"user={intruder.id}" in r.message for r in caplog.records)
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")
                              .order_by(AuditEvent.id)).all()
    assert [(r.actor_id, r.after["route"], r.after["status"]) for r in rows] == [
        (intruder.id, "/admin/users", 403), (intruder.id, f"/initiatives/{draft.id}/edit", 404)]
    assert rows[1].after["object"] == f"initiatives#{draft.id}"
    login_as(network.users["admin"])
    page = client.get("/admin/security?lang=en").get_data(as_text=True)
    assert "Refused by the permission rules" in page and f"/initiatives/{draft.id}/edit" in page
    assert client.get("/admin/security").status_code == 200
    login_as(network.users["ministry"])
    assert client.get("/admin/security").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "access.denied")) == 3
