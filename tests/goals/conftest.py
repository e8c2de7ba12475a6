from tests.reporting.factories import bearer, make_goal, make_report  # noqa: F401
