"""Progress reports on the union's goals, period by period, and their review and approval."""
