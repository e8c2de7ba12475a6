"""``flask rebuild-dashboards`` and ``flask bench``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from wcc.extensions import cache, db


@click.command("rebuild-dashboards")
@with_appcontext
def rebuild_dashboards() -> None:
    """Recompute the dashboards' rollup tables from the progress reports, and clear their cache."""
    from wcc.dashboards.rollups import rebuild

    counts = rebuild()
    db.session.commit()
    cache.clear()
    for table, rows in counts.items():
        click.echo(f"  {table}: {rows} rows")


def init_dashboard_cli(app) -> None:
    from wcc.dashboards.bench import bench

    app.cli.add_command(rebuild_dashboards)
    app.cli.add_command(bench)
