"""A smoke test of ``flask bench`` on a toy network: it builds its own database and reports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL


def test_bench_runs_on_a_toy_network_in_its_own_database(app, runner, backend, tmp_path):
    out = tmp_path / "bench.md"
    result = runner.invoke(args=["bench", "--scale", "toy", "--backend", backend, "--pg-url", PG_ADMIN_URL,
                                 "--repeat", "1", "--members", "40", "--initiatives", "300", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = out.read_text(encoding="utf-8")
    assert ("| cold (ms) | warm (ms) | floor (ms) | cold / floor | response (KB) | after write (ms) | compressed (KB) "
            "| warm after 1 s idle (ms) |") in report
    assert "peak RSS of the bench process" in report
    for page in ("overview", "goal", "province", "goal JSON", "goal JSON (1 year)"):
        assert f"| {backend} | 2,000 | {page} |" in report
    if backend == "sqlite":
        bench_db = Path(app.config["INSTANCE_DIR"]) / "bench" / "bench-toy.db"
        assert bench_db.exists() and str(bench_db) != app.config["SQLALCHEMY_DATABASE_URI"]
    else:  # a database of its own on the same server, never the app's
        admin = create_engine(make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg"))
        try:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                assert connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = 'wcc_bench_toy'")) == 1
                connection.execute(text('DROP DATABASE "wcc_bench_toy" WITH (FORCE)'))
        finally:
            admin.dispose()
        assert make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database != "wcc_bench_toy"
