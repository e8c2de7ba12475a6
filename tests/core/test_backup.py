"""Backups: the demo network and its uploads, backed up and restored into a fresh database,
come back identical, table by table and file by file; a damaged backup, a database that is
not empty and a backup of the other database kind are refused and change nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text

from wcc.auth.demo import DEMO_PASSWORD
from wcc.extensions import db


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (the migrations' own table included), in primary-key order."""
    engine = create_engine(url)
    try:
        names = sorted(inspect(engine).get_table_names())
        rows = {}
        with engine.connect() as connection:
            for name in names:
                table = db.metadata.tables.get(name)
                if table is None:  # alembic_version
                    rows[name] = sorted(connection.execute(text(f'SELECT * FROM "{name}"')).all())
                    continue
                order = list(table.primary_key.columns) or list(table.columns)
                rows[name] = [tuple(r) for r in connection.execute(select(table).order_by(*order))]
        return rows
    finally:
        engine.dispose()


def invoke_on(other_app, *args: str):
    """Run a command on ``other_app`` (the test's own app context would otherwise be reused)."""
    with other_app.app_context():
        return other_app.test_cli_runner().invoke(args=list(args))


def checksums(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_demo_network_and_its_uploads_come_back_identical(demo, make_app, empty_database, tmp_path):
    app = demo.app
    uploads = Path(app.config["UPLOAD_DIR"])
    assert len(checksums(uploads)) > 10  # the demo's photos and their thumbnails
    out = tmp_path / "backup"
    result = demo.runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("backed up: ")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["backend"] == db.engine.dialect.name and manifest["revision"]

    restored_uploads = tmp_path / "restored-uploads"
    target = make_app(SQLALCHEMY_DATABASE_URI=empty_database, UPLOAD_DIR=str(restored_uploads))
    result = invoke_on(target, "restore", str(out))
    assert result.exit_code == 0, result.output

    db.session.commit()
    original, copy = table_rows(app.config["SQLALCHEMY_DATABASE_URI"]), table_rows(empty_database)
    assert set(copy) == set(original)
    assert [name for name in original if original[name] != copy[name]] == []
    assert sum(len(r) for r in copy.values()) > 1000  # the demo, not an empty schema
    assert checksums(restored_uploads) == checksums(uploads)

    # The restored app works: the ministry's demo account signs in on it and opens the dashboards.
    client = target.test_client()
    answer = client.post("/login", data={"email": "ministry@wcc.example.org", "password": DEMO_PASSWORD})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert client.get("/dashboards").status_code == 200


def test_a_restore_refuses_a_database_with_tables_a_damaged_backup_and_the_other_kind(
        app, runner, make_app, empty_database, tmp_path, network):
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    # Not into a database that has tables (here: the test database itself), nor into a used folder.
    before = table_rows(app.config["SQLALCHEMY_DATABASE_URI"])
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code != 0 and "not empty" in result.output
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code != 0
    db.session.commit()
    assert table_rows(app.config["SQLALCHEMY_DATABASE_URI"]) == before

    target = make_app(SQLALCHEMY_DATABASE_URI=empty_database, UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    # A damaged dump is found before anything is written.
    dump = next(p for p in out.iterdir() if p.name.startswith("database."))
    damaged = tmp_path / "damaged"
    shutil.copytree(out, damaged)
    (damaged / dump.name).write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    result = invoke_on(target, "restore", str(damaged))
    assert result.exit_code != 0 and "damaged" in result.output
    # A backup of the other kind of database is refused.
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["backend"] = "sqlite" if manifest["backend"] == "postgresql" else "postgresql"
    (damaged / dump.name).write_bytes(dump.read_bytes())
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    result = invoke_on(target, "restore", str(damaged))
    assert result.exit_code != 0 and "backup" in result.output
    assert table_rows(empty_database) == {}
