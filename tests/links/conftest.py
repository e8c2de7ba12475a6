"""The links between initiatives, goals and reports need every area's factories."""

import pytest

from tests.initiatives.conftest import category, craft, make_initiative, reference_data  # noqa: F401
from tests.reporting.factories import bearer, make_goal, make_report  # noqa: F401
from wcc.extensions import db


@pytest.fixture
def page_queries(client, count_queries):
    """``page_queries([(path, headers), ...])`` → how many SQL statements each GET ran (each must answer 200)."""

    def measure(pages) -> tuple[int, ...]:
        counts = []
        for path, headers in pages:
            db.session.expire_all()
            with count_queries() as counted:
                assert client.get(path, headers=headers).status_code == 200, path
            counts.append(counted.count)
        return tuple(counts)

    return measure
