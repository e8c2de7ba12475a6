"""Backups: ``flask backup --out DIR`` and ``flask restore DIR``.

A backup is a folder holding a consistent snapshot of the database and a copy
of the uploads, with a manifest of SHA-256 checksums:

- PostgreSQL: ``database.pgdump``, written by ``pg_dump`` in its custom format
  (one transaction, so a consistent snapshot while the app keeps running);
- SQLite: ``database.sqlite``, written with SQLite's online backup API (also
  consistent while the app writes);
- ``uploads/``: every stored file (their names are fixed once written, so a copy
  taken after the database snapshot holds every file the snapshot refers to);
- ``manifest.json``: the format, the database kind, the schema's migration
  revision, the time, and each file's size and checksum.

A restore checks every checksum first, then fills an *empty* database (no
tables) and an empty upload folder; it refuses anything else, and a backup of
the other database kind. Restoring over live data is never what an officer
wants from a button, so there is none: it is an operator's command.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from wcc.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite"}


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _backend() -> str:
    name = db.engine.dialect.name
    if name not in DUMPS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {name}.")
    return name


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _sqlite_path() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing to back up or restore into.")
    return Path(database)


def _pg_command(program: str) -> tuple[list[str], dict]:
    """``program`` with the connection of the app's database, the password in the environment."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed; install the PostgreSQL client tools "
                          "(Debian: apt-get install postgresql-client).")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    args = [program, "--no-owner", "--no-privileges", "--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.returncode}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with its online backup API (consistent while others write)."""
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        with dst:
            src.backup(dst)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.rglob("*")) if p.is_file())


def _revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# --- backup ------------------------------------------------------------------------------

def backup(out: Path) -> dict:
    """Write a backup of the app's database and uploads into ``out`` (new or empty)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} is not an empty folder; choose a new one.")
    backend = _backend()
    out.mkdir(parents=True, exist_ok=True)
    dump = out / DUMPS[backend]
    click.echo(f"database ({backend}) → {dump.name}")
    if backend == "postgresql":
        args, env = _pg_command("pg_dump")
        _run([*args, "--format=custom", "--file", str(dump)], env)
    else:
        _sqlite_copy(_sqlite_path(), dump)
    uploads = _upload_dir()
    files = list(_files(uploads)) if uploads.is_dir() else []
    with click.progressbar(files, label="uploads", show_pos=True) as bar:
        for path in bar:
            copy = out / "uploads" / path.relative_to(uploads)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
    manifest = {
        "format": FORMAT,
        "backend": backend,
        "revision": _revision(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {str(p.relative_to(out)): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
                  for p in _files(out)},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


# --- restore -----------------------------------------------------------------------------

def read_manifest(source: Path) -> dict:
    """The backup's manifest, after checking that every file is there, unchanged, and nothing else."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a WCC Network backup (no readable {MANIFEST}): {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("backend") not in DUMPS:
        raise BackupError(f"{source}: unknown backup format.")
    listed = manifest.get("files") or {}
    present = {str(p.relative_to(source)) for p in _files(source)} - {MANIFEST}
    if present != set(listed):
        missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
        raise BackupError(f"{source} does not match its manifest (missing: {missing[:5]}, unexpected: {extra[:5]}).")
    for name, entry in listed.items():
        if _sha256(source / name) != entry.get("sha256"):
            raise BackupError(f"{source / name} is damaged: its checksum differs from the manifest.")
    return manifest


def restore(source: Path) -> dict:
    """Restore the backup in ``source`` into the app's empty database and empty upload folder."""
    manifest = read_manifest(source)
    backend = _backend()
    if manifest["backend"] != backend:
        raise BackupError(f"This is a {manifest['backend']} backup; the app's database is {backend}.")
    tables = inspect(db.engine).get_table_names()
    if tables:
        raise BackupError(f"The database is not empty ({len(tables)} tables); restore into a new, empty one.")
    uploads = _upload_dir()
    if uploads.exists() and any(uploads.iterdir()):
        raise BackupError(f"The upload folder {uploads} is not empty; restore into a new, empty one.")
    dump = source / DUMPS[backend]
    click.echo(f"database ({backend}) ← {dump.name}")
    db.engine.dispose()  # nothing of ours holds the database while it is filled
    if backend == "postgresql":
        args, env = _pg_command("pg_restore")
        _run([*args, "--exit-on-error", "--single-transaction", str(dump)], env)
    else:
        _sqlite_copy(dump, _sqlite_path())
    files = sorted(n for n in manifest["files"] if n.startswith("uploads/"))
    with click.progressbar(files, label="uploads", show_pos=True) as bar:
        for name in bar:
            target_file = uploads / Path(name).relative_to("uploads")
            target_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target_file)
    if _revision() != manifest.get("revision"):
        raise BackupError("The restored database does not carry the backup's schema revision.")
    return manifest


# --- commands ----------------------------------------------------------------------------

@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A new (or empty) folder for the backup.")
@with_appcontext
def backup_command(out: Path) -> None:
    """Back up the database and the uploads into a folder, with a manifest of checksums."""
    manifest = backup(out)
    size = sum(f["bytes"] for f in manifest["files"].values())
    click.echo(f"backed up: {len(manifest['files'])} files, {size:,} bytes, revision {manifest['revision']} → {out}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(source: Path) -> None:
    """Restore a backup into the (empty) database of WCC_DATABASE_URL and the (empty) upload folder."""
    manifest = restore(source)
    click.echo(f"restored: backup of {manifest['created_at']}, revision {manifest['revision']}")


def init_backup_cli(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
