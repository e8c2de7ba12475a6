"""The reporting pages as people use them: My reporting, the form, the report page, the review queue."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from wcc.extensions import db
from wcc.reporting.models import ProgressReport, ReportComment


@pytest.fixture
def goal(make_goal):
    return make_goal()


def text(response) -> str:
    return response.get_data(as_text=True)


def count_reports() -> int:
    return db.session.scalar(select(func.count()).select_from(ProgressReport))


# --- My reporting ---------------------------------------------------------------------

def test_my_reporting_lists_returned_overdue_due_drafts_waiting_and_approved(client, network, goal, login_as,
                                                                             make_report):
    org, user = network.orgs["IR-10-ISFAHAN"], network.users["isfahan_city"]
    returned = make_report(org, goal, "1404-Q1", "returned", author=user)
    db.session.add(ReportComment(report_id=returned.id, author_id=network.users["isfahan"].id, kind="return",
                                 body="لطفاً فاکتور فروش را پیوست کنید."))
    db.session.commit()
    make_report(org, goal, "1404-Q2", "draft", author=user)
    make_report(org, goal, "1404-Q3", "submitted", author=user)
    make_report(org, goal, "1404-Q4", "approved", author=user)
    login_as(user)
    page = text(client.get("/reporting?lang=en"))
    assert "لطفاً فاکتور فروش را پیوست کنید." in page
    sections = {name: page.split(f'id="{name}-h"')[1].split("</section>")[0]
                for name in ("returned", "overdue", "due", "drafts", "waiting", "approved")}
    assert "1404 Q1" in sections["returned"]
    assert "1403 Q1" in sections["overdue"] and "1404 Q2" in sections["overdue"]  # nothing or a draft
    assert "1404 Q4" not in sections["overdue"] and "1404 Q3" not in sections["overdue"]
    assert "1404 Q2" in sections["drafts"]
    assert "1404 Q3" in sections["waiting"]
    assert "1404 Q4" in sections["approved"]


def test_my_reporting_and_the_navigation_take_a_fixed_number_of_queries(client, network, make_goal, login_as,
                                                                        make_report, count_queries):
    user = network.users["isfahan_city"]
    login_as(user)
    first = make_goal("GOAL-A")
    make_report(network.orgs["IR-10-ISFAHAN"], first, "1403-Q1", "returned", author=user)
    db.session.expire_all()
    with count_queries() as few:
        assert client.get("/reporting").status_code == 200
    for code in ("GOAL-B", "GOAL-C", "GOAL-D"):
        goal = make_goal(code)
        for period in ("1403-Q2", "1403-Q3", "1404-Q1", "1404-Q2"):
            make_report(network.orgs["IR-10-ISFAHAN"], goal, period, "returned", author=user)
    with count_queries() as many:
        assert client.get("/reporting").status_code == 200
    assert many.count == few.count


def test_the_navigation_counts_what_needs_doing(client, network, goal, login_as, make_report):
    make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q2", "submitted", author=network.users["isfahan_city"])
    login_as(network.users["isfahan"])
    page = text(client.get("/?lang=en"))
    review_link = re.search(r'href="/review">Review\s*<span[^>]*>(\d+)', page)
    assert review_link and review_link.group(1) == "1"
    login_as(network.users["ministry"])
    page = text(client.get("/?lang=en"))
    assert 'href="/review"' not in page and 'href="/reporting"' not in page


def test_admins_and_the_ministry_are_sent_where_their_work_is(client, network, login_as):
    login_as(network.users["admin"])
    assert client.get("/reporting").headers["Location"].endswith("/review")
    login_as(network.users["ministry"])
    assert client.get("/reporting").headers["Location"].endswith("/reports")


# --- writing --------------------------------------------------------------------------

def test_a_report_typed_in_persian_digits_is_stored_as_a_number_and_submitted(client, network, goal, login_as):
    login_as(network.users["isfahan_city"])
    form = client.get("/reports/new?goal=EXPORT-RU&period=1404-Q2&lang=fa")
    assert form.status_code == 200 and 'inputmode="decimal"' in text(form)
    response = client.post("/reports/new", data={"goal": "EXPORT-RU", "period": "1404-Q2", "value": "۱۲٬۵۰۰",
                                                 "narrative": "فروش سه تخته نمد", "action": "submit"})
    assert response.status_code == 302
    report = db.session.scalar(select(ProgressReport))
    assert (report.value, report.status, report.period_key) == (12500, "submitted", "1404-Q2")
    assert client.get("/reports/new?goal=EXPORT-RU&period=1404-Q2").headers["Location"].endswith(
        f"/reports/{report.id}")


@pytest.mark.parametrize("fields, message", [
    ({"value": "", "action": "submit"}, "Enter the value before submitting."),
    ({"value": "12.5.3"}, "Enter a number"),
    ({"value": "9" * 61}, "At most 60 characters"),
    ({"value": "<b>5</b>"}, "Enter a number"),
    ({"narrative": "bad\x00byte"}, "control characters"),
    ({"narrative": "x" * 20_001}, "At most 20000 characters"),
    ({"period": "1406-Q1"}, "This goal runs from"),
])
def test_bad_input_on_the_form_is_explained_and_nothing_is_stored(client, network, goal, login_as, fields, message):
    login_as(network.users["isfahan_city"])
    data = {"goal": "EXPORT-RU", "period": "1404-Q2", "value": "100", "narrative": "", "action": "save", **fields}
    response = client.post("/reports/new?lang=en", data=data)
    assert response.status_code in (400, 422)
    assert message in text(response)
    assert count_reports() == 0


def test_a_second_report_for_the_same_period_points_to_the_first(client, network, goal, login_as, make_report):
    existing = make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q2")
    login_as(network.users["isfahan_city"])
    response = client.post("/reports/new?lang=en", data={"goal": "EXPORT-RU", "period": "1404-Q2", "value": "1"})
    assert response.status_code == 409
    assert f"/reports/{existing.id}" in text(response)
    assert count_reports() == 1


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(client, network, goal, login_as, make_report):
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal, narrative="نسخهٔ اول")
    login_as(network.users["isfahan_city"])
    assert 'name="version" type="hidden" value="1"' in text(client.get(f"/reports/{report.id}/edit"))
    # Someone else saves in the meantime.
    client.post(f"/reports/{report.id}/edit", data={"version": "1", "value": "13000", "narrative": "نسخهٔ همکار"})
    response = client.post(f"/reports/{report.id}/edit?lang=en",
                           data={"version": "1", "value": "14000", "narrative": "نسخهٔ من"})
    assert response.status_code == 409
    page = text(response)
    assert "Saved in the meantime" in page and "نسخهٔ همکار" in page and "نسخهٔ من" in page
    assert 'name="version" type="hidden" value="2"' in page
    db.session.expire_all()
    saved = db.session.get(ProgressReport, report.id)
    assert (saved.value, saved.narrative) == (13000, "نسخهٔ همکار")


def test_editing_an_approved_report_answers_that_it_is_locked(client, network, goal, login_as, make_report):
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal, status="approved")
    login_as(network.users["isfahan_city"])
    for response in (client.get(f"/reports/{report.id}/edit?lang=en"),
                     client.post(f"/reports/{report.id}/edit?lang=en", data={"version": "1", "value": "1"})):
        assert response.status_code == 409
        assert "approved and locked" in text(response)
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).value == 12500


# --- the report page and its steps -------------------------------------------------------

def test_the_report_page_shows_history_comments_and_the_steps_the_viewer_may_take(client, network, goal,
                                                                                 login_as):
    city, province = network.users["isfahan_city"], network.users["isfahan"]
    login_as(city)
    client.post("/reports/new", data={"goal": "EXPORT-RU", "period": "1404-Q2", "value": "100", "action": "submit"})
    report = db.session.scalar(select(ProgressReport))
    login_as(province)
    page = text(client.get(f"/reports/{report.id}?lang=en"))
    assert "Mark as reviewed" in page and "Return with comment" in page and "Approve" not in page
    response = client.post(f"/reports/{report.id}/return?lang=en", data={"comment": ""})
    assert response.status_code == 422 and "Write a few words" in text(response)
    client.post(f"/reports/{report.id}/return", data={"comment": "رقم با گمرک نمی‌خواند"})
    client.post(f"/reports/{report.id}/comments", data={"body": "سپاس"})
    page = text(client.get(f"/reports/{report.id}?lang=en"))
    assert "رقم با گمرک نمی‌خواند" in page and "سپاس" in page
    for step in ("Report started", "Submitted for review", "Returned with a comment"):
        assert step in page


def test_other_members_reports_are_not_found_and_forbidden_steps_refused(client, network, goal, login_as,
                                                                         make_report):
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal, status="submitted")
    login_as(network.users["shiraz_city"])
    assert client.get(f"/reports/{report.id}").status_code == 404
    assert client.post(f"/reports/{report.id}/review").status_code == 404
    login_as(network.users["ministry"])
    assert client.get(f"/reports/{report.id}").status_code == 200
    assert client.post(f"/reports/{report.id}/review").status_code == 403
    assert client.post(f"/reports/{report.id}/comments", data={"body": "hi"}).status_code == 403
    login_as(network.users["isfahan_city"])
    assert client.post(f"/reports/{report.id}/approve").status_code == 403
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == "submitted"


# --- the review queue --------------------------------------------------------------------

def test_a_province_reviews_its_municipalities_reports_in_bulk(client, network, make_goal, login_as, make_report,
                                                               count_queries):
    goal = make_goal()
    city = network.users["isfahan_city"]
    mine = [make_report(network.orgs["IR-10-ISFAHAN"], goal, p, "submitted", author=city)
            for p in ("1404-Q1", "1404-Q2", "1404-Q3")]
    theirs = make_report(network.orgs["IR-07-SHIRAZ"], goal, "1404-Q1", "submitted")
    login_as(network.users["isfahan"])
    client.get("/review?lang=en")  # the first ?lang= also saves the preference: warm up
    db.session.expire_all()
    with count_queries() as queue:
        page = text(client.get("/review?lang=en"))
    assert all(f'value="{r.id}"' in page for r in mine) and f'value="{theirs.id}"' not in page
    data = {"step": "review", "report": [str(mine[0].id), str(mine[1].id), str(theirs.id)],
            **{f"v-{r.id}": str(r.version) for r in mine}}
    response = client.post("/review?lang=en", data=data, follow_redirects=True)
    assert "2 reports done." in text(response) and "1 report was skipped" in text(response)
    db.session.expire_all()
    assert [db.session.get(ProgressReport, r.id).status for r in mine] == ["reviewed", "reviewed", "submitted"]
    assert db.session.get(ProgressReport, theirs.id).status == "submitted"
    # The queue does not grow in queries with its length.
    for p in ("1403-Q1", "1403-Q2", "1403-Q3", "1403-Q4"):
        make_report(network.orgs["IR-10-KASHAN"], goal, p, "submitted")
    db.session.expire_all()
    with count_queries() as longer:
        client.get("/review?lang=en")
    assert longer.count == queue.count


def test_bulk_return_needs_a_comment_and_stale_reports_are_skipped(client, network, goal, login_as, make_report):
    a = make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q1", "reviewed")
    b = make_report(network.orgs["IR-10-KASHAN"], goal, "1404-Q1", "reviewed")
    login_as(network.users["admin"])
    data = {"step": "return", "report": [str(a.id), str(b.id)], f"v-{a.id}": "1", f"v-{b.id}": "0"}
    response = client.post("/review?lang=en", data={**data, "comment": " "})
    assert response.status_code == 422 and "Write a few words" in text(response)
    response = client.post("/review?lang=en", data={**data, "comment": "مستندات کافی نیست"}, follow_redirects=True)
    assert "1 report done." in text(response) and "1 report was skipped" in text(response)
    db.session.expire_all()
    assert (db.session.get(ProgressReport, a.id).status, db.session.get(ProgressReport, b.id).status) == (
        "returned", "reviewed")
    assert db.session.scalar(select(ReportComment.body)) == "مستندات کافی نیست"


def test_an_admin_approves_in_bulk_what_is_ready(client, network, goal, login_as, make_report):
    ready = make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q1", "reviewed")
    provincial = make_report(network.orgs["IR-10"], goal, "1404-Q1", "submitted")
    waiting = make_report(network.orgs["IR-10-KASHAN"], goal, "1404-Q1", "submitted")
    login_as(network.users["admin"])
    page = text(client.get("/review?lang=en"))
    # Isfahan province has an active officer: Kashan's submitted report waits for the province, not here.
    assert f'id="r-{ready.id}"' in page and f'id="r-{waiting.id}"' not in page
    ids = [ready.id, provincial.id, waiting.id]
    client.post("/review", data={"step": "approve", "report": [str(i) for i in ids]})
    db.session.expire_all()
    assert [db.session.get(ProgressReport, i).status for i in ids] == ["approved", "approved", "submitted"]


def test_the_review_queue_is_for_provinces_and_admins(client, network, login_as):
    for name, status in (("isfahan_city", 403), ("ministry", 403), ("isfahan", 200), ("admin", 200)):
        login_as(network.users[name])
        assert client.get("/review").status_code == status


def test_the_report_list_filters_and_pages_in_fixed_queries(client, network, goal, login_as, make_report,
                                                            count_queries):
    make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q1", "approved")
    login_as(network.users["ministry"])
    client.get("/reports?lang=en")
    db.session.expire_all()
    with count_queries() as one:
        client.get("/reports?status=approved&lang=en")
    for p in ("1403-Q1", "1403-Q2", "1403-Q3", "1403-Q4"):
        make_report(network.orgs["IR-07-SHIRAZ"], goal, p, "approved")
    db.session.expire_all()
    with count_queries() as five:
        page = text(client.get("/reports?status=approved&lang=en"))
    assert five.count == one.count
    assert page.count('href="/reports/') >= 5
    filtered = text(client.get("/reports?province=IR-07&period=1403-Q2&lang=en"))
    assert filtered.count("1403 Q2 (") == 1 and "1404 Q1 (" not in filtered


@pytest.mark.parametrize("member", ["isfahan", "isfahan_city"])
def test_new_report_without_parameters_offers_a_goal_and_period_picker(client, network, make_goal, login_as,
                                                                       reference_data, make_initiative, member):
    """``/reports/new`` from the "New report" button: it answered 503 (an ORDER BY a constant)."""
    make_goal()
    make_goal("BROCHURES", title_en="Brochures in Russian", frequency="yearly", first_period="1403",
              last_period="1405", unit="count")
    user = login_as(network.users[member])
    make_initiative(user.org, title="Felt rugs for Moscow")
    page = client.get("/reports/new?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="goal"' in html and 'name="period"' in html
    assert "Export value to Russia" in html and "Brochures in Russian" in html
    assert 'value="1404-Q2"' in html and 'value="1404"' in html
    form = client.get("/reports/new?goal=BROCHURES&period=1404&lang=en")
    assert form.status_code == 200
    assert "Felt rugs for Moscow" in form.get_data(as_text=True)


def test_admins_pick_the_member_too_and_the_ministry_writes_no_report(client, network, make_goal, login_as):
    make_goal()
    login_as(network.users["admin"])
    html = client.get("/reports/new?lang=en").get_data(as_text=True)
    assert 'name="org"' in html and "IR-10-KASHAN" in html
    assert client.get("/reports/new?org=IR-10-KASHAN&goal=EXPORT-RU&period=1404-Q2").status_code == 200
    login_as(network.users["ministry"])
    assert client.get("/reports/new").status_code == 403
