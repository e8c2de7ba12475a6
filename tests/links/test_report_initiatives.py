"""Progress reports cite initiatives of their own organisation: API, form, page, locking, visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.initiatives import services as initiative_services
from wcc.initiatives.models import Initiative
from wcc.reporting.models import ProgressReport


@pytest.fixture
def goal(make_goal):
    return make_goal()


@pytest.fixture
def work(network, goal, make_initiative):
    """Kashan's initiatives (one contributing to the goal, one draft that does not) and one of Shiraz."""
    return {
        "felt": make_initiative(network.orgs["IR-10-KASHAN"], "Kashan felt for Moscow", published=True,
                                goals=[goal]),
        "study": make_initiative(network.orgs["IR-10-KASHAN"], "Kashan market study draft"),
        "shiraz": make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz khatam", published=True, goals=[goal]),
    }


def text(response) -> str:
    return response.get_data(as_text=True)


def linked(report_id: int) -> list[int]:
    db.session.expire_all()
    return [i.id for i in db.session.get(ProgressReport, report_id).initiatives]


def post_report(client, headers, **fields):
    body = {"goal": "EXPORT-RU", "period": "1404-Q2", "value": 12500}
    body.update(fields)
    return client.post("/api/v1/reports", json=body, headers=headers)


# --- the API -------------------------------------------------------------------------------------

def test_the_api_takes_and_returns_initiative_ids(client, network, work, bearer):
    headers = bearer(network.users["kashan_city"])
    ids = sorted([work["felt"].id, work["study"].id])
    created = post_report(client, headers, initiatives=[work["study"].id, work["felt"].id, work["felt"].id])
    assert created.status_code == 201
    report = created.get_json()
    assert report["initiatives"] == ids
    assert client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()["initiatives"] == ids
    listed = client.get("/api/v1/reports", headers=headers).get_json()["items"]
    assert [r["initiatives"] for r in listed] == [ids]
    create_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.create"))
    assert create_event.after["initiatives"] == ids

    patched = client.patch(f"/api/v1/reports/{report['id']}", json={"version": report["version"],
                                                                     "initiatives": [work["felt"].id]},
                           headers=headers)
    assert patched.status_code == 200
    assert patched.get_json()["initiatives"] == [work["felt"].id]
    assert patched.get_json()["version"] == report["version"] + 1  # links alone are a change
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.update"))
    assert (event.before, event.after) == ({"initiatives": ids}, {"initiatives": [work["felt"].id]})

    # Leaving ``initiatives`` out keeps the links; the same links again change nothing.
    unchanged = client.patch(f"/api/v1/reports/{report['id']}", json={"version": report["version"] + 1,
                                                                       "narrative": "با پیوند"}, headers=headers)
    assert unchanged.get_json()["initiatives"] == [work["felt"].id]


@pytest.mark.parametrize("which, reason", [("shiraz", "another organisation's"), ("deleted", "deleted"),
                                           ("missing", "no such id")])
def test_the_api_refuses_initiatives_a_report_may_not_cite(client, network, work, bearer, make_initiative,
                                                          which, reason):
    headers = bearer(network.users["kashan_city"])
    if which == "deleted":
        target = make_initiative(network.orgs["IR-10-KASHAN"], "Old work", published=True)
        initiative_services.delete_initiative(target)
        db.session.commit()
        target_id = target.id
    else:
        target_id = work["shiraz"].id if which == "shiraz" else 99_999
    refused = post_report(client, headers, initiatives=[work["felt"].id, target_id])
    assert refused.status_code == 422, reason
    assert "initiatives" in refused.get_json()["error"]["details"]
    assert str(target_id) in refused.get_json()["error"]["details"]["initiatives"][0]
    assert db.session.scalar(select(ProgressReport.id)) is None

    report = post_report(client, headers, initiatives=[work["felt"].id]).get_json()
    patch = client.patch(f"/api/v1/reports/{report['id']}", json={"version": report["version"],
                                                                  "initiatives": [target_id]}, headers=headers)
    assert patch.status_code == 422 and "initiatives" in patch.get_json()["error"]["details"]
    assert linked(report["id"]) == [work["felt"].id]


@pytest.mark.parametrize("initiatives", [["1; DROP TABLE"], [2.5], [True], [2**63], [0], "1", [None]])
def test_the_api_refuses_values_of_the_wrong_type(client, network, work, bearer, initiatives):
    response = post_report(client, bearer(network.users["kashan_city"]), initiatives=initiatives)
    assert response.status_code == 422
    assert db.session.scalar(select(ProgressReport.id)) is None


