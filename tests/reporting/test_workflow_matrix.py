"""The whole workflow as a matrix: role × state × step, through the API and through the pages.

Each cell starts from a fresh report in the given state, with the history the
workflow would have left (its author created and submitted it, its province
reviewed it, another admin approved it), and answers as the contract says:
200 when done, 403 not allowed (separation of duties included), 404 not
visible, 409 wrong state. The expected answers come from the statement of the
workflow below, written independently of ``wcc.reporting.workflow``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.reporting.models import ProgressReport, ReportComment, Status

STATES = [s.value for s in Status]
STEPS = ["submit", "review", "approve", "return", "reopen"]
ACTIONS = ["view", "edit", *STEPS]
LEADS_TO = {"submit": "submitted", "review": "reviewed", "approve": "approved", "return": "returned",
            "reopen": "returned"}

# Owners: a municipality whose province has an officer, one whose province has none, a province.
OWNER_ORG = {"municipal": "IR-10-ISFAHAN", "orphan": "IR-03-TABRIZ", "provincial": "IR-10"}
AUTHOR = {"municipal": "isfahan_city", "orphan": "tabriz_city", "provincial": "isfahan"}
# Who reviewed the report when it is reviewed or approved (an admin stands in for a province without officer).
REVIEWER = {"municipal": "isfahan", "orphan": "admin", "provincial": None}
APPROVER = "admin_b"
ADMINS = {"admin", "admin_b"}

VISIBLE = {"municipal": ADMINS | {"ministry", "isfahan", "isfahan_city"},
           "orphan": ADMINS | {"ministry", "tabriz_city"},
           "provincial": ADMINS | {"ministry", "isfahan"}}
WRITERS = {"municipal": ADMINS | {"isfahan_city"}, "orphan": ADMINS | {"tabriz_city"},
           "provincial": ADMINS | {"isfahan"}}
REVIEWERS = {"municipal": {"isfahan"}, "orphan": ADMINS, "provincial": set()}


def touched(owner: str, state: str) -> dict[str, set[str]]:
    """What each person did to the report since it was last approved (nothing once it is approved)."""
    if state == "approved":
        return {}
    done = {AUTHOR[owner]: {"created"} | ({"submitted"} if state != "draft" else set())}
    if state == "reviewed":
        done.setdefault(REVIEWER[owner], set()).add("reviewed")
    return done


def may(actor: str, step: str, owner: str, state: str) -> bool:
    """Who may take a step, with separation of duties."""
    did = touched(owner, state).get(actor, set())
    authored = bool(did & {"created", "changed", "submitted"})
    if step == "submit":
        return actor in WRITERS[owner]
    if step == "review":
        return actor in REVIEWERS[owner] and not authored
    if step == "approve":
        return actor in ADMINS and not authored and "reviewed" not in did
    if step == "return":
        return (actor in ADMINS or actor in REVIEWERS[owner]) and not authored
    if step == "reopen":
        return actor in ADMINS
    raise AssertionError(step)


def leaves_from(actor: str, step: str, owner: str) -> set[str]:
    """The states each step leaves from: a province's report is never reviewed; the province returns
    only what awaits its review, admins also what awaits approval."""
    municipal = owner != "provincial"
    return {
        "submit": {"draft", "returned"},
        "review": {"submitted"} if municipal else set(),
        "approve": {"reviewed"} if municipal else {"submitted"},
        "return": {"submitted", "reviewed"} if actor in ADMINS else {"submitted"},
        "reopen": {"approved"},
    }[step]


def expected_status(owner: str, actor: str, action: str, state: str) -> int:
    if actor not in VISIBLE[owner]:
        return 404
    if action == "view":
        return 200
    if action == "edit":
        if actor not in WRITERS[owner]:
            return 403
        return 200 if state in ("draft", "returned") else 409
    if not may(actor, action, owner, state):
        return 403
    return 200 if state in leaves_from(actor, action, owner) else 409


@pytest.fixture
def people(network, create_org, create_user):
    """The network's users plus a second admin, and Tabriz (IR-03-TABRIZ) in a province with no active officer."""
    east_az = create_org("province", code="IR-03", parent=network.orgs["WCC"], name_en="East Azerbaijan")
    tabriz = create_org("municipality", code="IR-03-TABRIZ", parent=east_az, name_en="Tabriz")
    create_user("province", east_az, active=False)  # a former officer does not count
    network.orgs.update({"IR-03": east_az, "IR-03-TABRIZ": tabriz})
    users = dict(network.users)
    users["admin_b"] = create_user("admin", network.orgs["WCC"], email="admin.b@test.example.org")
    users["tabriz_city"] = create_user("municipality", tabriz, email="tabriz.city@test.example.org")
    return users


