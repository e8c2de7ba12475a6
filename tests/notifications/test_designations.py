"""World Craft City obligations: the reference data's members, due dates, reminders, escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from wcc.extensions import db
from wcc.notifications.models import Notification


@pytest.fixture
def designated(app, create_user):
    """The demo organisations (the reference data) with their designations, an admin and Isfahan's officer."""
    from wcc.auth.models import User
    from wcc.designations.services import ensure_designations
    from wcc.orgs.demo import seed_orgs
    from wcc.orgs.queries import get_by_code

    list(seed_orgs())
    ensure_designations()
    db.session.commit()
    users = {
        "admin": create_user("admin", get_by_code("WCC"), email="admin@test.example.org", preferred_language="en"),
        "city": create_user("municipality", get_by_code("IR-10-ISFAHAN"), email="isfahan.city@test.example.org",
                            preferred_language="fa"),
        "province": create_user("province", get_by_code("IR-10"), email="isfahan@test.example.org"),
        "other": create_user("municipality", get_by_code("IR-03-TABRIZ"), email="tabriz@test.example.org"),
    }
    return users, User


def test_the_reference_datas_designated_members_are_listed(designated, client, bearer):
    users, _user = designated
    answer = client.get("/api/v1/designations", headers=bearer(users["admin"]))
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    import csv
    from importlib import resources

    with resources.files("wcc.data").joinpath("world_craft_cities.csv").open(encoding="utf-8") as fh:
        reference = list(csv.DictReader(fh))
    assert len(reference) == 14 and len(items) == 14
    by_code = {i["org"]: i for i in items}
    isfahan = by_code["IR-10-ISFAHAN"]
    assert isfahan["designated_on"] == "2015-01-01"
    assert [r["due"] for r in isfahan["reports"]] == ["2017-01-01", "2019-01-01"]
    assert all(set(r) >= {"due", "status"} for i in items for r in i["reports"])
    assert {r["status"] for r in isfahan["reports"]} <= {"not_due", "due", "overdue", "received"}
    # A member sees its own obligations only.
    mine = client.get("/api/v1/designations", headers=bearer(users["city"])).get_json()["items"]
    assert [i["org"] for i in mine] == ["IR-10-ISFAHAN"]
    assert "/api/v1/designations" in client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/notifications/read-all" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_isfahans_two_and_four_year_reports_with_their_reminders(designated, client, login_as, runner, bearer):
    users, _user = designated
    from wcc.designations.models import Designation
    from wcc.orgs.queries import get_by_code

    designation = db.session.scalar(select(Designation).where(
        Designation.org_id == get_by_code("IR-10-ISFAHAN").id))
    login_as(users["admin"])
    answer = client.post(f"/designations/{designation.id}/date", data={"designated_on": "2024-10-15"})
    assert answer.status_code == 302
    isfahan, = [i for i in client.get("/api/v1/designations", headers=bearer(users["admin"])).get_json()["items"]
                if i["org"] == "IR-10-ISFAHAN"]
    assert isfahan["designated_on"] == "2024-10-15"
    assert [r["due"] for r in isfahan["reports"]] == ["2026-10-15", "2028-10-15"]
    due = date(2026, 10, 15)

    def day(offset: int) -> int:
        result = runner.invoke(args=["send-reminders", "--date", (due + timedelta(days=offset)).isoformat()])
        assert result.exit_code == 0, result.output
        return int(result.output.strip().splitlines()[-1].split(": ")[1])

    def told() -> list[tuple[str, str, int | None]]:
        rows = db.session.scalars(select(Notification).where(Notification.object_type == "designation_report"))
        return sorted((n.user.email, n.kind, (n.params or {}).get("reminder")) for n in rows)

    assert day(-91) == 0
    assert day(-90) == 1 and day(-60) == 0  # first reminder, to the member's officer
    assert day(-30) == 1 and day(-1) == 0  # second reminder
    assert day(1) == 2  # overdue: the member and the union secretariat
    assert day(2) == 0 and day(30) == 0
    assert told() == [("admin@test.example.org", "designation.overdue", None),
                      ("isfahan.city@test.example.org", "designation.due_soon", 1),
                      ("isfahan.city@test.example.org", "designation.due_soon", 2),
                      ("isfahan.city@test.example.org", "designation.overdue", None)]
    # The page lists the reminders sent, the report overdue, the next one not due.
    html = client.get("/designations?lang=en").get_data(as_text=True)
    assert "reminder 1 sent" in html and "reminder 2 sent" in html and "overdue notice sent" in html
    assert "15 Oct 2026" in html and "15 Oct 2028" in html


