"""Printable pages: "Download PDF" renders the page's own HTML with the print stylesheet, after the
page's own permission checks."""

from __future__ import annotations

import subprocess

import pytest

from tests.documents.conftest import pdf_text


def test_an_initiative_page_as_pdf(client, login_as, network, city):
    login_as(network.users["isfahan_city"])
    page = client.get(f"/initiatives/{city.felt.id}?lang=en").get_data(as_text=True)
    assert f"/initiatives/{city.felt.id}?lang=en&amp;format=pdf" in page  # the "Download PDF" link
    response = client.get(f"/initiatives/{city.felt.id}?lang=en&format=pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="wcc-initiative-{city.felt.id}.pdf"'
    text = pdf_text(response.data)
    assert "نمد اصفهان" in text and "Union of World Craft Cities" in text and "Printed on" in text
    assert "Sign out" not in text  # no navigation on paper
    images = subprocess.run(["pdfimages", "-list", "-"], input=response.data, capture_output=True, check=True)
    assert len(images.stdout.decode().splitlines()) > 2  # the photo is printed


@pytest.mark.parametrize(("url", "phrase"), [
    ("/goals/EXPORT-RU", "Export value to Russia"),
    ("/dashboards/goals/EXPORT-RU?period_from=1404&period_to=1404", "Export value to Russia"),
    ("/dashboards/provinces/IR-10?period_from=1404&period_to=1404", "Isfahan"),
    ("/dashboards/members/IR-10-ISFAHAN?period_from=1404&period_to=1404", "Isfahan"),
])
def test_goal_province_and_member_pages_as_pdf(client, login_as, network, city, url, phrase):
    login_as(network.users["isfahan"])
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en&format=pdf")
    assert response.status_code == 200, url
    assert response.mimetype == "application/pdf"
    assert phrase in pdf_text(response.data)


def test_a_report_page_as_pdf(client, login_as, network, city):
    from sqlalchemy import select

    from wcc.extensions import db
    from wcc.reporting.models import ProgressReport

    report = db.session.scalars(select(ProgressReport)).one()
    login_as(network.users["isfahan"])
    response = client.get(f"/reports/{report.id}?lang=fa&format=pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "ارزش صادرات به روسیه" in text and "۱۲٬۵۰۰" in text


def test_pages_stay_private_as_pdf(client, login_as, network, city):
    login_as(network.users["shiraz_city"])
    response = client.get(f"/initiatives/{city.deal.id}?format=pdf")  # a draft of another member
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert client.get("/dashboards/provinces/IR-10?format=pdf").status_code in (403, 404)


def test_other_pages_ignore_the_format(client, login_as, network, city):
    login_as(network.users["isfahan"])
    response = client.get("/initiatives?format=pdf")
    assert response.mimetype == "text/html"
