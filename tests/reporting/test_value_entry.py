"""Entering a report's value: the echo of what was read, the target and last period's value beside the
field, and a question before a value far from last period's is saved (forms and API alike)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from wcc.extensions import db
from wcc.goals.models import Target
from wcc.reporting.models import ProgressReport

NBSP = "\u00a0"
#: Last period's approved value in the table below.
PREVIOUS = Decimal("2000")


@pytest.fixture
def goal(make_goal):
    return make_goal()


@pytest.fixture
def approved_before(network, goal, make_report):
    """Isfahan's approved value for 1404-Q1, the period before the one reported below."""
    return make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q1", "approved", value=PREVIOUS)


def text(response) -> str:
    return response.get_data(as_text=True)


def saved_value() -> Decimal | None:
    return db.session.scalar(select(ProgressReport.value).where(ProgressReport.period_key == "1404-Q2"))


def count_reports() -> int:
    return db.session.scalar(select(func.count()).select_from(ProgressReport))


# typed, language, the reading chosen for an ambiguous text, the value ticked as right → saved or asked
CASES = [
    ("۱۲٬۵۰۰", "fa", None, None, Decimal("12500")),
    ("۱۲.۵۰۰", "fa", None, None, "ambiguous"),
    ("۱۲.۵۰۰", "fa", "thousands", None, Decimal("12500")),
    ("۱۲.۵۰۰", "fa", "decimal", None, "unusual"),       # 12.5 is less than a tenth of 2000
    ("۱۲.۵۰۰", "fa", "decimal", "12.5", Decimal("12.5")),
    ("25000", "en", None, None, "unusual"),             # more than ten times 2000
    ("25000", "en", None, "25000", Decimal("25000")),
    ("25000", "en", None, "2500", "unusual"),           # ticked for another value: asked again
    ("20000", "en", None, None, Decimal("20000")),      # ten times exactly is not "more than ten times"
    ("200", "en", None, None, Decimal("200")),          # a tenth exactly
    ("199", "en", None, None, "unusual"),
    ("0", "en", None, None, "unusual"),
    ("12,5", "ru", None, None, "unusual"),              # 12.5 in Russian
    (f"1{NBSP}200", "ru", None, None, Decimal("1200")),
    ("12,500", "ru", "thousands", None, Decimal("12500")),
]


@pytest.mark.parametrize("typed,lang,meant,ticked,outcome", CASES)
def test_the_form_saves_only_what_was_meant(client, network, goal, approved_before, login_as,
                                            typed, lang, meant, ticked, outcome):
    login_as(network.users["isfahan_city"])
    data = {"goal": goal.code, "period": "1404-Q2", "value": typed, "action": "save"}
    if meant:
        data["value-meant"] = f"{meant}:{typed}"
    if ticked:
        data["value-confirm"] = ticked
    response = client.post(f"/reports/new?lang={lang}", data=data)
    page = text(response)
    if isinstance(outcome, Decimal):
        assert response.status_code == 302, page
        assert saved_value() == outcome
        return
    assert count_reports() == 1  # only last period's: nothing was saved, nothing was guessed
    assert 'id="value"' in page and typed in page  # the text is kept as typed
    if outcome == "ambiguous":
        assert response.status_code == 400 and 'name="value-meant"' in page
        assert 'id="value-confirm"' not in page
    else:
        assert response.status_code == 422
        assert 'id="value-confirm-box"' in page and 'name="value-confirm"' in page
        if meant:  # the reading chosen before stays chosen
            assert f'name="value-meant" value="{meant}:{typed}"' in page


@pytest.mark.parametrize("lang,warning,label,echo", [
    ("fa", "بیش از ده برابر", "بله، ۲۵٬۰۰۰ یورو درست است", "خوانده شد: ۲۵٬۰۰۰ یورو"),
    ("en", "more than ten times", "Yes, 25,000 EUR is right", "Read as 25,000 EUR"),
    ("ru", "более чем в десять раз", "Да, 25\u00a0000 евро", "Прочитано: 25\u00a0000 евро"),
])
def test_the_question_is_asked_in_the_users_language(client, network, goal, approved_before, login_as,
                                                     lang, warning, label, echo):
    login_as(network.users["isfahan_city"])
    response = client.post(f"/reports/new?lang={lang}", data={"goal": goal.code, "period": "1404-Q2",
                                                               "value": "25000", "action": "save"})
    page = text(response)
    assert response.status_code == 422
    errors = page.split('id="value-errors"')[1].split("</div>\n")[0]
    assert warning in errors
    assert label in page.split('id="value-confirm-box"')[1]
    assert echo in page.split('id="value-echo"')[1].split("</p>")[0]


