"""The goals an initiative contributes to: form, page, list filter, API, export and import, goal page."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from wcc.audit.models import AuditEvent
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.initiatives import services
from wcc.initiatives.models import Initiative


@pytest.fixture
def goals(make_goal):
    """Three goals: exports and exhibitions are active, brochures was retired."""
    return {
        "EXPORT-RU": make_goal("EXPORT-RU"),
        "EXHIBITIONS": make_goal("EXHIBITIONS", title_fa="نمایشگاه‌های زنده برگزارشده",
                                 title_en="Live exhibitions held", title_ru="Проведённые живые выставки",
                                 unit="count"),
        "BROCHURES-RU": make_goal("BROCHURES-RU", title_en="Russian brochures", active=False, unit="count"),
    }


def text(response) -> str:
    return response.get_data(as_text=True)


def form(**overrides) -> dict:
    """A valid initiative form as a browser posts it (unticked checkboxes are simply absent)."""
    data = {"title": "نمایشگاه‌های زنده در مسکو", "org": "IR-10-KASHAN", "category": "exhibition",
            "status": "planned", "partner_country": "", "budget_currency": "IRR", "deal_currency": "EUR"}
    data.update(overrides)
    return data


def goal_codes(initiative_id: int) -> list[str]:
    db.session.expire_all()
    return [g.code for g in db.session.get(Initiative, initiative_id).goals]


def checked(page: str, value: str) -> bool:
    tag = next(t for t in page.split("<input")[1:] if f'value="{value}"' in t.split(">")[0])
    return "checked" in tag.split(">")[0]


# --- the form and the page ---------------------------------------------------------------

def test_goals_are_chosen_on_the_form_shown_on_the_page_and_audited(client, network, goals, login_as):
    login_as(network.users["kashan_city"])
    page = text(client.get("/initiatives/new?lang=ru"))
    assert "Цели, которым служит инициатива" in page
    assert "Экспорт в Россию" in page and "Проведённые живые выставки" in page
    assert 'value="BROCHURES-RU"' not in page  # retired goals are not offered

    response = client.post("/initiatives/new", data=form(goals=["EXPORT-RU", "EXHIBITIONS"]))
    assert response.status_code == 302
    ini = db.session.scalar(select(Initiative))
    assert goal_codes(ini.id) == ["EXHIBITIONS", "EXPORT-RU"]
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "initiative.create"))
    assert created.after["goals"] == ["EXHIBITIONS", "EXPORT-RU"]

    detail = text(client.get(f"/initiatives/{ini.id}?lang=en"))
    assert "Contributes to" in detail
    assert 'href="/goals/EXPORT-RU">Export value to Russia</a>' in detail
    assert 'href="/goals/EXHIBITIONS">Live exhibitions held</a>' in detail

    edit = text(client.get(f"/initiatives/{ini.id}/edit"))
    assert checked(edit, "EXPORT-RU") and checked(edit, "EXHIBITIONS")
    response = client.post(f"/initiatives/{ini.id}/edit", data=form(goals=["EXPORT-RU"], version="1"))
    assert response.status_code == 302
    assert goal_codes(ini.id) == ["EXPORT-RU"]
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "initiative.update"))
    assert (update.before, update.after) == ({"goals": ["EXHIBITIONS", "EXPORT-RU"]}, {"goals": ["EXPORT-RU"]})
    history = text(client.get(f"/initiatives/{ini.id}?lang=en"))
    assert "EXHIBITIONS; EXPORT-RU" in history

    # Unticking every goal removes them all.
    client.post(f"/initiatives/{ini.id}/edit", data=form(version="2"))
    assert goal_codes(ini.id) == []


def test_a_retired_goal_stays_linked_but_cannot_be_newly_chosen(client, network, goals, login_as,
                                                                 make_initiative):
    goals["BROCHURES-RU"].active = True
    db.session.commit()
    ini = make_initiative(network.orgs["IR-10-KASHAN"], goals=[goals["BROCHURES-RU"]])
    goals["BROCHURES-RU"].active = False
    db.session.commit()
    login_as(network.users["kashan_city"])
    edit = text(client.get(f"/initiatives/{ini.id}/edit"))
    assert checked(edit, "BROCHURES-RU")
    assert client.post(f"/initiatives/{ini.id}/edit",
                       data=form(goals=["BROCHURES-RU", "EXPORT-RU"], version="1")).status_code == 302
    assert goal_codes(ini.id) == ["BROCHURES-RU", "EXPORT-RU"]

    other = make_initiative(network.orgs["IR-10-KASHAN"])
    response = client.post(f"/initiatives/{other.id}/edit?lang=en",
                           data=form(goals=["BROCHURES-RU"], version="1"))
    assert response.status_code == 400 and "Choose only from the list." in text(response)
    with pytest.raises(ServiceError) as refused:
        services.update_initiative(db.session.get(Initiative, other.id), {"goals": [goals["BROCHURES-RU"]]})
    assert set(refused.value.field_errors) == {"goals"}
    db.session.rollback()
    assert goal_codes(other.id) == []


# --- the list, its exports, and the goal's page ----------------------------------------------

def test_the_list_and_its_exports_filter_by_goal(client, network, goals, login_as, make_initiative):
    make_initiative(network.orgs["IR-10-KASHAN"], "Kashan export", published=True, goals=[goals["EXPORT-RU"]])
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz show", published=True,
                    goals=[goals["EXHIBITIONS"], goals["EXPORT-RU"]])
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz other", published=True)
    login_as(network.users["isfahan"])
    page = text(client.get("/initiatives?goal=exhibitions&lang=en"))
    assert "Shiraz show" in page and "Kashan export" not in page and "Shiraz other" not in page
    assert '<option value="EXHIBITIONS" selected>' in page
    assert "goal=EXHIBITIONS" in page.split("export.csv")[1][:200]  # the download link keeps the filter

    rows = list(csv.reader(io.StringIO(text(client.get("/initiatives/export.csv?goal=EXPORT-RU&lang=en"))
                                       .lstrip("\ufeff"))))
    column = rows[0].index("Goals")
    assert sorted(row[column] for row in rows[1:]) == ["EXHIBITIONS; EXPORT-RU", "EXPORT-RU"]


def test_the_goal_page_counts_the_contributing_initiatives_each_viewer_may_see(
        client, network, goals, login_as, make_initiative):
    goal = goals["EXPORT-RU"]
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz published", published=True, goals=[goal])
    make_initiative(network.orgs["IR-10-KASHAN"], "Kashan draft", goals=[goal])
    gone = make_initiative(network.orgs["IR-10-KASHAN"], "Kashan deleted", published=True, goals=[goal])
    services.delete_initiative(gone)
    db.session.commit()
    make_initiative(network.orgs["IR-10-KASHAN"], "Kashan unrelated", published=True)
    for user, count, seen, unseen in (
            ("kashan_city", 2, {"Shiraz published", "Kashan draft"}, {"Kashan deleted"}),
            ("isfahan", 2, {"Shiraz published", "Kashan draft"}, {"Kashan deleted"}),
            ("shiraz_city", 1, {"Shiraz published"}, {"Kashan draft", "Kashan deleted"}),
            ("ministry", 2, {"Shiraz published", "Kashan draft"}, {"Kashan deleted"})):
        login_as(network.users[user])
        page = text(client.get("/goals/EXPORT-RU?lang=en"))
        assert f"All {count} in the list of initiatives" in page, user
        assert 'href="/initiatives?goal=EXPORT-RU"' in page
        assert all(title in page for title in seen), user
        assert not any(title in page for title in unseen | {"Kashan unrelated"}), user
    assert "No initiative contributes to this goal yet." in text(client.get("/goals/EXHIBITIONS?lang=en"))


# --- the API -------------------------------------------------------------------------------------

def test_the_api_takes_and_returns_goal_codes(client, network, goals, bearer):
    headers = bearer(network.users["kashan_city"])
    body = {"title": "Felt for Moscow", "category": "export_deal", "goals": ["export-ru", "EXHIBITIONS"]}
    created = client.post("/api/v1/initiatives", json=body, headers=headers)
    assert created.status_code == 201
    item = created.get_json()
    assert item["goals"] == ["EXHIBITIONS", "EXPORT-RU"]

    unknown = client.patch(f"/api/v1/initiatives/{item['id']}", json={"version": item["version"],
                                                                       "goals": ["EXPORT-RU", "NOPE"]},
                           headers=headers)
    assert unknown.status_code == 422
    assert "NOPE" in unknown.get_json()["error"]["details"]["goals"][0]
    retired = client.patch(f"/api/v1/initiatives/{item['id']}", json={"version": item["version"],
                                                                       "goals": ["BROCHURES-RU"]}, headers=headers)
    assert retired.status_code == 422 and "goals" in retired.get_json()["error"]["details"]
    assert goal_codes(item["id"]) == ["EXHIBITIONS", "EXPORT-RU"]

    patched = client.patch(f"/api/v1/initiatives/{item['id']}", json={"version": item["version"],
                                                                       "goals": ["EXPORT-RU"]}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["goals"] == ["EXPORT-RU"]
    assert patched.get_json()["version"] == item["version"] + 1
    listed = client.get("/api/v1/initiatives?goal=EXPORT-RU", headers=headers).get_json()
    assert [i["id"] for i in listed["items"]] == [item["id"]] and listed["items"][0]["goals"] == ["EXPORT-RU"]
    assert client.get("/api/v1/initiatives?goal=EXHIBITIONS", headers=headers).get_json()["total"] == 0


def test_the_openapi_document_describes_goals(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert schemas["InitiativeIn"]["properties"]["goals"]["items"]["type"] == "string"
    assert "goals" in schemas["InitiativeOut"]["properties"]
    parameters = spec["paths"]["/api/v1/initiatives"]["get"]["parameters"]
    assert any(p["name"] == "goal" for p in parameters)


@pytest.mark.parametrize("user, owner, published, status", [
    ("kashan_city", "IR-10-KASHAN", False, 200),
    ("admin", "IR-10-KASHAN", False, 200),
    ("isfahan", "IR-10-KASHAN", False, 403),     # a province reads its municipalities' drafts, changes none
    ("ministry", "IR-10-KASHAN", True, 403),
    ("shiraz_city", "IR-10-KASHAN", True, 403),
    ("shiraz_city", "IR-10-KASHAN", False, 404),
])
def test_only_those_who_may_edit_an_initiative_link_it_to_goals(client, network, goals, bearer,
                                                               make_initiative, user, owner, published, status):
    ini = make_initiative(network.orgs[owner], published=published)
    response = client.patch(f"/api/v1/initiatives/{ini.id}", json={"version": 1, "goals": ["EXPORT-RU"]},
                            headers=bearer(network.users[user]))
    assert response.status_code == status
    assert goal_codes(ini.id) == (["EXPORT-RU"] if status == 200 else [])


# --- import ------------------------------------------------------------------------------------

def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_imports_read_goals_by_code_or_title_and_name_an_unknown_one(client, network, goals, login_as):
    login_as(network.users["kashan_city"])
    header = ["external_id", "Title", "Category", "Goals"]
    bad = _csv([header, ["K-1", "Felt", "export_deal", "export-ru; نمایشگاه‌های زنده برگزارشده"],
                ["K-2", "Show", "exhibition", "EXPORT-RU; NO-SUCH-GOAL"]])
    response = client.post("/initiatives/import?lang=en", data={"file": (io.BytesIO(bad), "list.csv")})
    assert response.status_code == 422
    page = text(response)
    assert "NO-SUCH-GOAL" in page and "Goals" in page
    report = page.split("NO-SUCH-GOAL")[0].rsplit("<tr", 1)[1]
    assert ">3<" in report  # the bad row's number (the header is row 1)
    assert db.session.scalar(select(Initiative.id)) is None

    good = _csv([header, ["K-1", "Felt", "export_deal", "export-ru; نمایشگاه‌های زنده برگزارشده"],
                 ["K-2", "Show", "exhibition", ""]])
    assert client.post("/initiatives/import", data={"file": (io.BytesIO(good), "list.csv")}).status_code == 302
    by_ref = {i.external_id: i for i in db.session.scalars(select(Initiative))}
    assert [g.code for g in by_ref["K-1"].goals] == ["EXHIBITIONS", "EXPORT-RU"]
    assert by_ref["K-2"].goals == []

    again = _csv([header, ["K-1", "Felt", "export_deal", "EXPORT-RU"]])
    assert client.post("/initiatives/import", data={"file": (io.BytesIO(again), "list.csv")}).status_code == 302
    assert goal_codes(by_ref["K-1"].id) == ["EXPORT-RU"]


# --- query counts --------------------------------------------------------------------------

def test_pages_and_the_api_load_goals_in_a_fixed_number_of_queries(network, goals, login_as, bearer, make_goal,
                                                                   make_initiative, page_queries):
    login_as(network.users["isfahan"])
    extra = [make_goal(f"GOAL-{n}") for n in range(4)]
    ini = make_initiative(network.orgs["IR-10"], published=True, goals=[goals["EXPORT-RU"]])
    pages = [(f"/initiatives/{ini.id}", None), ("/initiatives?goal=EXPORT-RU", None), ("/goals/EXPORT-RU", None),
             ("/api/v1/initiatives", bearer(network.users["isfahan"])), ("/initiatives/export.csv", None)]
    few = page_queries(pages)
    services.update_initiative(db.session.get(Initiative, ini.id), {"goals": [goals["EXPORT-RU"], *extra]})
    for n in range(12):
        make_initiative(network.orgs["IR-10-KASHAN" if n % 2 else "IR-07-SHIRAZ"], published=n % 3 > 0,
                        goals=[goals["EXPORT-RU"], *extra[: n % 4]])
    db.session.commit()
    assert page_queries(pages) == few