def test_an_admin_records_a_report_received_with_its_file(designated, client, login_as, runner, bearer):
    import io

    users, _user = designated
    from wcc.designations.models import Designation, DesignationReport
    from wcc.orgs.queries import get_by_code

    designation = db.session.scalar(select(Designation).where(
        Designation.org_id == get_by_code("IR-10-ISFAHAN").id))
    first = designation.reports[0]
    login_as(users["admin"])
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    answer = client.post(f"/designations/{designation.id}/reports/{first.id}/received",
                         data={"received_on": "2017-02-01", "file": (io.BytesIO(pdf), "report-2017.pdf")},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    report = db.session.get(DesignationReport, first.id)
    assert report.received_on == date(2017, 2, 1) and report.file is not None
    item, = [i for i in client.get("/api/v1/designations", headers=bearer(users["admin"])).get_json()["items"]
             if i["org"] == "IR-10-ISFAHAN"]
    assert item["reports"][0]["status"] == "received"
    download = client.get(f"/designations/reports/{first.id}/file")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    # A further due date, added by the admin, is listed too.
    assert client.post(f"/designations/{designation.id}/reports",
                       data={"due_on": "2030-03-01", "note": "Renewal dossier"}).status_code == 302
    item, = [i for i in client.get("/api/v1/designations", headers=bearer(users["admin"])).get_json()["items"]
             if i["org"] == "IR-10-ISFAHAN"]
    assert item["reports"][-1] == {"due": "2030-03-01", "status": "not_due", "years_after": None,
                                   "received_on": None}

def test_a_file_picked_with_a_refused_date_is_kept_for_the_next_try(designated, client, login_as):
    import io
    import re

    users, _user = designated
    from wcc.designations.models import Designation, DesignationReport
    from wcc.orgs.queries import get_by_code

    designation = db.session.scalar(select(Designation).where(
        Designation.org_id == get_by_code("IR-10-ISFAHAN").id))
    first = designation.reports[0]
    login_as(users["admin"])
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    url = f"/designations/{designation.id}/reports/{first.id}/received?lang=en"
    refused = client.post(url, data={"received_on": "2099-01-01", "file": (io.BytesIO(pdf), "report-2017.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "cannot be in the future" in page and "report-2017.pdf" in page
    token = re.search(r'name="kept_uploads" value="([^"]+)"', page).group(1)
    saved = client.post(url, data={"received_on": "2017-02-01", "kept_uploads": token},
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    report = db.session.get(DesignationReport, first.id)
    assert report.received_on == date(2017, 2, 1) and report.file.original_name == "report-2017.pdf"


def test_a_refused_date_is_shown_once_under_the_form_that_was_sent(designated, client, login_as):
    """Isfahan has two reports waiting: the error, the typed date and the open form are the second's only."""
    import re

    users, _user = designated
    from wcc.designations.models import Designation
    from wcc.orgs.queries import get_by_code

    designation = db.session.scalar(select(Designation).where(
        Designation.org_id == get_by_code("IR-10-ISFAHAN").id))
    first, second = designation.reports[:2]
    login_as(users["admin"])
    refused = client.post(f"/designations/{designation.id}/reports/{second.id}/received?lang=en",
                          data={"received_on": "31 Febtember 2019"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    errors = re.findall(r'<div class="text-danger" id="rc-(\d+)-error" data-form-error>', page)
    assert errors == [str(second.id)]
    assert page.count("data-form-error") == 1
    typed = re.search(rf'<input[^>]*id="rc-{second.id}"[^>]*>', page).group(0)
    assert 'value="31 Febtember 2019"' in typed and "is-invalid" in typed
    untouched = re.search(rf'<input[^>]*id="rc-{first.id}"[^>]*>', page).group(0)
    assert 'value=""' in untouched and "is-invalid" not in untouched
    assert designation.reports[1].received_on is None

    # The same for a further due date: only the sent form shows what was typed and why it was refused.
    refused = client.post(f"/designations/{designation.id}/reports?lang=en",
                          data={"due_on": "not a date", "note": "Renewal dossier"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert page.count("data-form-error") == 1 and f'id="nd-{designation.id}-error"' in page
    assert page.count('value="Renewal dossier"') == 1 and page.count('value="not a date"') == 1



@pytest.mark.parametrize("field, value", [("designated_on", ""), ("designated_on", "2015-02-30"),
                                          ("designated_on", "2999-01-01"), ("designated_on", "\x00")])
def test_bad_dates_are_refused_clearly(designated, client, login_as, field, value):
    users, _user = designated
    from wcc.designations.models import Designation

    designation = db.session.scalar(select(Designation))
    login_as(users["admin"])
    answer = client.post(f"/designations/{designation.id}/date?lang=en", data={field: value})
    assert answer.status_code == 422


def test_only_admins_change_obligations(designated, client, login_as):
    users, _user = designated
    from wcc.designations.models import Designation

    designation = db.session.scalar(select(Designation))
    login_as(users["city"])
    assert client.post(f"/designations/{designation.id}/date", data={"designated_on": "2015-10-01"}).status_code == 403


def test_a_report_is_received_as_the_generated_activity_report(designated, client, login_as, bearer):
    from wcc.designations.models import Designation, DesignationReport
    from wcc.documents.models import Document, DocumentKind
    from wcc.orgs.queries import get_by_code

    users, _user = designated
    isfahan, tabriz = get_by_code("IR-10-ISFAHAN"), get_by_code("IR-03-TABRIZ")
    ours = Document(kind=DocumentKind.DESIGNATION_REPORT, org_id=isfahan.id, language="en",
                    title="World Craft City activity report: Isfahan, 2015-2017")
    theirs = Document(kind=DocumentKind.DESIGNATION_REPORT, org_id=tabriz.id, language="fa", title="Tabriz")
    db.session.add_all([ours, theirs])
    db.session.commit()
    designation = db.session.scalar(select(Designation).where(Designation.org_id == isfahan.id))
    first = designation.reports[0]
    login_as(users["admin"])
    page = client.get("/designations?lang=en").get_data(as_text=True)
    assert "World Craft City activity report: Isfahan, 2015-2017" in page
    url = f"/designations/{designation.id}/reports/{first.id}/received"
    assert client.post(url, data={"received_on": "2017-03-01", "document": str(theirs.id)}).status_code == 422
    assert client.post(url, data={"received_on": "2017-03-01", "document": str(ours.id)}).status_code == 302
    report = db.session.get(DesignationReport, first.id)
    assert (report.document_type, report.document_id, report.file_id) == ("document", str(ours.id), None)
    assert f'href="/documents/{ours.id}"' in client.get("/designations?lang=en").get_data(as_text=True)
