"""``/api/v1/initiatives``: the contract other systems rely on, and the same rules as the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.initiatives import services
from wcc.initiatives.models import Initiative

from .samples import pdf, png

CATEGORIES = ["export_deal", "sales_rep", "logistics", "customs", "film", "brochure", "photography",
              "market_research", "exhibition", "auction", "hotel_placement", "storytelling", "training"]


@pytest.fixture
def api(client, network, api_token):
    """``api(user_name)`` → headers with a bearer token for that network user."""

    def headers(name: str, lang: str = "en") -> dict:
        return {"Authorization": f"Bearer {api_token(network.users[name])}", "Accept-Language": lang}

    return headers


FULL = {
    "title": "Felt rugs for a Moscow buyer", "category": "export_deal", "status": "active",
    "start_date": "2025-04-01", "end_date": "2025-09-30", "summary": "Forty felt rugs.",
    "story": "**Sold** at the fair.", "crafts": ["felt", "carpet"], "partner_country": "RU",
    "partners": ["Торговый дом «Персидский узор»"],
    "budget": {"amount": 850000000, "currency": "IRR", "value_date": "2025-04-01"},
    "deal_value": {"amount": "48000.50", "currency": "EUR", "value_date": "2025-05-10"},
    "external_id": "2025-FELT-01", "published": True,
    "milestones": [{"date": "2025-05-10", "title": "Contract signed", "done": True}],
}


@pytest.mark.parametrize("code", CATEGORIES)
def test_every_contract_category_can_be_posted(client, api, code):
    response = client.post("/api/v1/initiatives", json={"title": "t", "category": code},
                           headers=api("isfahan_city"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["category"] == code


def test_posting_answers_201_with_the_initiative_id_and_version(client, api):
    response = client.post("/api/v1/initiatives", json=FULL, headers=api("isfahan"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body["id"], int) and body["version"] == 1
    assert body["org"] == "IR-10" and body["province"] == "IR-10"
    for key in ("title", "category", "status", "start_date", "end_date", "summary", "story",
                "partner_country", "partners", "external_id", "published", "milestones"):
        assert body[key] == FULL[key], key
    assert sorted(body["crafts"]) == sorted(FULL["crafts"])  # in the craft list's order
    assert body["budget"] == {"amount": 850000000, "currency": "IRR", "value_date": "2025-04-01"}
    assert body["deal_value"] == {"amount": 48000.5, "currency": "EUR", "value_date": "2025-05-10"}
    assert client.get(f"/api/v1/initiatives/{body['id']}", headers=api("isfahan")).get_json() == body


def test_org_defaults_to_the_callers_and_may_name_another_only_where_allowed(client, api):
    response = client.post("/api/v1/initiatives", json={"title": "t", "category": "film", "org": "IR-10-KASHAN"},
                           headers=api("admin"))
    assert response.status_code == 201 and response.get_json()["org"] == "IR-10-KASHAN"
    response = client.post("/api/v1/initiatives", json={"title": "t", "category": "film", "org": "IR-10-KASHAN"},
                           headers=api("isfahan"))
    assert response.status_code == 403
    response = client.post("/api/v1/initiatives", json={"title": "t", "category": "film"}, headers=api("ministry"))
    assert response.status_code == 403


BAD_BODIES = [
    ({}, "title"),
    ({"title": "t"}, "category"),
    ({"title": "", "category": "film"}, "title"),
    ({"title": "x" * 10_000, "category": "film"}, "title"),
    ({"title": "a\u0000b", "category": "film"}, "title"),
    ({"title": "t", "category": "films"}, "category"),
    ({"title": "t", "category": "film", "status": "done"}, "status"),
    ({"title": "t", "category": "film", "start_date": "22/06/2025"}, "start_date"),
    ({"title": "t", "category": "film", "crafts": ["felt", "plastic"]}, "crafts"),
    ({"title": "t", "category": "film", "budget": {"amount": 5}}, "budget"),
    ({"title": "t", "category": "film", "budget": {"amount": "lots", "currency": "EUR"}}, "budget"),
    ({"title": "t", "category": "film", "deal_value": {"amount": -1, "currency": "EUR"}}, "deal_value.amount"),
    ({"title": "t", "category": "film", "org": "IR-99-NOWHERE"}, "org"),
    ({"title": "t", "category": "film", "published": "maybe"}, "published"),
    ({"title": "t", "category": "film", "tittle": "typo"}, "tittle"),
    ({"title": 12, "category": "film"}, "title"),
]


@pytest.mark.parametrize("body, field", BAD_BODIES, ids=[f"{f}-{i}" for i, (_b, f) in enumerate(BAD_BODIES)])
def test_invalid_bodies_get_a_422_naming_the_field_and_write_nothing(client, api, body, field):
    response = client.post("/api/v1/initiatives", json=body, headers=api("isfahan"))
    assert response.status_code in (400, 422)
    error = response.get_json()["error"]
    assert error["message"] and field in error["details"], error
    assert db.session.scalar(select(func.count()).select_from(Initiative)) == 0


def test_validation_messages_are_in_the_callers_language(client, api):
    response = client.post("/api/v1/initiatives", json={"title": "t", "category": "film", "status": "x"},
                           headers=api("isfahan", "ru"))
    assert response.get_json()["error"]["details"]["status"] == ["Выберите одно из: planned, active, completed, cancelled."]


def test_patch_needs_the_current_version_and_a_stale_one_changes_nothing(client, api):
    created = client.post("/api/v1/initiatives", json=FULL, headers=api("isfahan")).get_json()
    url = f"/api/v1/initiatives/{created['id']}"
    response = client.patch(url, json={"title": "No version"}, headers=api("isfahan"))
    assert response.status_code == 422 and "version" in response.get_json()["error"]["details"]
    response = client.patch(url, json={"version": 1, "title": "Second", "status": "completed"},
                            headers=api("isfahan"))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["version"], body["title"], body["status"], body["summary"]) == (2, "Second", "completed",
                                                                                  FULL["summary"])
    response = client.patch(url, json={"version": 1, "title": "Stale"}, headers=api("isfahan"))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert client.get(url, headers=api("isfahan")).get_json()["title"] == "Second"


def test_patch_and_delete_follow_the_page_rules(client, api):
    created = client.post("/api/v1/initiatives", json={**FULL, "published": False},
                          headers=api("shiraz_city")).get_json()
    url = f"/api/v1/initiatives/{created['id']}"
    assert client.get(url, headers=api("isfahan_city")).status_code == 404  # another member's draft
    assert client.patch(url, json={"version": 1, "published": True}, headers=api("shiraz_city")).status_code == 200
    assert client.get(url, headers=api("isfahan_city")).status_code == 200
    assert client.patch(url, json={"version": 2, "title": "x"}, headers=api("isfahan_city")).status_code == 403
    assert client.delete(url, headers=api("isfahan_city")).status_code == 403
    assert client.delete(url, headers=api("shiraz_city")).status_code == 204
    assert client.get(url, headers=api("shiraz_city")).status_code == 404
    assert client.get(url, headers=api("admin")).get_json()["deleted"] is True
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "initiatives", AuditEvent.object_id == str(created["id"]))
        .order_by(AuditEvent.id)).all()
    assert actions == ["initiative.create", "initiative.publish", "initiative.delete"]


def test_the_list_has_items_and_total_and_takes_the_contract_filters(client, api, network, make_initiative):
    make_initiative(network.orgs["IR-10-KASHAN"], "Kashan film", category_code="film", published=True,
                    status="completed")
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz كيفيت", published=True)
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz draft")
    headers = api("isfahan_city")
    body = client.get("/api/v1/initiatives?q=&org=&province=&category=&status=&page=", headers=headers).get_json()
    assert set(body) == {"items", "total"} and body["total"] == 2
    assert {i["title"] for i in body["items"]} == {"Kashan film", "Shiraz كيفيت"}
    for query, expected in [("q=کیفیت", "Shiraz كيفيت"), ("org=IR-10-KASHAN", "Kashan film"),
                            ("province=IR-07", "Shiraz كيفيت"), ("category=film", "Kashan film"),
                            ("status=completed", "Kashan film")]:
        body = client.get(f"/api/v1/initiatives?{query}", headers=headers).get_json()
        assert [i["title"] for i in body["items"]] == [expected] and body["total"] == 1, query
    page2 = client.get("/api/v1/initiatives?per_page=1&page=2", headers=headers).get_json()
    assert page2["total"] == 2 and len(page2["items"]) == 1


def test_the_api_needs_a_signed_in_caller_and_is_documented(client):
    assert client.get("/api/v1/initiatives").status_code == 401
    assert client.post("/api/v1/initiatives", json=FULL).status_code == 401
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/initiatives"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/initiatives/{initiative_id}"])
    assert "post" in paths["/api/v1/initiatives/import"]


def test_items_list_their_photos_and_documents(client, api, network, make_initiative):
    ini = make_initiative(network.orgs["IR-10"], published=True)
    services.add_file(ini, png("stand.png"), caption="Stand")
    services.add_file(ini, pdf("programme.pdf"))
    db.session.commit()
    body = client.get(f"/api/v1/initiatives/{ini.id}", headers=api("shiraz_city")).get_json()
    photo, document = body["files"]
    assert (photo["kind"], photo["name"], photo["caption"]) == ("photo", "stand.png", "Stand")
    assert body["cover_photo_url"] == photo["url"] and photo["thumbnail_url"].endswith("?size=thumb")
    assert (document["kind"], document["name"], document["thumbnail_url"]) == ("document", "programme.pdf", None)
    file_response = client.get(photo["url"], headers=api("shiraz_city"))
    file_response.close()
    assert file_response.status_code == 200


def test_reference_lists_give_codes_and_names(client, api):
    categories = client.get("/api/v1/initiative-categories", headers=api("ministry")).get_json()
    assert [c["code"] for c in categories] == CATEGORIES
    crafts = client.get("/api/v1/crafts", headers=api("ministry")).get_json()
    assert {"felt", "needlework", "carpet"} <= {c["code"] for c in crafts}
    felt = next(c for c in crafts if c["code"] == "felt")
    assert felt["names"] == {"fa": "نمدمالی", "en": "Felt-making (namad)", "ru": "Валяние войлока (намад)"}
