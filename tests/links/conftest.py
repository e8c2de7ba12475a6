"""The links between initiatives, goals and reports need every area's factories."""

import pytest

from wcc.extensions import db


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    return reference_data


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
