"""A smoke test of ``flask bench`` on a toy network: it builds its own database and reports."""

from __future__ import annotations

from pathlib import Path


def test_bench_runs_on_a_toy_network_in_its_own_database(app, runner, backend, tmp_path):
    if backend != "sqlite":  # the command makes its own databases; once is enough
        return
    out = tmp_path / "bench.md"
    result = runner.invoke(args=["bench", "--scale", "toy", "--backend", "sqlite", "--repeat", "1",
                                 "--members", "40", "--initiatives", "300", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert ("| cold (ms) | warm (ms) | floor (ms) | cold / floor | response (KB) | after write (ms) | compressed (KB) "
            "| warm after 1 s idle (ms) |") in text
    assert "peak RSS of the bench process" in text
    for page in ("overview", "goal", "province", "goal JSON", "goal JSON (1 year)"):
        assert f"| sqlite | 2,000 | {page} |" in text
    bench_db = Path(app.config["INSTANCE_DIR"]) / "bench" / "bench-toy.db"
    assert bench_db.exists() and str(bench_db) != app.config["SQLALCHEMY_DATABASE_URI"]
