"""The whole workflow as a matrix: role × action × state, through the API.

Each cell starts from a fresh report in the given state and answers as the
contract says: 200 when done, 403 not allowed, 404 not visible, 409 wrong state.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from wcc.extensions import db
from wcc.reporting.models import ProgressReport, ReportComment, Status

STATES = [s.value for s in Status]
ACTIONS = ["view", "edit", "submit", "review", "approve", "return", "reopen"]
# The state each action leads to, when it succeeds.
LEADS_TO = {"edit": None, "submit": "submitted", "review": "reviewed", "approve": "approved",
            "return": "returned", "reopen": "returned", "view": None}

# Who may see a municipality's report (IR-10-ISFAHAN), and a province's (IR-10).
VISIBLE = {"municipal": {"admin", "ministry", "isfahan", "isfahan_city"},
           "provincial": {"admin", "ministry", "isfahan"}}
# Who may try each action, by owner; the others are refused (403) if they can see the report.
ALLOWED = {
    "municipal": {"view": VISIBLE["municipal"], "edit": {"admin", "isfahan_city"},
                  "submit": {"admin", "isfahan_city"}, "review": {"admin", "isfahan"}, "approve": {"admin"},
                  "return": {"admin", "isfahan"}, "reopen": {"admin"}},
    "provincial": {"view": VISIBLE["provincial"], "edit": {"admin", "isfahan"}, "submit": {"admin", "isfahan"},
                   "review": set(), "approve": {"admin"}, "return": {"admin"}, "reopen": {"admin"}},
}


def state_allows(action: str, state: str, owner: str, actor: str) -> bool:
    """The workflow of DESIGN.md and the issue, stated independently of the code."""
    if action == "view":
        return True
    if action in ("edit", "submit"):
        return state in ("draft", "returned")
    if action == "review":
        return state == "submitted" and owner == "municipal"
    if action == "approve":
        return state == "reviewed" or (state == "submitted" and owner == "provincial")
    if action == "return":
        return state == "submitted" or (state == "reviewed" and actor == "admin")
    if action == "reopen":
        return state == "approved"
    raise AssertionError(action)


def expected_status(owner: str, actor: str, action: str, state: str) -> int:
    if actor not in VISIBLE[owner]:
        return 404
    if actor not in ALLOWED[owner][action]:
        return 403
    return 200 if state_allows(action, state, owner, actor) else 409


CASES = [(owner, state) for owner in ("municipal", "provincial") for state in STATES
         if not (owner == "provincial" and state == "reviewed")]  # a province's report is never reviewed


@pytest.mark.parametrize("owner, state", CASES)
def test_role_action_state_matrix(client, network, make_goal, make_report, bearer, subtests, owner, state):
    goal = make_goal()
    org = network.orgs["IR-10-ISFAHAN" if owner == "municipal" else "IR-10"]
    author = network.users["isfahan_city" if owner == "municipal" else "isfahan"]
    for actor, user in network.users.items():
        for action in ACTIONS:
            with subtests.test(actor=actor, action=action):
                report = make_report(org, goal, status=state, author=author)
                report_id, version = report.id, report.version
                url = f"/api/v1/reports/{report_id}"
                if action == "view":
                    response = client.get(url, headers=bearer(user))
                elif action == "edit":
                    response = client.patch(url, json={"version": version, "value": 99},
                                            headers=bearer(user))
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
                    assert body["status"] == (LEADS_TO[action] or state)
                    assert after.status == body["status"]
                    if action == "edit":
                        assert after.value == 99 and body["version"] == version + 1
                else:
                    assert (after.status, after.value, after.version) == (state, 12500, version)
                db.session.execute(delete(ReportComment))
                db.session.execute(delete(ProgressReport))
                db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0