@pytest.mark.parametrize("status", ["submitted", "reviewed", "approved"])
def test_links_of_a_report_out_of_its_authors_hands_cannot_change(client, network, goal, work, bearer,
                                                                   make_report, login_as, status):
    report = make_report(network.orgs["IR-10-KASHAN"], goal, status=status)
    response = client.patch(f"/api/v1/reports/{report.id}", json={"version": 1, "initiatives": [work["felt"].id]},
                            headers={**bearer(network.users["kashan_city"]), "Accept-Language": "en"})
    assert response.status_code == 409
    if status == "approved":
        assert "locked" in response.get_json()["error"]["message"]
    login_as(network.users["kashan_city"])
    page = client.post(f"/reports/{report.id}/edit", data={"version": "1", "value": "12500",
                                                           "initiatives": [str(work["felt"].id)]})
    assert page.status_code == 409
    assert linked(report.id) == []


def test_a_stale_version_changes_no_links(client, network, goal, work, bearer, make_report):
    report = make_report(network.orgs["IR-10-KASHAN"], goal)
    headers = bearer(network.users["kashan_city"])
    first = client.patch(f"/api/v1/reports/{report.id}", json={"version": 1, "initiatives": [work["felt"].id]},
                         headers=headers)
    assert first.status_code == 200
    stale = client.patch(f"/api/v1/reports/{report.id}", json={"version": 1, "initiatives": [work["study"].id]},
                         headers=headers)
    assert stale.status_code == 409
    assert stale.get_json()["error"]["details"]["current"]["initiatives"] == [work["felt"].id]
    assert linked(report.id) == [work["felt"].id]


@pytest.mark.parametrize("user, owner, status", [
    ("kashan_city", "IR-10-KASHAN", 200),
    ("admin", "IR-10-KASHAN", 200),
    ("isfahan", "IR-10-KASHAN", 403),   # a province reviews its municipalities' reports, does not write them
    ("ministry", "IR-10-KASHAN", 403),
    ("isfahan_city", "IR-10-KASHAN", 404),
    ("shiraz_city", "IR-10-KASHAN", 404),
])
def test_only_the_reports_writers_link_initiatives(client, network, goal, work, bearer, make_report,
                                                  user, owner, status):
    report = make_report(network.orgs[owner], goal)
    response = client.patch(f"/api/v1/reports/{report.id}", json={"version": 1, "initiatives": [work["felt"].id]},
                            headers=bearer(network.users[user]))
    assert response.status_code == status
    assert linked(report.id) == ([work["felt"].id] if status == 200 else [])


