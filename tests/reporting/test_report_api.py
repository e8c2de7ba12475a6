"""The reports API as the contract states it: shapes, statuses, versions, filters."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.reporting.models import ProgressReport


@pytest.fixture
def goal(make_goal):
    return make_goal()


def post_report(client, headers, **fields):
    body = {"goal": "EXPORT-RU", "period": "1404-Q2", "value": 12500, "narrative": "ارسال سه محموله نمد"}
    body.update(fields)
    return client.post("/api/v1/reports", json=body, headers=headers)


def test_goals_list_has_the_contract_fields(client, network, goal, bearer):
    response = client.get("/api/v1/goals", headers=bearer(network.users["kashan_city"]))
    assert response.status_code == 200
    (item,) = response.get_json()["items"]
    assert {k: item[k] for k in ("code", "unit", "aggregation", "direction", "frequency")} == {
        "code": "EXPORT-RU", "unit": "EUR", "aggregation": "sum", "direction": "higher", "frequency": "quarterly"}
    assert item["titles"] == {"fa": "ارزش صادرات به روسیه", "en": "Export value to Russia",
                              "ru": "Экспорт в Россию"}


def test_create_answers_201_with_a_draft_and_its_version(client, network, goal, bearer):
    response = post_report(client, bearer(network.users["isfahan_city"]), value="۱۲٬۵۰۰")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft" and body["version"] == 1 and isinstance(body["id"], int)
    assert (body["goal"], body["org"], body["period"], body["value"]) == ("EXPORT-RU", "IR-10-ISFAHAN", "1404-Q2",
                                                                         12500)
    assert body["period_start"] == "2025-06-22" and body["period_end"] == "2025-09-22"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.create"))
    assert event.after["value"] == "12500" and event.object_id == str(body["id"])


def test_a_second_report_for_the_same_member_goal_and_period_answers_409(client, network, goal, bearer):
    headers = bearer(network.users["isfahan_city"])
    assert post_report(client, headers).status_code == 201
    response = post_report(client, headers, value=1)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_ten_parallel_submissions_leave_one_report(app, network, goal, bearer):
    """Real threads, each with its own request, session and connection, racing for one report."""
    headers = bearer(network.users["isfahan_city"])
    db.session.commit()
    start = threading.Barrier(10)

    def attempt(_):
        client = app.test_client()
        start.wait()
        return post_report(client, headers).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = sorted(pool.map(attempt, range(10)))
    assert codes == [201] + [409] * 9
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 1


@pytest.mark.parametrize("fields, field", [
    ({"value": "twelve"}, "value"),
    ({"value": -5}, "value"),
    ({"value": "1e400"}, "value"),
    ({"value": "12,50"}, "value"),
    ({"period": "1404-Q9"}, "period"),
    ({"period": "1404"}, "period"),          # the goal is quarterly
    ({"period": "1402-Q4"}, "period"),       # before the goal begins
    ({"period": "1406-Q1"}, "period"),       # after it ends
    ({"narrative": "a\x00b"}, "narrative"),
    ({"narrative": "x" * 20_001}, "narrative"),
    ({"goal": "NO-SUCH-GOAL"}, "goal"),
    ({"org": "IR-99-NOWHERE"}, "org"),
])
def test_bad_input_is_refused_with_a_reason_and_nothing_is_stored(client, network, goal, bearer, fields, field):
    response = post_report(client, bearer(network.users["isfahan_city"]), **fields)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["message"]
    assert field in (error.get("details") or {})
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0


def test_html_in_a_narrative_is_stored_as_typed_and_shown_escaped(client, network, goal, bearer, login_as):
    user = network.users["isfahan_city"]
    body = post_report(client, bearer(user), narrative="<script>alert(1)</script> نمد").get_json()
    assert body["narrative"] == "<script>alert(1)</script> نمد"
    login_as(user)
    page = client.get(f"/reports/{body['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; نمد" in page


def test_members_report_only_for_themselves_and_the_ministry_not_at_all(client, network, goal, bearer):
    assert post_report(client, bearer(network.users["kashan_city"]), org="IR-10-ISFAHAN").status_code == 403
    assert post_report(client, bearer(network.users["isfahan"]), org="IR-10-ISFAHAN").status_code == 403
    assert post_report(client, bearer(network.users["ministry"]), org="IR-10-ISFAHAN").status_code == 403
    assert post_report(client, bearer(network.users["admin"]), org="WCC").status_code == 403
    assert post_report(client, bearer(network.users["admin"]), org="IR-10-ISFAHAN").status_code == 201


def test_patch_needs_the_current_version_and_a_stale_one_shows_what_is_saved(client, network, goal, bearer):
    headers = bearer(network.users["isfahan_city"])
    report = post_report(client, headers).get_json()
    url = f"/api/v1/reports/{report['id']}"
    assert client.patch(url, json={"value": 1}, headers=headers).status_code == 422
    first = client.patch(url, json={"version": 1, "value": 13000}, headers=headers)
    assert first.status_code == 200 and first.get_json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "value": 14000, "narrative": "mine"}, headers=headers)
    assert stale.status_code == 409
    details = stale.get_json()["error"]["details"]
    assert details["current_version"] == 2 and details["current"]["value"] == 13000
    assert client.get(url, headers=headers).get_json()["value"] == 13000


def test_approved_reports_are_locked_until_an_admin_reopens_them(client, network, goal, bearer):
    city, province, admin = (bearer(network.users[n]) for n in ("isfahan_city", "isfahan", "admin"))
    report = post_report(client, city).get_json()
    url = f"/api/v1/reports/{report['id']}"
    assert client.post(f"{url}/submit", headers=city).get_json()["status"] == "submitted"
    assert client.post(f"{url}/review", headers=province).get_json()["status"] == "reviewed"
    approved = client.post(f"{url}/approve", headers=admin).get_json()
    assert approved["status"] == "approved" and approved["approved_at"]
    locked = client.patch(url, json={"version": approved["version"], "value": 1}, headers=city)
    assert locked.status_code == 409
    assert "قفل" in locked.get_json()["error"]["message"]  # Persian is the default language
    assert client.post(f"{url}/reopen", json={}, headers=admin).status_code == 422
    reopened = client.post(f"{url}/reopen", json={"reason": "The value double-counts a shipment."}, headers=admin)
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "returned"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.reopen"))
    assert event.before["status"] == "approved" and event.after["reason"] == "The value double-counts a shipment."
    assert client.patch(url, json={"version": reopened.get_json()["version"], "value": 1},
                        headers=city).status_code == 200


def test_returning_needs_a_comment_which_the_member_can_read(client, network, goal, bearer, login_as):
    city, province = bearer(network.users["isfahan_city"]), bearer(network.users["isfahan"])
    report = post_report(client, city).get_json()
    url = f"/api/v1/reports/{report['id']}"
    client.post(f"{url}/submit", headers=city)
    assert client.post(f"{url}/return", json={"comment": "   "}, headers=province).status_code == 422
    returned = client.post(f"{url}/return", json={"comment": "فاکتور را پیوست کنید"}, headers=province)
    assert returned.get_json()["status"] == "returned"
    login_as(network.users["isfahan_city"])
    assert "فاکتور را پیوست کنید" in client.get("/reporting").get_data(as_text=True)
    # The reason heads the report's page and its edit form, where the member fixes it.
    for page in (f"/reports/{report['id']}?lang=en", f"/reports/{report['id']}/edit?lang=en"):
        html = client.get(page).get_data(as_text=True)
        reason = html[html.index('id="return-reason"'):]
        assert "Returned with this comment" in reason[:200] and "فاکتور را پیوست کنید" in reason[:600], page


def test_nobody_approves_a_report_they_wrote(client, network, goal, bearer, create_user):
    admin, other_admin = network.users["admin"], create_user("admin", network.orgs["WCC"])
    report = post_report(client, bearer(admin), org="IR-10").get_json()
    url = f"/api/v1/reports/{report['id']}"
    assert client.post(f"{url}/submit", headers=bearer(admin)).status_code == 200
    assert client.post(f"{url}/approve", headers=bearer(admin)).status_code == 403
    assert client.post(f"{url}/approve", headers=bearer(other_admin)).status_code == 200


def test_late_submissions_are_accepted_and_marked(client, network, make_goal, bearer):
    make_goal(due_days=30)
    headers = bearer(network.users["isfahan_city"])
    report = post_report(client, headers, period="1403-Q1").get_json()
    submitted = client.post(f"/api/v1/reports/{report['id']}/submit", headers=headers).get_json()
    assert submitted["status"] == "submitted" and submitted["is_late"] is True


def test_submit_needs_a_value(client, network, goal, bearer):
    headers = bearer(network.users["isfahan_city"])
    report = post_report(client, headers, value=None).get_json()
    response = client.post(f"/api/v1/reports/{report['id']}/submit", headers=headers)
    assert response.status_code == 422 and "value" in response.get_json()["error"]["details"]


def test_list_filters_and_only_shows_what_the_caller_may_read(client, network, goal, bearer, make_report):
    for org in ("IR-10-ISFAHAN", "IR-10-KASHAN", "IR-07-SHIRAZ", "IR-10"):
        make_report(network.orgs[org], goal, status="approved", value=100)
    make_report(network.orgs["IR-10-ISFAHAN"], goal, period="1404-Q1", status="submitted")

    def listing(user, **query):
        response = client.get("/api/v1/reports", query_string=query, headers=bearer(network.users[user]))
        assert response.status_code == 200
        body = response.get_json()
        return body["total"], sorted((i["org"], i["period"], i["status"]) for i in body["items"])

    assert listing("ministry")[0] == 5
    assert listing("isfahan")[0] == 4
    assert listing("isfahan_city")[0] == 2
    assert listing("ministry", province="IR-10")[0] == 4
    assert listing("ministry", status="submitted")[1] == [("IR-10-ISFAHAN", "1404-Q1", "submitted")]
    assert listing("ministry", period="1404-Q1", org="IR-10-ISFAHAN")[0] == 1
    assert listing("ministry", goal="NOPE")[0] == 0
    item = client.get("/api/v1/reports", headers=bearer(network.users["admin"])).get_json()["items"][0]
    assert {"id", "goal", "org", "period", "value", "status"} <= set(item)
    assert client.get("/api/v1/reports", query_string={"status": "lost"},
                      headers=bearer(network.users["admin"])).status_code == 422


def test_the_openapi_document_lists_the_contract_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, methods in {
        "/api/v1/goals": {"get", "post"}, "/api/v1/goals/{code}/targets": {"get", "put"},
        "/api/v1/reports": {"get", "post"}, "/api/v1/reports/{report_id}": {"get", "patch"},
        **{f"/api/v1/reports/{{report_id}}/{step}": {"post"}
           for step in ("submit", "review", "approve", "return", "reopen")},
    }.items():
        assert methods <= set(paths[path]), path


def test_every_change_leaves_through_one_signal_for_rollups(client, network, goal, bearer):
    from wcc.reporting.services import report_changed

    seen = []

    def receiver(report, action, before, after):
        seen.append((action, (before or {}).get("status"), (after or {}).get("status")))

    report_changed.connect(receiver)
    try:
        city, province, admin = (bearer(network.users[n]) for n in ("isfahan_city", "isfahan", "admin"))
        url = f"/api/v1/reports/{post_report(client, city).get_json()['id']}"
        client.post(f"{url}/submit", headers=city)
        client.post(f"{url}/review", headers=province)
        client.post(f"{url}/approve", headers=admin)
        client.post(f"{url}/reopen", json={"reason": "typo"}, headers=admin)
    finally:
        report_changed.disconnect(receiver)
    assert seen == [("report.create", None, "draft"), ("report.submit", "draft", "submitted"),
                    ("report.review", "submitted", "reviewed"), ("report.approve", "reviewed", "approved"),
                    ("report.reopen", "approved", "returned")]


@pytest.mark.parametrize("value, lang, expected", [
    ("12.500", "en", None), ("۱۲.۵۰۰", "fa", None), ("12,5", "ru", 12.5), ("1\u00a0200", "ru", 1200),
    ("۱۲٬۵۰۰", "fa", 12500), (12500, "en", 12500), (12.5, "en", 12.5),
])
def test_the_api_reads_numbers_as_typed_and_refuses_ambiguous_ones(client, network, goal, bearer, value, lang,
                                                                    expected):
    headers = {**bearer(network.users["isfahan_city"]), "Accept-Language": lang}
    response = post_report(client, headers, value=value)
    if expected is None:
        assert response.status_code == 422
        assert "value" in response.get_json()["error"]["details"]
    else:
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["value"] == expected
