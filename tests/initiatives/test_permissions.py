"""Who may do what to an initiative: role × action × whose × state, as a truth table."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from wcc.extensions import db
from wcc.initiatives import services
from wcc.initiatives.models import Initiative
from wcc.permissions import can
from wcc.permissions.initiatives import visible_initiatives

ROLES = ("admin", "ministry", "province", "municipality")
ACTOR = {"admin": "admin", "ministry": "ministry", "province": "isfahan", "municipality": "isfahan_city"}
# The owner of the initiative, by how it stands to the actor's organisation.
OWNER = {
    "admin": {"own": "WCC", "child": "IR-10", "other": "IR-07-SHIRAZ"},
    "ministry": {"own": "WCC", "child": "IR-10", "other": "IR-07-SHIRAZ"},
    "province": {"own": "IR-10", "child": "IR-10-ISFAHAN", "other": "IR-07", "other's child": "IR-07-SHIRAZ"},
    "municipality": {"own": "IR-10-ISFAHAN", "parent": "IR-10", "sibling": "IR-10-KASHAN",
                     "other": "IR-07-SHIRAZ"},
}
STATES = ("published", "draft", "deleted")
EVERY = {"published", "draft", "deleted"}
LIVE = {"published", "draft"}
PUBLISHED = {"published"}
NONE: set = set()

# role → relation → states in which the action is allowed
VIEW = {
    "admin": dict.fromkeys(OWNER["admin"], EVERY),
    "ministry": dict.fromkeys(OWNER["ministry"], LIVE),
    "province": {"own": LIVE, "child": LIVE, "other": PUBLISHED, "other's child": PUBLISHED},
    "municipality": {"own": LIVE, "parent": PUBLISHED, "sibling": PUBLISHED, "other": PUBLISHED},
}
CHANGE = {
    "admin": dict.fromkeys(OWNER["admin"], LIVE),
    "ministry": dict.fromkeys(OWNER["ministry"], NONE),
    "province": {"own": LIVE, "child": NONE, "other": NONE, "other's child": NONE},
    "municipality": {"own": LIVE, "parent": NONE, "sibling": NONE, "other": NONE},
}
HISTORY = {
    "admin": dict.fromkeys(OWNER["admin"], EVERY),
    "ministry": dict.fromkeys(OWNER["ministry"], EVERY),
    "province": {"own": EVERY, "child": EVERY, "other": NONE, "other's child": NONE},
    "municipality": {"own": EVERY, "parent": NONE, "sibling": NONE, "other": NONE},
}
RESTORE = {role: dict.fromkeys(OWNER[role], {"deleted"} if role == "admin" else NONE) for role in ROLES}
TABLE = {
    "initiative.view": VIEW, "initiative.view_files": VIEW,
    "initiative.edit": CHANGE, "initiative.delete": CHANGE, "initiative.publish": CHANGE,
    "initiative.manage_files": CHANGE,
    "initiative.history": HISTORY, "initiative.restore": RESTORE,
}


def _initiative(make_initiative, network, owner: str, state: str) -> Initiative:
    ini = make_initiative(network.orgs[owner], published=state == "published")
    if state == "deleted":
        services.delete_initiative(ini)
        db.session.commit()
    return ini


def _cases():
    for role in ROLES:
        for relation in OWNER[role]:
            for state in STATES:
                yield pytest.param(role, relation, state, id=f"{role}-{relation}-{state}")


@pytest.mark.parametrize("role, relation, state", list(_cases()))
def test_initiative_actions(network, make_initiative, role, relation, state):
    """Every action on one initiative at once; a failure shows which actions disagree."""
    ini = _initiative(make_initiative, network, OWNER[role][relation], state)
    user = network.users[ACTOR[role]]
    answers = {action: can(user, action, ini) for action in TABLE}
    assert answers == {action: state in table[role][relation] for action, table in TABLE.items()}


CREATE_FOR = {
    "admin": {"own": True, "child": True, "other": True},
    "ministry": {"own": False, "child": False, "other": False},
    "province": {"own": True, "child": False, "other": False, "other's child": False},
    "municipality": {"own": True, "parent": False, "sibling": False, "other": False},
}


@pytest.mark.parametrize("role, relation, expected", [
    pytest.param(role, relation, expected, id=f"{role}-{relation}")
    for role, answers in CREATE_FOR.items() for relation, expected in answers.items()])
def test_creating_for_an_organisation(network, role, relation, expected):
    assert can(network.users[ACTOR[role]], "initiative.create", network.orgs[OWNER[role][relation]]) is expected


GLOBAL = {
    "initiative.create": {"admin", "province", "municipality"},
    "initiative.import": {"admin", "province", "municipality"},
    "initiative.list": set(ROLES),
    "initiative.export": set(ROLES),
    "initiative.list_deleted": {"admin"},
    "category.manage": {"admin"},
    "craft.manage": {"admin"},
}


@pytest.mark.parametrize("action", sorted(GLOBAL))
@pytest.mark.parametrize("role", ROLES)
def test_global_actions(network, role, action):
    assert can(network.users[ACTOR[role]], action) is (role in GLOBAL[action])


def test_the_list_query_shows_exactly_what_the_rule_allows(network, make_initiative):
    """``visible_initiatives`` (SQL, for lists) and ``initiative.view`` never disagree."""
    initiatives = [_initiative(make_initiative, network, code, state)
                   for code in network.orgs for state in STATES]
    for user in network.users.values():
        listed = set(db.session.scalars(select(Initiative.id).where(visible_initiatives(user))))
        allowed = {ini.id for ini in initiatives if can(user, "initiative.view", ini) and not ini.deleted_at}
        assert listed == allowed, user.email