def test_the_openapi_document_describes_linked_initiatives(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("ReportInput", "ReportPatch", "Report"):
        assert schemas[name]["properties"]["initiatives"]["items"]["type"] == "integer", name


# --- the form and the page ---------------------------------------------------------------------

def test_the_form_offers_the_organisations_initiatives_contributing_ones_first(client, network, work, login_as):
    login_as(network.users["kashan_city"])
    page = text(client.get("/reports/new?goal=EXPORT-RU&period=1404-Q2&lang=en"))
    assert "Contributing to this goal" in page
    contributing, others = page.split("Contributing to this goal")[1].split("Other initiatives of")
    assert "Kashan felt for Moscow" in contributing and "Kashan market study draft" not in contributing
    assert "Kashan market study draft" in others.split("</details>")[0]
    assert "Shiraz khatam" not in page
    fa = text(client.get("/reports/new?goal=EXPORT-RU&period=1404-Q2&lang=fa"))
    assert "اقدامات پیوندخورده" in fa and "اقداماتی که به این هدف کمک می‌کنند" in fa

    response = client.post("/reports/new", data={"goal": "EXPORT-RU", "period": "1404-Q2", "value": "12500",
                                                 "initiatives": [str(work["felt"].id), str(work["study"].id)]})
    assert response.status_code == 302
    report = db.session.scalar(select(ProgressReport))
    assert linked(report.id) == sorted([work["felt"].id, work["study"].id])
    detail = text(client.get(f"/reports/{report.id}?lang=en"))
    section = detail.split('id="initiatives-h"')[1].split("</section>")[0]
    assert f'href="/initiatives/{work["felt"].id}"' in section and "Kashan felt for Moscow" in section
    assert "Kashan market study draft" in section and "Draft" in section

    edit = text(client.get(f"/reports/{report.id}/edit"))
    assert edit.count("checked") == 2
    assert client.post(f"/reports/{report.id}/edit", data={"version": "1", "value": "12500",
                                                           "initiatives": [str(work["study"].id)]}).status_code == 302
    assert linked(report.id) == [work["study"].id]
    history = text(client.get(f"/reports/{report.id}?lang=en"))
    assert "Linked initiatives: 2" in " ".join(history.split())


def test_the_form_refuses_an_initiative_it_did_not_offer(client, network, work, login_as):
    login_as(network.users["kashan_city"])
    response = client.post("/reports/new?lang=en", data={"goal": "EXPORT-RU", "period": "1404-Q2", "value": "1",
                                                         "initiatives": [str(work["shiraz"].id)]})
    assert response.status_code == 400 and "Choose only from the list." in text(response)
    assert db.session.scalar(select(ProgressReport.id)) is None


def test_an_organisation_without_initiatives_is_told_so(client, network, goal, login_as):
    login_as(network.users["shiraz_city"])
    page = text(client.get("/reports/new?goal=EXPORT-RU&lang=en"))
    assert "has no initiatives registered yet." in page and 'href="/initiatives/new"' in page


@pytest.mark.parametrize("fate", ["deleted", "moved"])
def test_a_linked_initiative_the_viewer_may_not_see_shows_only_as_a_count(client, network, goal, work, login_as,
                                                                         bearer, fate):
    headers = bearer(network.users["kashan_city"])
    report = post_report(client, headers, initiatives=[work["felt"].id, work["study"].id]).get_json()
    study = db.session.get(Initiative, work["study"].id)
    if fate == "deleted":
        initiative_services.delete_initiative(study)
    else:  # the draft now belongs to Shiraz, whose drafts Kashan and Isfahan do not see
        initiative_services.update_initiative(study, {"org": network.orgs["IR-07-SHIRAZ"]})
    db.session.commit()

    for user in ("kashan_city", "isfahan"):
        login_as(network.users[user])
        page = text(client.get(f"/reports/{report['id']}?lang=en"))
        assert "Kashan felt for Moscow" in page
        assert "Kashan market study draft" not in page, user
        assert "1 linked initiative is not visible to you." in page
    if fate == "deleted":  # only the secretariat sees deleted initiatives
        login_as(network.users["admin"])
        assert "Kashan market study draft" in text(client.get(f"/reports/{report['id']}?lang=en"))

    # The owner's form keeps the link without naming it; saving keeps it, unticking drops it.
    login_as(network.users["kashan_city"])
    edit = text(client.get(f"/reports/{report['id']}/edit?lang=en"))
    assert f"An initiative you cannot see (no. {work['study'].id})" in edit
    assert "Kashan market study draft" not in edit
    kept = [str(work["felt"].id), str(work["study"].id)]
    assert client.post(f"/reports/{report['id']}/edit", data={"version": "1", "value": "1",
                                                              "initiatives": kept}).status_code == 302
    assert linked(report["id"]) == sorted([work["felt"].id, work["study"].id])
    assert client.post(f"/reports/{report['id']}/edit", data={"version": "2", "value": "1",
                                                              "initiatives": kept[:1]}).status_code == 302
    assert linked(report["id"]) == [work["felt"].id]
    # Once unlinked, it cannot come back.
    again = client.patch(f"/api/v1/reports/{report['id']}", json={"version": 3, "initiatives": [int(kept[1])]},
                         headers=headers)
    assert again.status_code == 422


# --- query counts ------------------------------------------------------------------------------

def test_report_pages_and_the_api_load_links_in_a_fixed_number_of_queries(
        network, make_goal, goal, work, login_as, bearer, make_initiative, make_report, page_queries):
    kashan = network.orgs["IR-10-KASHAN"]
    login_as(network.users["kashan_city"])
    report = make_report(kashan, goal)
    make_report(kashan, make_goal("GOAL-B", unit="count"), period="1404-Q1")
    pages = [(f"/reports/{report.id}", None), (f"/reports/{report.id}/edit", None),
             ("/reports/new?goal=EXPORT-RU", None), ("/api/v1/reports", bearer(network.users["kashan_city"]))]
    few = page_queries(pages)
    more = [make_initiative(kashan, f"Kashan work {n}", published=n % 2 == 0, goals=[goal] if n % 3 else [])
            for n in range(8)]
    saved = db.session.get(ProgressReport, report.id)
    saved.initiatives = [work["felt"], *more[:6]]
    db.session.get(ProgressReport, report.id + 1).initiatives = more
    db.session.commit()
    assert page_queries(pages) == few
