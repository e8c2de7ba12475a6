"""Every initiatives test starts with the shipped categories and crafts."""

import pytest


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    return reference_data