CASES = [(owner, state) for owner in OWNER_ORG for state in STATES
         if not (owner == "provincial" and state == "reviewed")]  # a province's report is never reviewed


def _fresh_report(network, people, make_report, goal, owner, state):
    return make_report(network.orgs[OWNER_ORG[owner]], goal, status=state, author=people[AUTHOR[owner]],
                       reviewer=people.get(REVIEWER[owner] or ""), approver=people[APPROVER])


def _clean():
    db.session.execute(delete(ReportComment))
    db.session.execute(delete(ProgressReport))
    db.session.execute(delete(AuditEvent))
    db.session.commit()


def _refusals() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report.refused"))


@pytest.mark.parametrize("owner, state", CASES)
def test_role_state_step_matrix_through_the_api(client, network, people, make_goal, make_report, bearer,
                                                subtests, owner, state):
    """Every cell through the API. A refused cell leaves the report as it was (checked), so the next
    cell reuses it; after a step that succeeds the report is made afresh."""
    goal = make_goal()
    report = None
    for actor, user in people.items():
        for action in ACTIONS:
            with subtests.test(actor=actor, action=action):
                if report is None:
                    report = _fresh_report(network, people, make_report, goal, owner, state)
                report_id, version = report.id, report.version
                refused_before = _refusals()
                url = f"/api/v1/reports/{report_id}"
                if action == "view":
                    response = client.get(url, headers=bearer(user))
                elif action == "edit":
                    response = client.patch(url, json={"version": version, "value": 99}, headers=bearer(user))
                else:
                    response = client.post(f"{url}/{action}", headers=bearer(user),
                                           json={"comment": "لطفاً فاکتور را پیوست کنید.",
                                                 "reason": "The value was typed twice."})
                expected = expected_status(owner, actor, action, state)
                assert response.status_code == expected, response.get_json()
                db.session.expire_all()
                after = db.session.get(ProgressReport, report_id)
                if expected == 200:
                    body = response.get_json()
                    assert body["id"] == report_id
                    assert body["status"] == LEADS_TO.get(action, state)
                    assert after.status == body["status"]
                    if action == "edit":
                        assert after.value == 99 and body["version"] == version + 1
                else:
                    assert (after.status, after.value, after.version) == (state, 12500, version)
                    assert response.get_json()["error"]["message"]
                # Every refused step is on the audit trail, once.
                assert _refusals() - refused_before == (1 if expected == 403 and action in STEPS else 0)
                if expected == 200 and action != "view":
                    _clean()
                    report = None
    _clean()
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0


def _offered(client, report_id: int) -> set[str]:
    page = client.get(f"/reports/{report_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {step for step in STEPS if f'action="/reports/{report_id}/{step}"' in html}


@pytest.mark.parametrize("owner, state", CASES)
def test_role_state_step_matrix_through_the_pages(client, network, people, make_goal, make_report, login_as,
                                                  subtests, owner, state):
    """Every step through the report page: it offers exactly the steps that succeed, and the form
    posts answer as the API does (a redirect when done)."""
    goal = make_goal()
    report = None
    for actor, user in people.items():
        if actor not in VISIBLE[owner]:
            continue  # the API half proves 404; pages answer the same through the same lookup
        login_as(user)
        offered = None
        for step in STEPS:
            with subtests.test(actor=actor, step=step):
                if report is None:
                    report = _fresh_report(network, people, make_report, goal, owner, state)
                    offered = None
                report_id, version = report.id, report.version
                if offered is None:
                    offered = _offered(client, report_id)
                expected = expected_status(owner, actor, step, state)
                assert (step in offered) is (expected == 200)
                response = client.post(f"/reports/{report_id}/{step}",
                                       data={"comment": "لطفاً فاکتور را پیوست کنید.", "version": version})
                assert response.status_code == (302 if expected == 200 else expected)
                db.session.expire_all()
                after = db.session.get(ProgressReport, report_id)
                assert after.status == (LEADS_TO[step] if expected == 200 else state)
                if expected == 200:
                    _clean()
                    report = None
    _clean()


def test_stale_version_is_a_conflict(client, network, people, make_goal, make_report, bearer, login_as):
    report = _fresh_report(network, people, make_report, make_goal(), "municipal", "submitted")
    response = client.post(f"/api/v1/reports/{report.id}/review", json={"version": report.version + 1},
                           headers=bearer(people["isfahan"]))
    assert response.status_code == 409
    login_as(people["isfahan"])
    response = client.post(f"/reports/{report.id}/review", data={"version": report.version - 1})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == "submitted"
