"""Every operation of the OpenAPI document, fed generated input as each role: never a server
error, and every answer matches the schema the document gives for it.

Schemathesis generates requests from ``/api/v1/openapi.json`` and sends them to the app with a
bearer token of a demo user of the role (none for anonymous): valid requests with random ids,
valid requests about objects that exist (the role's own initiative, report, goal and
notification, so the code behind the lookups runs too) and invalid requests (wrong types,
missing fields, out-of-range numbers, odd strings, unexpected parameters). The demo network is
a copy the requests may change. The number of examples per operation is bounded so the whole
run stays short; WCC_FUZZ_EXAMPLES raises it for a longer hunt.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from wcc.auth.services import find_user_by_email
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.initiatives.models import Initiative
from wcc.notifications.models import Notification
from wcc.reporting.models import ProgressReport

EXAMPLES = int(os.environ.get("WCC_FUZZ_EXAMPLES", "3"))

ROLES = {
    "anonymous": None,
    "municipality": "isfahan.city@wcc.example.org",
    "province": "isfahan.province@wcc.example.org",
    "ministry": "ministry@wcc.example.org",
    "admin": "admin@wcc.example.org",
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_operation_answers_a_server_error_or_leaves_its_schema(demo_copy, role):
    app = demo_copy.app
    client = app.test_client()
    # The in-process transport does not undo compression: ask for none.
    headers = {"Accept-Encoding": "identity"}
    user = None
    if ROLES[role] is not None:
        user = find_user_by_email(ROLES[role])
        headers.update(demo_copy.bearer(user))
    known = _existing_ids(user)
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").get_json())
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        runs = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        path_ids = _path_parameters(operation, known)
        if path_ids:
            runs.append((GenerationMode.POSITIVE, path_ids))
        for mode, fixed in runs:
            try:
                _fuzz(operation, mode, fixed, app, client, headers)
            except Unsatisfiable:  # nothing about the operation can be made invalid (no parameters)
                pass
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all failures are reported together
                failures.append(f"{operation.label} ({mode.value}, {fixed or 'any ids'}): {exc}")
    assert operations >= 25
    assert not failures, "\n\n".join(failures)


def _existing_ids(user) -> dict:
    """Objects of the demo the user's requests should reach: in their own organisation when
    they have one below the network, else any."""
    def first(model, *where):
        return db.session.scalar(select(model).where(*where).order_by(model.id).limit(1))

    own = () if user is None or user.org.kind == "network" else (user.org_id,)
    initiative = first(Initiative, *(Initiative.org_id.in_(own),) if own else ())
    report = first(ProgressReport, *(ProgressReport.org_id.in_(own),) if own else ())
    notification = first(Notification, Notification.user_id == user.id) if user else None
    goal = first(Goal)
    return {
        "initiative_id": initiative.id if initiative else None,
        "report_id": report.id if report else None,
        "notification_id": notification.id if notification else None,
        "goal_code": goal.code if goal else None,
        "org_code": user.org.code if user else "WCC",
    }


def _path_parameters(operation, known: dict) -> dict:
    names = [p.name for p in operation.path_parameters]
    fixed = {}
    for name in names:
        if name == "code":
            value = known["org_code"] if operation.path.startswith("/api/v1/orgs") else known["goal_code"]
        else:
            value = known.get(name)
        if value is None:
            return {}
        fixed[name] = value
    return fixed


def _fuzz(operation, mode, fixed, app, client, headers) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=fixed))
    def run(case):
        response = case.call(app=app, session=client, headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                               headers=headers)

    run()