def test_beside_the_field_are_the_target_and_last_periods_approved_value(client, network, goal, approved_before,
                                                                         login_as):
    db.session.add(Target(goal_id=goal.id, org_id=network.orgs["IR-10-ISFAHAN"].id, period_key="1404",
                          value=Decimal("50000")))
    db.session.commit()
    login_as(network.users["isfahan_city"])
    for lang, target, previous in (("fa", "۵۰٬۰۰۰ یورو", "۲٬۰۰۰ یورو"), ("en", "50,000 EUR", "2,000 EUR")):
        page = text(client.get(f"/reports/new?goal={goal.code}&period=1404-Q2&lang={lang}"))
        beside = page.split('id="value-context"')[1].split("</dl>")[0]
        assert target in beside.split("data-target")[1] and previous in beside.split("data-previous")[1]
    page = text(client.get(f"/reports/new?goal={goal.code}&period=1405-Q1&lang=en"))  # nothing to compare with
    beside = page.split('id="value-context"')[1].split("</dl>")[0]
    assert "No target set" in beside and "No approved value" in beside


def test_editing_asks_only_when_the_value_changes(client, network, goal, approved_before, login_as, make_report):
    user = network.users["isfahan_city"]
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q2", "draft", author=user,
                         value=Decimal("30000"))
    login_as(user)
    form = {"value": "30000", "narrative": "بدون تغییر مقدار", "version": str(report.version), "action": "save"}
    assert client.post(f"/reports/{report.id}/edit", data=form).status_code == 302
    db.session.refresh(report)
    form = {**form, "value": "40000", "version": str(report.version)}
    assert client.post(f"/reports/{report.id}/edit?lang=en", data=form).status_code == 422
    db.session.refresh(report)
    assert report.value == 30000
    assert client.post(f"/reports/{report.id}/edit", data={**form, "value-confirm": "40000"}).status_code == 302
    db.session.refresh(report)
    assert report.value == 40000


@pytest.mark.parametrize("value,confirm,status,saved", [
    (25000, False, 422, None),
    ("۲۵٬۰۰۰", False, 422, None),
    (25000, True, 201, Decimal("25000")),
    ("12.500", False, 422, None),          # ambiguous: refused naming the field, even with confirm
    ("12.500", True, 422, None),
    (12500, False, 201, Decimal("12500")),
])
def test_the_api_refuses_an_unusual_value_unless_confirmed(client, network, goal, approved_before, bearer,
                                                          value, confirm, status, saved):
    body = {"goal": goal.code, "period": "1404-Q2", "value": value}
    if confirm:
        body["confirm"] = True
    response = client.post("/api/v1/reports", json=body, headers=bearer(network.users["isfahan_city"]))
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert list(response.get_json()["error"]["details"]) == ["value"]
    assert saved_value() == saved


def test_the_api_patch_asks_too(client, network, goal, approved_before, bearer, make_report):
    user = network.users["isfahan_city"]
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q2", "draft", author=user, value=None)
    headers = bearer(user)
    answer = client.patch(f"/api/v1/reports/{report.id}", json={"version": report.version, "value": 150},
                          headers=headers)
    assert answer.status_code == 422 and "value" in answer.get_json()["error"]["details"]
    answer = client.patch(f"/api/v1/reports/{report.id}", json={"version": report.version, "value": 150,
                                                                "confirm": True}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["value"] == 150


def test_the_openapi_schema_documents_confirm(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    for name in ("ReportInput", "ReportPatch"):
        confirm = schemas[name]["properties"]["confirm"]
        assert confirm["type"] == "boolean" and "ten times" in confirm["description"]


@pytest.mark.parametrize("typed,lang,ok,shown", [
    ("۱۲٬۵۰۰", "fa", True, "خوانده شد: ۱۲٬۵۰۰ یورو"),
    ("12 500", "en", True, "Read as 12,500 EUR"),
    ("12,5", "ru", True, "Прочитано: 12,5 евро"),
    ("۱۲.۵۰۰", "fa", False, "۱۲٬۵۰۰"),
    ("twelve", "en", False, "Enter a number"),
    ("", "en", True, ""),
])
def test_the_live_echo_reads_with_the_one_parser(client, network, login_as, typed, lang, ok, shown):
    login_as(network.users["isfahan_city"])
    answer = client.get("/reports/read-value", query_string={"unit": "EUR", "value": typed, "lang": lang})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["ok"] is ok and shown in body["text"]
    assert client.get("/reports/read-value?unit=nonsense&value=1").status_code == 404
