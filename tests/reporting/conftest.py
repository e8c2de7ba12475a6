from tests.reporting.factories import bearer, client, make_goal, make_report  # noqa: F401
