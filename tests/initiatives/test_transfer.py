"""Exports (CSV, XLSX) of the filtered list and imports that write all rows or none."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from wcc.extensions import db
from wcc.initiatives.models import Initiative
from wcc.spreadsheets import FORMULA_START, csv_bytes, neutralise

from .samples import image_bytes

XSS = "<img src=x onerror=alert(1)>"


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Initiative))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # a BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).active


# --- export --------------------------------------------------------------------------------

@pytest.mark.parametrize("start", FORMULA_START)
def test_cells_a_spreadsheet_would_run_are_neutralised(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise("1+1") == "1+1" and neutralise(5) == 5


def test_csv_export_follows_the_filters_and_shows_titles_literally(client, network, login_as, make_initiative):
    make_initiative(network.orgs["IR-10"], XSS, published=True, category_code="film")
    make_initiative(network.orgs["IR-10"], '=HYPERLINK("http://evil.example","x")', published=True)
    make_initiative(network.orgs["IR-07"], "Fars draft")
    login_as(network.users["isfahan"])
    response = client.get("/initiatives/export.csv?lang=en")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    header = rows[0]
    assert header[:6] == ["Id", "Your reference", "Organisation code", "Organisation", "Province", "Title"]
    titles = sorted(row[header.index("Title")] for row in rows[1:])
    assert titles == sorted([XSS, "'=HYPERLINK(\"http://evil.example\",\"x\")"])  # no Fars draft
    rows = read_csv(client.get("/initiatives/export.csv?category=film").data)
    assert len(rows) == 2 and XSS in rows[1]


def test_xlsx_export_is_right_to_left_with_persian_headers_in_persian(client, network, login_as,
                                                                      make_initiative, craft):
    make_initiative(network.orgs["IR-10"], "=1+1", published=True, crafts=[craft("felt")])
    make_initiative(network.orgs["IR-10"], XSS, published=True)
    login_as(network.users["isfahan"])
    sheet = read_xlsx(client.get("/initiatives/export.xlsx?lang=fa").data)
    assert sheet.sheet_view.rightToLeft
    header = [c.value for c in sheet[1]]
    assert "عنوان" in header and "صنایع دستی" in header
    cells = {c.value: c for c in sheet[f"{chr(65 + header.index('عنوان'))}"][1:]}
    assert set(cells) == {"'=1+1", XSS}
    assert all(c.data_type == "s" for c in cells.values())  # text, never a formula
    crafts_column = [c.value for c in sheet[chr(65 + header.index("صنایع دستی"))][1:]]
    assert "نمدمالی" in crafts_column
    english = read_xlsx(client.get("/initiatives/export.xlsx?lang=en").data)
    assert not english.sheet_view.rightToLeft and english["F1"].value == "Title"
    russian = read_xlsx(client.get("/initiatives/export.xlsx?lang=ru").data)
    assert russian["F1"].value == "Название"


# --- import --------------------------------------------------------------------------------

HEADER = ["external_id", "title", "category", "status", "start_date", "crafts", "deal_value_amount",
          "deal_value_currency", "published"]


def rows_csv(n: int, bad_row: int | None = None, title: str = "Shipment") -> bytes:
    rows = []
    for i in range(1, n + 1):
        category = "nonsense" if i == bad_row else ("export_deal" if i % 2 else "نمایشگاه و اجرای زنده")
        rows.append([f"REF-{i:04d}", f"{title} {i}", category, ("active", "فعال", "در حال اجرا")[i % 3],
                     "1404/02/01" if i % 2 else "2025-05-01", "felt; فرش و قالی‌بافی دستباف", str(1000 + i), "EUR",
                     "yes" if i % 4 else "خیر"])
    return csv_bytes(HEADER, rows)


def post_import(client, data: bytes, name: str = "initiatives.csv", **extra):
    return client.post("/initiatives/import?lang=en", data={"file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def test_one_bad_row_in_a_thousand_writes_nothing_then_the_fixed_file_imports_and_reimports(
        client, network, login_as):
    login_as(network.users["isfahan_city"])
    response = post_import(client, rows_csv(1000, bad_row=700))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "<td>701</td><td><bdi dir=\"auto\">category</bdi></td>" in page  # spreadsheet row 701 = data row 700
    assert "Unknown category “nonsense”." in page
    assert count() == 0

    response = post_import(client, rows_csv(1000))
    assert response.status_code == 302
    assert count() == 1000
    sample = db.session.scalar(select(Initiative).where(Initiative.external_id == "REF-0002"))
    assert (sample.org.code, sample.category.code, sample.status, sample.published) == (
        "IR-10-ISFAHAN", "exhibition", "active", True)
    assert sorted(c.code for c in sample.crafts) == ["carpet", "felt"]
    assert (sample.deal_amount, sample.deal_currency) == (1002, "EUR")

    response = post_import(client, rows_csv(1000, title="Updated"))
    assert response.status_code == 302
    assert count() == 1000
    assert db.session.scalar(select(func.count()).select_from(Initiative)
                             .where(Initiative.title.like("Updated %"))) == 1000
    assert db.session.scalar(select(Initiative.version).where(Initiative.external_id == "REF-0002")) == 2


def test_an_exported_file_imports_again_without_duplicates(client, network, login_as, make_initiative, craft):
    from datetime import date
    from decimal import Decimal

    from wcc.initiatives.models import Money
    from wcc.initiatives.services import MilestoneData

    for i in range(3):
        make_initiative(network.orgs["IR-10"], f"صادرات نمد {i}", external_id=f"X-{i}", crafts=[craft("felt")],
                        partner_country="RU", partners=["Экспоцентр"], published=bool(i % 2),
                        deal_value=Money(Decimal("1300000"), "EUR", date(2025, 9, 30)), summary="خلاصه",
                        milestones=[MilestoneData(date(2025, 5, 1), "قرارداد")])
    login_as(network.users["isfahan"])
    for lang in ("fa", "ru"):
        data = client.get(f"/initiatives/export.xlsx?lang={lang}").data
        response = client.post(f"/initiatives/import?lang={lang}",
                               data={"file": (io.BytesIO(data), "export.xlsx")}, content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)
        assert count() == 3
    assert db.session.scalar(select(func.max(Initiative.version))) == 1  # nothing changed


def test_rows_may_not_touch_other_members_initiatives(client, network, login_as, make_initiative):
    make_initiative(network.orgs["IR-10-KASHAN"], "Kashan's", external_id="K-1")
    login_as(network.users["isfahan_city"])
    data = csv_bytes(["org", "external_id", "title", "category"],
                     [["IR-10-ISFAHAN", "K-1", "Mine", "film"], ["IR-10-KASHAN", "K-1", "Theirs", "film"]])
    response = post_import(client, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<td>3</td><td><bdi dir=\"auto\">org</bdi></td>" in page
    assert count() == 1


@pytest.mark.parametrize("data, name, message", [
    (image_bytes("PNG"), "photo.csv", "not a text CSV file"),
    (image_bytes("PNG"), "photo.png", "Choose a CSV or Excel"),
    (b"", "empty.csv", "The file is empty"),
    (csv_bytes(["name", "colour"], [["a", "b"]]), "other.csv", "The file has no “Title” column"),
    (csv_bytes(["title", "category"], []), "header-only.csv", "no rows under the header"),
    (b"PK\x03\x04broken", "broken.xlsx", "not a readable Excel"),
])
def test_files_that_are_not_initiative_tables_are_refused_clearly(client, network, login_as, data, name,
                                                                  message):
    login_as(network.users["isfahan"])
    response = post_import(client, data, name)
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    assert count() == 0


def test_files_over_the_upload_limit_are_refused(client, app, network, login_as, monkeypatch):
    # Werkzeug's test client leaves bodies over 500 KB in an unclosed temporary file, so the
    # limit is lowered to well under that instead of sending megabytes.
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 100 * 1024)
    login_as(network.users["isfahan"])
    response = post_import(client, rows_csv(1) + b"x" * (150 * 1024))
    assert response.status_code == 400 and "The file is larger than" in response.get_data(as_text=True)


def test_windows_persian_csv_and_semicolons_are_read(client, network, login_as):
    login_as(network.users["isfahan"])
    text = "title;category\r\nنمايشگاه قالي;حراج\r\n"  # Windows-1256 has only the Arabic ي
    response = post_import(client, text.encode("cp1256"))
    assert response.status_code == 302
    assert db.session.scalar(select(Initiative.title)) == "نمايشگاه قالي"


def test_a_check_only_import_saves_nothing(client, network, login_as):
    login_as(network.users["isfahan"])
    response = post_import(client, rows_csv(5), dry_run="y")
    assert response.status_code == 200 and "5 new" in response.get_data(as_text=True)
    assert count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_imports_as_it_is(client, network, login_as, fmt):
    login_as(network.users["isfahan_city"])
    data = client.get(f"/initiatives/import/template.{fmt}?lang=fa").data
    assert post_import(client, data, f"template.{fmt}").status_code == 302
    assert count() == 1


def test_the_import_api_reports_rows_and_columns(client, network, api_token):
    headers = {"Authorization": f"Bearer {api_token(network.users['isfahan'])}", "Accept-Language": "en"}
    bad = client.post("/api/v1/initiatives/import", data={"file": (io.BytesIO(rows_csv(20, bad_row=3)), "a.csv")},
                      headers=headers, content_type="multipart/form-data")
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"]["rows"] == [
        {"row": 4, "column": "category", "message": "Unknown category “nonsense”."}]
    assert count() == 0
    good = client.post("/api/v1/initiatives/import", data={"file": (io.BytesIO(rows_csv(20)), "a.csv")},
                       headers=headers, content_type="multipart/form-data")
    assert good.status_code == 200
    assert good.get_json() == {"created": 20, "updated": 0, "unchanged": 0, "ignored_columns": []}
    again = client.post("/api/v1/initiatives/import", data={"file": (io.BytesIO(rows_csv(20)), "a.csv")},
                        headers=headers, content_type="multipart/form-data")
    assert again.get_json()["unchanged"] == 20 and count() == 20


def large_import(first: int, count: int) -> bytes:
    header = ["org", "external_id", "title", "category", "crafts", "goals", "partners", "published"]
    rows = [[("IR-10-ISFAHAN", "IR-10-KASHAN")[i % 2], f"BIG-{i:05d}", f"نمایشگاه نمد واژه{i}x", "exhibition",
             ("felt", "felt; carpet")[i % 2], "EXPORT-RU" if i % 3 else "", "Экспоцентр" if i % 5 else "", "no"]
            for i in range(first, first + count)]
    return csv_bytes(header, rows)


def test_a_large_import_runs_a_bounded_number_of_statements_and_writes_every_link_audit_and_search_row(
        client, network, login_as, count_queries, make_goal):
    from wcc.audit.models import AuditEvent
    from wcc.dashboards.models import DataVersion
    from wcc.initiatives.models import Partner, initiative_crafts, initiative_goals
    from wcc.initiatives.services import audit_state

    make_goal("EXPORT-RU")
    user = login_as(network.users["admin"])
    version = db.session.scalar(select(DataVersion.version))
    statements = {}
    for first, rows in ((1, 100), (101, 1000)):
        with count_queries() as queries:
            response = post_import(client, large_import(first, rows))
        assert response.status_code == 302, response.get_data(as_text=True)
        statements[rows] = queries.count
    # Ten times the rows, (almost) the same statements: nothing is written or read row by row.
    assert statements[1000] <= statements[100] + 5, statements

    assert count() == 1100
    initiatives = {i.id: i for i in db.session.scalars(select(Initiative))}
    links = db.session.execute(select(initiative_crafts.c.initiative_id, func.count())
                               .group_by(initiative_crafts.c.initiative_id)).all()
    assert {ini_id: n for ini_id, n in links} == {
        i.id: 2 if i.external_id.endswith(("1", "3", "5", "7", "9")) else 1 for i in initiatives.values()}
    assert db.session.scalar(select(func.count()).select_from(initiative_goals)) == len(
        [n for n in range(1, 1101) if n % 3])
    assert db.session.scalar(select(func.count()).select_from(Partner)) == len([n for n in range(1, 1101) if n % 5])
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "initiative.create")).all()
    assert sorted(int(e.object_id) for e in events) == sorted(initiatives)
    assert {(e.object_type, e.actor_id) for e in events} == {("initiatives", user.id)}
    for event in events[::97]:
        assert event.after == audit_state(initiatives[int(event.object_id)])
    assert db.session.scalar(select(DataVersion.version)) != version  # the dashboards' figures are read again

    page = client.get("/initiatives?q=واژه777x&lang=en").get_data(as_text=True)
    assert "نمایشگاه نمد واژه777x" in page
    assert "واژه778x" not in page
