"""The World Craft City activity report: made by the city's province officer in fa and en, kept
with its versions, and its PDF says the city's name and figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.documents.conftest import download, pdf_info, pdf_text
from wcc.documents.models import Document, DocumentVersion
from wcc.extensions import db


def _make(client, city, language: str, **extra):
    photo_ids = [f.id for f in city.felt.photos]
    data = {"language": language, "narrative": extra.pop("narrative", "A year of felt."),
            "photo": [str(i) for i in photo_ids]}
    return client.post("/members/IR-10-ISFAHAN/designation-report?from=1404&to=1405", data=data, **extra)


def _download(client, document: Document, number: int | None = None):
    number = number or document.latest.number
    return download(client, f"/documents/{document.id}/versions/{number}.pdf")


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["World Craft City activity report", "Isfahan", "multiple handicrafts", "Export value to Russia",
            "12,500", "100,000", "48,000", "Persian Pattern LLC", "Live felt-making at the embassy",
            "A year of felt."]),
    ("fa", ["اصفهان", "صنایع دستی گوناگون", "ارزش صادرات به روسیه", "۱۲٬۵۰۰", "۱۰۰٬۰۰۰", "۴۸٬۰۰۰",
            "Persian Pattern LLC", "۱۴۰۴"]),
])
def test_province_officer_makes_the_report(client, login_as, network, city, language, expected):
    login_as(network.users["isfahan"])
    page = client.get("/members/IR-10-ISFAHAN/designation-report?from=1404&to=1405")
    assert page.status_code == 200
    response = _make(client, city, language)
    assert response.status_code == 302
    document = db.session.scalars(select(Document)).one()
    assert response.headers["Location"].endswith(f"/documents/{document.id}")
    assert (document.language, document.kind, document.org_id) == (language, "designation_report", city.org.id)
    pdf = _download(client, document)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    for phrase in expected:
        assert phrase in text, phrase
    assert int(pdf_info(pdf.data)["Pages"]) == document.latest.pages >= 2


def test_photos_are_ticked_and_printed_at_most_300_dpi(client, login_as, network, city):
    import subprocess

    login_as(network.users["isfahan_city"])
    assert _make(client, city, "en").status_code == 302
    pdf = _download(client, db.session.scalars(select(Document)).one()).data
    listing = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True)
    rows = [line.split() for line in listing.stdout.decode().splitlines()[2:] if line.strip()]
    assert len(rows) == 1  # only the ticked photo of the felt story, not the deal's
    x_ppi = int(rows[0][12])
    assert x_ppi <= 301
    assert int(rows[0][3]) < 2400  # down-sampled from the stored 2400 px


def test_making_it_again_keeps_the_old_version(client, login_as, network, city):
    login_as(network.users["isfahan"])
    _make(client, city, "en")
    document = db.session.scalars(select(Document)).one()
    first = _download(client, document).data
    response = client.post(f"/documents/{document.id}/regenerate")
    assert response.status_code == 302
    db.session.expire_all()
    assert [v.number for v in document.versions] == [2, 1]
    assert _download(client, document, 1).data == first
    assert _download(client, document, 2).status_code == 200
    detail = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert f"/documents/{document.id}/versions/1.pdf" in detail
    assert f"/documents/{document.id}/versions/2.pdf" in detail


def test_the_next_report_starts_after_the_last_one(client, login_as, network, city):
    from wcc.documents import queries
    from wcc.periods import today as today_local

    login_as(network.users["isfahan"])
    today = today_local()
    this_year = queries.solar_year(today)
    assert queries.default_span(city.org, today).first == 1394  # designated in 2015
    client.post(f"/members/IR-10-ISFAHAN/designation-report?from=1404&to={this_year - 1}",
                data={"language": "en", "narrative": ""})
    assert queries.default_span(city.org, today) == queries.Span(this_year, this_year)


@pytest.mark.parametrize("query", ["from=1405&to=1404", "from=abcd&to=1404", "from=0999&to=1404",
                                   "from=1404&to=1500"])
def test_bad_spans_get_a_clear_answer(client, login_as, network, city, query):
    login_as(network.users["isfahan"])
    response = client.post(f"/members/IR-10-ISFAHAN/designation-report?{query}", data={"language": "en"})
    assert response.status_code == 422
    assert "alert-danger" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_only_designated_members_have_a_report(client, login_as, network, city):
    login_as(network.users["admin"])
    assert client.get("/members/IR-10-KASHAN/designation-report").status_code == 404


def test_an_unknown_language_is_refused(client, login_as, network, city):
    login_as(network.users["isfahan"])
    response = _make(client, city, "de")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(DocumentVersion)) == 0


def test_without_pdf_rendering_the_page_says_so(make_app, network, city):
    from wcc.auth import services

    app = make_app(PDF_DISABLED=True)
    client = app.test_client()
    with app.app_context():
        user = db.session.get(type(network.users["isfahan"]), network.users["isfahan"].id)
        row = services.start_session(user, "127.0.0.1", "pytest")
        db.session.commit()
        with client.session_transaction() as session:
            session.update({"_user_id": str(user.id), "_fresh": True, "sid": row.id})
        page = client.get("/members/IR-10-ISFAHAN/designation-report")
        assert page.status_code == 200
        assert "WeasyPrint" in page.get_data(as_text=True)
        response = client.post("/members/IR-10-ISFAHAN/designation-report?from=1404&to=1405",
                               data={"language": "en"})
        assert response.status_code == 503
        assert "Pango" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_figures_use_the_dashboards_status(client, login_as, network, city):
    """The report's status column is the dashboards' progress status for the same member and span."""
    from wcc.dashboards.filters import Filters
    from wcc.dashboards.pages import member_dashboard
    from wcc.documents import services
    from wcc.documents.queries import Span
    from wcc.periods import Period, PeriodRange
    from wcc.periods import today as today_local

    with client.application.test_request_context():
        rows = services._figures(city.org, Span(1404, 1405), "en", today_local())
        expected = member_dashboard(city.org, Filters(PeriodRange(Period(1404), Period(1405))), today_local())
    assert [(r["code"], r["status"], r["actual"]) for r in rows] == \
        [(g["code"], g["status"], g["actual"]) for g in expected["goals"]]
    assert rows[0]["actual"] == float(Decimal("12500"))
