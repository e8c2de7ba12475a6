"""The member directory and organisation management."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.orgs.models import Organisation


def test_every_member_sees_the_directory_and_an_organisation_page(client, network, login_as):
    login_as(network.users["shiraz_city"])
    page = client.get("/orgs?lang=en").get_data(as_text=True)
    for code in ("IR-10", "IR-07", "IR-10-ISFAHAN", "IR-10-KASHAN"):
        assert code in page
    detail = client.get("/orgs/IR-10?lang=en")
    assert detail.status_code == 200 and "Kashan" in detail.get_data(as_text=True)
    assert client.get("/orgs/IR-99").status_code == 404


def test_directory_filters_and_counts_in_a_fixed_number_of_queries(client, network, login_as, create_org,
                                                                    count_queries):
    login_as(network.users["admin"])
    url = "/orgs?kind=municipality&province=IR-07"
    client.get(url)  # warm up
    with count_queries() as few:
        client.get(url)
    for _n in range(30):
        create_org("municipality", parent=network.orgs["IR-07"])
    with count_queries() as many:
        page = client.get(url)
    assert many.count == few.count
    assert page.get_data(as_text=True).count("/orgs/IR-07-") >= 30


def test_admin_edits_an_organisation_and_the_change_is_audited(client, network, login_as):
    login_as(network.users["admin"])
    org = network.orgs["IR-10-KASHAN"]
    response = client.post("/admin/orgs/IR-10-KASHAN/edit", data={
        "code": "IR-10-KASHAN", "kind": "municipality", "settlement": "city", "parent": org.parent_id,
        "name_fa": "کاشان", "name_en": "Kashan", "name_ru": "Кашан", "country": "IR",
        "latitude": "33.98", "longitude": "51.44", "wcc_year": "2025", "wcc_craft_en": "carpet",
        "active": "y"})
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.wcc_year == 2025 and org.name_ru == "Кашан"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "org.update"))
    assert event.before["wcc_year"] is None and event.after["wcc_year"] == 2025
    assert event.actor_id == network.users["admin"].id


def test_deactivated_members_leave_the_directory(client, network, login_as):
    login_as(network.users["admin"])
    org = network.orgs["IR-07-SHIRAZ"]
    org.active = False
    db.session.commit()
    assert "IR-07-SHIRAZ" not in client.get("/orgs").get_data(as_text=True)
    assert "IR-07-SHIRAZ" in client.get("/orgs?inactive=1").get_data(as_text=True)


@pytest.mark.parametrize("code, kind, parent", [
    ("IR-10", "province", "WCC"),            # taken
    ("IR-7", "province", "WCC"),             # not ISO
    ("IR-07-SHIRAZ2", "municipality", "IR-10"),  # wrong province prefix
    ("IR-10-KASHAN-2", "province", "WCC"),   # province code for a municipality shape
    ("IR-10-NEW", "municipality", "WCC"),    # municipality under the network
])
def test_organisation_rules(client, network, login_as, code, kind, parent):
    login_as(network.users["admin"])
    response = client.post("/admin/orgs/new?lang=en", data={
        "code": code, "kind": kind, "settlement": "city", "parent": network.orgs[parent].id,
        "name_fa": "نام", "name_en": "Name", "name_ru": "Имя", "country": "IR", "active": "y"})
    assert response.status_code == 400
    assert db.session.scalar(select(Organisation).where(Organisation.name_en == "Name")) is None


@pytest.mark.parametrize("query", ["شهرداري كاشان", "کاشان شهرداری", "kashan municipality", "Municipality KASHAN",
                                   "Кашан муниципалитет"])
def test_the_directory_finds_every_word_in_any_order(client, network, login_as, create_org, query):
    create_org("municipality", code="IR-10-NOOSH", parent=network.orgs["IR-10"], name_fa="شهرداری کاشان نوش‌آباد",
               name_en="Kashan Noosh municipality", name_ru="Муниципалитет Кашан-Нуш")
    create_org("municipality", code="IR-10-OTHER", parent=network.orgs["IR-10"], name_fa="شهرداری آران",
               name_en="Aran municipality", name_ru="Муниципалитет Аран")
    login_as(network.users["shiraz_city"])
    page = client.get("/orgs", query_string={"q": query}).get_data(as_text=True)
    assert "IR-10-NOOSH" in page and "IR-10-OTHER" not in page
