"""Who may make, list and download documents: the policy as a truth table, and over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.documents.conftest import download
from wcc.documents.models import Document
from wcc.extensions import db
from wcc.permissions import can

USERS = ["admin", "ministry", "isfahan", "fars", "isfahan_city", "kashan_city", "shiraz_city"]

# Expected answers, written out by hand (not derived from the rules).
VIEW_ISFAHAN_CITY_DOCUMENT = {"admin": True, "ministry": True, "isfahan": True, "fars": False,
                              "isfahan_city": True, "kashan_city": False, "shiraz_city": False}
MAKE_ISFAHAN_CITY_REPORT = {"admin": True, "ministry": False, "isfahan": True, "fars": False,
                            "isfahan_city": True, "kashan_city": False, "shiraz_city": False}
MAKE_BROCHURE_FOR_ISFAHAN = {"admin": True, "ministry": False, "isfahan": True, "fars": False,
                             "isfahan_city": False, "kashan_city": False, "shiraz_city": False}
MAKE_BROCHURE_FOR_NETWORK = {"admin": True, "ministry": False, "isfahan": False, "fars": False,
                             "isfahan_city": False, "kashan_city": False, "shiraz_city": False}


@pytest.fixture
def report_document(city, network):
    document = Document(kind="designation_report", org_id=city.org.id, org=city.org, language="en",
                        title="Report", sources={})
    db.session.add(document)
    db.session.commit()
    return document


@pytest.mark.parametrize("name", USERS)
def test_truth_table(network, city, report_document, name):
    user = network.users[name]
    orgs = network.orgs
    assert can(user, "document.view", report_document) is VIEW_ISFAHAN_CITY_DOCUMENT[name]
    assert can(user, "document.download", report_document) is VIEW_ISFAHAN_CITY_DOCUMENT[name]
    assert can(user, "document.designation_report", orgs["IR-10-ISFAHAN"]) is MAKE_ISFAHAN_CITY_REPORT[name]
    assert can(user, "document.regenerate", report_document) is MAKE_ISFAHAN_CITY_REPORT[name]
    assert can(user, "document.brochure", orgs["IR-10"]) is MAKE_BROCHURE_FOR_ISFAHAN[name]
    assert can(user, "document.brochure", orgs["WCC"]) is MAKE_BROCHURE_FOR_NETWORK[name]
    # Kashan is no World Craft City: nobody makes its activity report.
    assert can(user, "document.designation_report", orgs["IR-10-KASHAN"]) is False


def test_the_library_lists_what_the_policy_shows(client, login_as, network, city):
    from wcc.documents.queries import visible_documents

    login_as(network.users["isfahan"])
    client.post("/members/IR-10-ISFAHAN/designation-report?from=1404&to=1405", data={"language": "en"})
    document = db.session.scalars(select(Document)).one()
    for name in USERS:
        user = network.users[name]
        listed = db.session.scalars(select(Document.id).where(visible_documents(user))).all()
        assert (document.id in listed) is VIEW_ISFAHAN_CITY_DOCUMENT[name], name


@pytest.mark.parametrize("name", ["fars", "kashan_city", "shiraz_city"])
def test_another_province_cannot_list_or_download(client, login_as, network, city, name):
    login_as(network.users["isfahan"])
    client.post("/members/IR-10-ISFAHAN/designation-report?from=1404&to=1405", data={"language": "en"})
    document = db.session.scalars(select(Document)).one()
    login_as(network.users[name])
    library = client.get("/documents")
    assert library.status_code == 200
    assert f"/documents/{document.id}" not in library.get_data(as_text=True)
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert download(client, f"/documents/{document.id}/versions/1.pdf").status_code == 404
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 404
    assert client.get("/members/IR-10-ISFAHAN/designation-report").status_code == 404


def test_download_is_an_attachment_with_a_safe_name(client, login_as, network, city):
    login_as(network.users["isfahan"])
    client.post("/members/IR-10-ISFAHAN/designation-report?from=1404&to=1405", data={"language": "fa"})
    document = db.session.scalars(select(Document)).one()
    login_as(network.users["ministry"])
    assert f"/documents/{document.id}" in client.get("/documents").get_data(as_text=True)
    response = download(client, f"/documents/{document.id}/versions/1.pdf")
    response.close()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename=wcc-activity-report-IR-10-ISFAHAN-' in disposition
    assert disposition.isascii() and "\n" not in disposition and "/" not in disposition.split("filename=")[1]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
