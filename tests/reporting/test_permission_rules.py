"""Truth table of the goal, target and report rules: role × action × how the organisation relates.

The rows are written out by hand on purpose: they are the product's rules as
DESIGN.md states them, not a copy of the code.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from wcc.permissions import can

WCC = SimpleNamespace(id=1, kind="network", parent_id=None, code="WCC")
P = SimpleNamespace(id=2, kind="province", parent_id=1, code="IR-10")          # the user's province
M = SimpleNamespace(id=3, kind="municipality", parent_id=2, code="IR-10-ISFAHAN")  # its municipality
Q = SimpleNamespace(id=4, kind="province", parent_id=1, code="IR-07")          # another province
N = SimpleNamespace(id=5, kind="municipality", parent_id=4, code="IR-07-SHIRAZ")  # another's municipality
ORGS = {"WCC": WCC, "P": P, "M": M, "Q": Q, "N": N}


def user(role: str, org) -> SimpleNamespace:
    return SimpleNamespace(id=100 + org.id, role=role, org=org, org_id=org.id, is_authenticated=True,
                           is_active=True)


USERS = {
    "admin": user("admin", WCC),
    "ministry": user("ministry", WCC),
    "province": user("province", P),          # P is own, M is a child, Q and N are other
    "municipality": user("municipality", M),  # M is own, P is the parent, Q and N are other
}


# For each action: the target organisations each role may act on (of P, M, Q, N).
REPORT_RULES = {
    "report.view":    {"admin": "PMQN", "ministry": "PMQN", "province": "PM", "municipality": "M"},
    "report.edit":    {"admin": "PMQN", "ministry": "", "province": "P", "municipality": "M"},
    "report.submit":  {"admin": "PMQN", "ministry": "", "province": "P", "municipality": "M"},
    # Both provinces have an active officer, so no admin reviews in their place.
    "report.review":  {"admin": "", "ministry": "", "province": "M", "municipality": ""},
    "report.approve": {"admin": "PMQN", "ministry": "", "province": "", "municipality": ""},
    "report.return":  {"admin": "PMQN", "ministry": "", "province": "M", "municipality": ""},
    "report.return_reviewed": {"admin": "PMQN", "ministry": "", "province": "", "municipality": ""},
    "report.reopen":  {"admin": "PMQN", "ministry": "", "province": "", "municipality": ""},
    "report.comment": {"admin": "PMQN", "ministry": "", "province": "PM", "municipality": "M"},
}
ORG_RULES = {
    "report.create": {"admin": "PMQN", "ministry": "", "province": "P", "municipality": "M"},
    "target.set":    {"admin": "WPMQN", "ministry": "", "province": "P", "municipality": "M"},
    "target.view":   {"admin": "WPMQN", "ministry": "WPMQN", "province": "WPMQN", "municipality": "WPMQN"},
}
GLOBAL_RULES = {
    "goal.list": "admin ministry province municipality",
    "goal.view": "admin ministry province municipality",
    "goal.create": "admin",
    "goal.edit": "admin",
    "report.list": "admin ministry province municipality",
    "report.review_queue": "admin province",
    "report.approval_queue": "admin",
    "report.create_for_any": "admin",
    "report.my_reporting": "province municipality",
}
KEYS = {"W": "WCC", "P": "P", "M": "M", "Q": "Q", "N": "N"}


NETWORK_CODES = {"P": "IR-10", "M": "IR-10-ISFAHAN", "Q": "IR-07", "N": "IR-07-SHIRAZ"}
NETWORK_USERS = {"admin": "admin", "ministry": "ministry", "province": "isfahan", "municipality": "isfahan_city"}


@pytest.mark.parametrize("action", REPORT_RULES)
def test_report_rules(network, make_goal, make_report, subtests, action):
    """On real reports: the rules read the audit trail (separation of duties) and the province's officers."""
    goal = make_goal()
    reports = {key: make_report(network.orgs[code], goal) for key, code in NETWORK_CODES.items()}
    for role, name in NETWORK_USERS.items():
        for target, report in reports.items():
            with subtests.test(role=role, target=target):
                expected = target in REPORT_RULES[action][role]
                assert can(network.users[name], action, report) is expected


@pytest.mark.parametrize("action", ORG_RULES)
@pytest.mark.parametrize("role", USERS)
@pytest.mark.parametrize("target", "WPMQN")
def test_rules_about_an_organisation(action, role, target):
    expected = target in ORG_RULES[action][role]
    assert can(USERS[role], action, ORGS[KEYS[target]]) is expected


@pytest.mark.parametrize("action", GLOBAL_RULES)
@pytest.mark.parametrize("role", USERS)
def test_rules_without_an_object(action, role):
    assert can(USERS[role], action, None) is (role in GLOBAL_RULES[action].split())


def test_anonymous_users_may_do_nothing():
    anonymous = SimpleNamespace(is_authenticated=False, is_active=False)
    for action in [*REPORT_RULES, *GLOBAL_RULES]:
        assert can(anonymous, action, SimpleNamespace(org=M)) is False
