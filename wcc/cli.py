"""Command-line tasks: ``flask --app app <command>``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from wcc.extensions import db


def init_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_accounts)
    app.cli.add_command(create_user)
    app.cli.add_command(create_token)
    app.cli.add_command(two_factor_code)
    from wcc.backup import init_backup_cli
    from wcc.dashboards.cli import init_dashboard_cli
    from wcc.documents.cli import init_documents_cli
    from wcc.notifications.cli import init_notification_cli
    from wcc.uploads.cli import init_uploads_cli

    init_backup_cli(app)
    init_dashboard_cli(app)
    init_documents_cli(app)
    init_notification_cli(app)
    init_uploads_cli(app)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when there are no organisations yet.")
@click.option("--i-know", is_flag=True,
              help="Seed even with WCC_ENV=production (the demo accounts have a public password).")
def seed_demo(if_empty: bool, i_know: bool) -> None:
    """Load the demo network (idempotent: existing objects are kept)."""
    from flask import current_app

    from wcc.demo import SEED_STEPS
    from wcc.orgs.models import Organisation

    if current_app.config["WCC_ENV"] == "production" and not i_know:
        raise click.ClickException(
            "Refusing to load the demo network with WCC_ENV=production: its accounts have a public "
            "password and second factor. Pass --i-know to do it anyway.")

    if if_empty and db.session.scalar(select(func.count()).select_from(Organisation)):
        click.echo("The database already has data; demo data not loaded.")
        _print_demo_accounts()
        return
    for name, step, expected in SEED_STEPS:
        created = 0
        with click.progressbar(length=expected, label=f"{name:<14}", show_pos=True) as bar:
            for _label in step():
                created += 1
                bar.update(1)
            bar.update(max(0, expected - created))
        db.session.commit()
        # Steps expecting nothing recompute derived data rather than add objects.
        click.echo(f"  {name}: {created} created" if expected else f"  {name}: recomputed")
    _print_demo_accounts()


@click.command("demo-accounts")
def demo_accounts() -> None:
    """Print the demo sign-ins."""
    _print_demo_accounts()


def _print_demo_accounts() -> None:
    from wcc.auth.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS
    from wcc.auth.services import find_user_by_email
    from wcc.auth.two_factor import readable_secret

    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
    second_factor = False
    for email, _name, role, org_code, _lang in DEMO_USERS:
        user = find_user_by_email(email)
        if user is not None:
            mark = " *" if user.has_second_factor and readable_secret(user) == DEMO_TOTP_SECRET else ""
            second_factor = second_factor or bool(mark)
            click.echo(f"  {role:<13} {org_code:<15} {email}{mark}")
    if second_factor:
        click.echo(f"* asks for a second factor: add the key {DEMO_TOTP_SECRET} to an authenticator app,\n"
                   "  or print the current code with: flask --app app two-factor-code EMAIL")


@click.command("create-user")
@click.argument("email")
@click.option("--password", required=True,
              help="At least 12 characters; not a common password, nor the e-mail, name or organisation.")
@click.option("--role", required=True, type=click.Choice(["admin", "ministry", "province", "municipality"]))
@click.option("--org", "org_code", required=True, help="Organisation code, e.g. IR-10 or IR-10-ISFAHAN.")
@click.option("--name", default=None, help="Full name (defaults to the e-mail address).")
@click.option("--lang", default=None, type=click.Choice(["fa", "en", "ru"]))
def create_user(email: str, password: str, role: str, org_code: str, name: str | None,
                lang: str | None) -> None:
    """Create a user who can sign in at once."""
    from flask_babel import force_locale

    from wcc.auth.services import create_user as create
    from wcc.errors import ServiceError
    from wcc.orgs.queries import get_by_code

    org = get_by_code(org_code)
    if org is None:
        raise click.ClickException(f"No organisation with code {org_code!r}.")
    try:
        with force_locale("en"):  # the operator's terminal speaks English
            user = create(email=email, name=name or email, password=password, role=role, org=org,
                          preferred_language=lang)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} in {org.code}.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", help="What the token is for.")
def create_token(email: str, name: str) -> None:
    """Create a personal API token; the token is printed alone on the last line."""
    from wcc.auth.services import create_token as create
    from wcc.auth.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active user with e-mail {email!r}.")
    _token, secret = create(user, name)
    db.session.commit()
    click.echo(f"Token for {user.email} (shown once, keep it secret):")
    click.echo(secret)


@click.command("two-factor-code")
@click.argument("email")
def two_factor_code(email: str) -> None:
    """Print the current sign-in code of a demo account (its second factor is public)."""
    import pyotp
    from flask import current_app

    from wcc.auth.demo import DEMO_TOTP_SECRET
    from wcc.auth.services import find_user_by_email
    from wcc.auth.two_factor import readable_secret

    user = find_user_by_email(email)
    if current_app.config["WCC_ENV"] == "production" or user is None \
            or not user.has_second_factor or readable_secret(user) != DEMO_TOTP_SECRET:
        raise click.ClickException("Only demo accounts with the demo second factor have a printable code.")
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())
