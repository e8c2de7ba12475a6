"""``flask send-reminders``, ``retry-deliveries``, ``sweep-jobs``, ``worker`` and ``scheduler``."""

from __future__ import annotations

import logging
from datetime import date

import click
from flask import Flask, current_app

from wcc.extensions import db

log = logging.getLogger(__name__)

DAILY_JOB = "wcc.notifications.cli.daily_run"


def init_notification_cli(app: Flask) -> None:
    app.cli.add_command(send_reminders)
    app.cli.add_command(retry_deliveries)
    app.cli.add_command(sweep_jobs)
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)


def _today() -> date:
    from wcc.periods import today

    return today()


def daily_run(day: str | None = None) -> dict:
    """The scheduler's daily job: reminders for the day, yesterday's digests, failed mail again,
    and the jobs a stopped process left hanging."""
    from wcc.jobs import sweep_stale
    from wcc.notifications.reminders import send_reminders as compute
    from wcc.notifications.services import queue_digests, retry_due

    on = date.fromisoformat(day) if day else _today()
    made = compute(on)
    digests = queue_digests(on)
    retried = retry_due()
    swept = sweep_stale()
    log.info("daily run %s: %s notifications, %s digests, %s deliveries retried, stale jobs %s",
             on, made, digests, retried, swept)
    return {"day": on.isoformat(), "notifications": made, "digests": digests, "retried": retried, **swept}


@click.command("send-reminders")
@click.option("--date", "day", default=None, help="The day to compute, YYYY-MM-DD (default: today, network time).")
@click.option("--digests/--no-digests", default=False, help="Also queue the digests of that day.")
def send_reminders(day: str | None, digests: bool) -> None:
    """Notify every report due soon, overdue or escalated on a day; print how many notices were made.

    Running the same day again makes nothing new (the last line says ``enqueued: 0``).
    """
    from wcc.notifications.reminders import send_reminders as compute
    from wcc.notifications.services import queue_digests

    try:
        on = date.fromisoformat(day) if day else _today()
    except ValueError:
        raise click.BadParameter("write the date as YYYY-MM-DD", param_hint="--date") from None
    made = compute(on)
    if digests:
        click.echo(f"digests: {queue_digests(on)}")
    db.session.commit()
    click.echo(f"day: {on.isoformat()}")
    click.echo(f"enqueued: {made}")


@click.command("retry-deliveries")
def retry_deliveries() -> None:
    """Send again the refused e-mail whose next try is due (back-off: WCC_JOB_RETRY_SECONDS).

    The daily run does the same; without Redis, the web process also does it after
    a request once a mail it failed to send is due. Prints how many were queued.
    """
    from wcc.notifications.services import retry_due

    queued = retry_due()
    db.session.commit()
    click.echo(f"retried: {queued}")


@click.command("sweep-jobs")
def sweep_jobs() -> None:
    """Queue again the work a stopped process left hanging: e-mail still queued after
    WCC_STALE_MAIL_MINUTES, documents waiting or being made after WCC_STALE_DOCUMENT_MINUTES.

    A mail cut off while being handed to the server is never sent again by itself (it may have
    arrived): it joins the failed deliveries for an admin to retry. The daily run does the same.
    Prints what was done; the last line is ``swept: N``.
    """
    from wcc.jobs import sweep_stale

    done = sweep_stale()
    db.session.commit()
    for name, count in done.items():
        click.echo(f"{name.replace('_', ' ')}: {count}")
    click.echo(f"swept: {sum(done.values())}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run background jobs from Redis (needs WCC_REDIS_URL). Start as many as the load needs."""
    from rq import SimpleWorker

    from wcc import jobs

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("WCC_REDIS_URL is not set: without Redis, jobs run inside the web "
                                   "process and no worker is needed.")
    jobs.set_worker_app(current_app._get_current_object())
    connection = jobs.redis_connection()
    SimpleWorker([jobs.QUEUE_NAME], connection=connection).work(burst=burst, with_scheduler=True)


@click.command("scheduler")
@click.option("--at", "cron", default="30 2 * * *", show_default=True,
              help="When the daily run is queued, as a cron line in UTC (02:30 UTC is 06:00 in Tehran).")
def scheduler(cron: str) -> None:
    """Queue the daily run (reminders, digests, failed mail) on schedule. Run exactly one."""
    from rq.cron import CronScheduler

    from wcc import jobs

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("WCC_REDIS_URL is not set: the scheduler needs Redis.")
    cron_scheduler = CronScheduler(connection=jobs.redis_connection())
    cron_scheduler.register(jobs.run, jobs.QUEUE_NAME, args=(DAILY_JOB,), cron=cron, name="wcc-daily-run")
    click.echo(f"daily run queued at '{cron}' (UTC) on queue {jobs.QUEUE_NAME}")
    cron_scheduler.start()
