"""The links between initiatives, goals and reports need every area's factories."""

from tests.initiatives.conftest import category, craft, make_initiative, reference_data  # noqa: F401
from tests.reporting.factories import bearer, make_goal, make_report  # noqa: F401
