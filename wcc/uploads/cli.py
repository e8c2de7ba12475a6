"""``flask sweep-uploads``: remove uploaded files that no row points to, and expired kept files."""

from __future__ import annotations

import click
from flask import Flask


def init_uploads_cli(app: Flask) -> None:
    app.cli.add_command(sweep_uploads)


@click.command("sweep-uploads")
@click.option("--dry-run", is_flag=True, help="Only list the files that would be removed.")
def sweep_uploads(dry_run: bool) -> None:
    """Remove files in the upload folder that no stored file points to.

    Such files are left when the app stops between a commit and moving the file
    into place, or by versions that wrote files before their transaction ended.
    Temporary files younger than an hour belong to uploads still in progress and
    are kept. Files kept with a form that came back with an error are removed once
    their token has expired.
    """
    import shutil

    from wcc.uploads.services import unreferenced_files, upload_root
    from wcc.uploads.staging import expired_stages

    root = upload_root()
    stages = expired_stages()
    if stages:
        for stage in stages:
            if dry_run:
                click.echo(f"  {stage.relative_to(root)}/")
            else:
                shutil.rmtree(stage, ignore_errors=True)
        verb = "would be removed (dry run)" if dry_run else "removed"
        click.echo(f"{len(stages)} expired sets of kept form files {verb}.")
    files = unreferenced_files()
    if not files:
        click.echo(f"No unreferenced files in {root}.")
        return
    size = 0
    label = "Checking" if dry_run else "Removing"
    with click.progressbar(files, label=f"{label} {len(files)} files", show_pos=True) as bar:
        for path in bar:
            size += path.stat().st_size
            if not dry_run:
                path.unlink(missing_ok=True)
    if dry_run:
        for path in files:
            click.echo(f"  {path.relative_to(root)}")
    verb = "would be removed (dry run)" if dry_run else "removed"
    click.echo(f"{len(files)} unreferenced files, {size / 1024:.0f} KiB, {verb}.")
