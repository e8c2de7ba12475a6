"""``flask bench``: placeholder until the benchmark lands."""

import click


@click.command("bench")
def bench() -> None:
    """Benchmark the dashboards on a synthetic network in a database of their own."""
