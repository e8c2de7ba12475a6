"""Comparative dashboards: the network overview, a page per goal, province and member.

Only approved reports count. Figures come from rollup tables kept up to date
from ``wcc.reporting.services.report_changed`` (see ``rollups``), so the cost
of a dashboard does not grow with the number of raw reports; computed
dashboard data is cached per filter set under a data version that every
change of the numbers bumps.
"""
