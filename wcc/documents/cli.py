"""``flask designation-report`` and ``flask brochure``: the same documents as the pages, from a shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from wcc.extensions import db


def _write(document, out: Path) -> None:
    from wcc.uploads.services import _path

    version = document.latest
    out.write_bytes(_path(version.stored.key).read_bytes())
    click.echo(f"{out}: {version.pages} pages, {version.size} bytes (document {document.id}, version "
               f"{version.number})")


def _fail(message: str) -> None:
    raise click.ClickException(str(message))


@click.command("designation-report")
@click.argument("code")
@click.option("--lang", "language", type=click.Choice(["fa", "en"]), default="fa", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--from", "first", type=int, help="First Solar Hijri year (default: since the last report "
                                                "or the designation).")
@click.option("--to", "last", type=int, help="Last Solar Hijri year (default: this year).")
@with_appcontext
def designation_report(code: str, language: str, out: Path, first: int | None, last: int | None) -> None:
    """Make a World Craft City activity report, save it in the library and write it to OUT."""
    from wcc.documents import queries, services
    from wcc.documents.pdf import PdfTooLong, PdfUnavailable
    from wcc.orgs.models import Organisation
    from wcc.periods import today as today_local

    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        _fail(f"No organisation with the code {code}.")
    try:
        with current_app.test_request_context(), force_locale("en"):
            span = services.check_span(org, first, last, today_local())
            initiatives = queries.span_initiatives(org, span)
            document = services.create_designation_report(
                org, language=language, span=span, photo_ids=queries.default_photo_ids(initiatives),
                narrative="", user=None, background=False)
    except (services.DocumentError, services.NothingToShow, PdfUnavailable, PdfTooLong) as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    _write(document, out)


@click.command("brochure")
@click.option("--lang", "language", type=click.Choice(["ru", "en", "fa"]), default="ru", show_default=True)
@click.option("--craft", "craft_code", help="A craft code (felt, needlework, carpet, ...).")
@click.option("--initiative", "initiative_ids", type=int, multiple=True, help="An initiative id (repeatable).")
@click.option("--paper", type=click.Choice(["A4", "A5"]), default="A4", show_default=True)
@click.option("--org", "org_code", default="WCC", show_default=True,
              help="The province (or the network) the brochure is made for.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def brochure(language: str, craft_code: str | None, initiative_ids: tuple[int, ...], paper: str,
             org_code: str, out: Path) -> None:
    """Make a plain-language brochure about a craft or some initiatives and write it to OUT."""
    from wcc.documents import services
    from wcc.documents.pdf import PdfTooLong, PdfUnavailable
    from wcc.orgs.models import Organisation

    if bool(craft_code) == bool(initiative_ids):
        _fail("Give either --craft or one or more --initiative.")
    org = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
    if org is None:
        _fail(f"No organisation with the code {org_code}.")
    try:
        with current_app.test_request_context(), force_locale("en"):
            document = services.create_brochure(org, language=language, paper=paper,
                                                initiative_ids=list(initiative_ids) or None,
                                                craft_code=craft_code, contact_ids=[], user=None,
                                                background=False)
    except (services.DocumentError, services.NothingToShow, PdfUnavailable, PdfTooLong) as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    _write(document, out)


def init_documents_cli(app) -> None:
    app.cli.add_command(designation_report)
    app.cli.add_command(brochure)
