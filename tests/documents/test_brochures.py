"""Brochures: Russian first, A4 or A5, made from published initiatives' stories; counted toward
BROCHURES-RU only when the officer asks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.documents.conftest import download, pdf_info, pdf_text
from wcc.documents.models import Document
from wcc.extensions import db


def _brochure(client, **data):
    values = {"language": "ru", "paper": "A4", "craft": "felt"} | data
    return client.post("/brochures/new", data=values)


def test_russian_felt_brochure(client, login_as, network, city):
    login_as(network.users["isfahan"])
    form = client.get("/brochures/new?craft=felt&language=ru").get_data(as_text=True)
    assert "Нарги Ахмади" in form  # a contact to confirm
    response = _brochure(client, contact=[str(city.felt.id)])
    assert response.status_code == 302
    document = db.session.scalars(select(Document)).one()
    assert document.sources == {"paper": "A4", "craft": "felt", "initiatives": [], "contacts": [city.felt.id]}
    pdf = download(client, f"/documents/{document.id}/versions/1.pdf").data
    text = pdf_text(pdf)
    for phrase in ("Валяние войлока", "Войлок Исфахана", "Мастера Исфахана валяют намад вручную.",
                   "Нарги Ахмади", "felt@example.org", "secretariat@wcc.example.org", "Союз всемирных городов ремёсел"):
        assert phrase in text, phrase
    # Drafts are never printed; the deal is a draft.
    assert "Moscow buyer" not in text
    assert len(pdf) < 10 * 1024 * 1024


def test_contacts_are_printed_only_when_confirmed(client, login_as, network, city):
    login_as(network.users["isfahan"])
    _brochure(client)
    document = db.session.scalars(select(Document)).one()
    assert "Нарги Ахмади" not in pdf_text(download(client, f"/documents/{document.id}/versions/1.pdf").data)


def test_a5_paper(client, login_as, network, city):
    login_as(network.users["isfahan"])
    _brochure(client, paper="A5", craft="", initiative=[str(city.felt.id), str(city.show.id)], language="en")
    document = db.session.scalars(select(Document)).one()
    info = pdf_info(download(client, f"/documents/{document.id}/versions/1.pdf").data)
    width, height = (float(v) for v in info["Page size"].split("x")[0:2] if v) \
        if False else [float(v) for v in info["Page size"].replace("pts", "").split("(")[0].split("x")]
    assert (round(width), round(height)) == (420, 595)


def test_missing_translations_are_flagged(client, login_as, network, city):
    login_as(network.users["isfahan"])
    page = client.get(f"/brochures/new?language=ru&initiative={city.show.id}&initiative={city.felt.id}")
    html = page.get_data(as_text=True)
    assert "Live felt-making at the embassy" in html.split("alert-warning")[1]  # no Russian story


def test_a_changed_persian_story_needs_translation(app, city):
    from wcc.initiatives import services

    services.update_initiative(city.felt, {"story": "داستان تازه."})
    db.session.commit()
    assert city.felt.story_needs_translation is True
    services.update_initiative(city.felt, {"story_ru": "Новая история.", "story_needs_translation": False})
    db.session.commit()
    assert city.felt.story_needs_translation is False


@pytest.mark.parametrize("name", ["isfahan_city", "ministry"])
def test_who_may_not_make_brochures(client, login_as, network, city, name):
    login_as(network.users[name])
    assert client.get("/brochures/new").status_code == 403
    assert _brochure(client).status_code == 403


def test_drafts_and_other_provinces_initiatives_are_refused(client, login_as, network, city, make_initiative):
    other = make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz khatam", published=True)
    login_as(network.users["isfahan"])
    for ini in (city.deal, other):
        response = _brochure(client, craft="", initiative=[str(ini.id)])
        assert response.status_code == 422
    assert db.session.scalars(select(Document)).all() == []


def test_published_brochures_count_toward_the_goal_only_when_asked(client, login_as, network, city, make_goal):
    from wcc.reporting.models import ProgressReport

    goal = make_goal("BROCHURES-RU", unit="count", frequency="yearly", first_period="1403", last_period="1406",
              title_en="Brochures in Russian")
    login_as(network.users["isfahan"])
    _brochure(client)
    document = db.session.scalars(select(Document)).one()
    assert "/count-brochures" not in client.get(f"/documents/{document.id}").get_data(as_text=True)
    client.post(f"/documents/{document.id}/publish")
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "/count-brochures" in page  # the offer
    mine = select(ProgressReport).where(ProgressReport.goal_id == goal.id)
    assert db.session.scalars(mine).all() == []  # never silently
    response = client.post(f"/documents/{document.id}/count-brochures")
    assert response.status_code == 302
    report = db.session.scalars(mine).one()
    assert (report.org_id, report.status, report.value) == (network.orgs["IR-10"].id, "draft", Decimal(1))
    assert "/count-brochures" not in client.get(f"/documents/{document.id}").get_data(as_text=True)
