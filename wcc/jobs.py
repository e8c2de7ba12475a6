"""Background jobs: RQ on Redis when ``WCC_REDIS_URL`` is set, in-process otherwise.

``enqueue("wcc.module.function", *args)`` asks for a job to run once the
current transaction has committed (nothing runs for a transaction that rolls
back, and a job never reads rows its request has not committed yet).

- With Redis, the job goes to the ``wcc`` queue at commit time; ``flask
  worker`` runs it (any number of workers on any number of machines), retrying
  failed ones with back-off when they were enqueued with ``retry=True``.
- Without Redis (the ``make run`` default), the job runs in this process when
  the application context that committed ends: right after the request (or the
  command), in a fresh context and transaction of its own. A failure is logged
  and left for the daily run or an admin to retry.

Jobs are plain functions taking ids and strings; they must be idempotent,
because RQ may run one again after a crash or a retry.

A process that stops mid-job (a deploy, a crash, a killed worker) takes its
in-process jobs with it and may leave a row half-way. Work that must not stay
stuck keeps a lease (when a job last took it) and a sweep of its own, listed in
``STALE_SWEEPS``; ``sweep_stale`` runs them all (``flask sweep-jobs`` and the
daily run).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from flask import Flask, current_app, g, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from wcc.shared import redis_down
from wcc.transaction import job_transaction

log = logging.getLogger(__name__)

QUEUE_NAME = "wcc"
_PENDING = PENDING_KEY = "wcc_jobs"

#: The app jobs run in when a worker (rather than a request) runs them; set by ``flask worker``.
_worker_app: Flask | None = None


def enqueue(func: str, *args: Any, retry: bool = False) -> None:
    """Run ``func(*args)`` after the current transaction commits. ``func`` is a dotted path."""
    from wcc.extensions import db

    db.session().info.setdefault(_PENDING, []).append((func, args, retry))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the real commit is still to come
    jobs = session.info.pop(_PENDING, None)
    if not jobs or not has_app_context():
        return
    if current_app.config.get("REDIS_URL"):
        queued = 0
        try:
            queue = get_queue()
            for func, args, retry in jobs:
                queue.enqueue(run, func, *args, retry=_retry_policy() if retry else None)
                queued += 1
            return
        except RedisError as exc:  # Redis is down: the jobs not queued run in this process instead
            redis_down(exc)
            jobs = jobs[queued:]
    g.setdefault("wcc_ready_jobs", []).extend(jobs)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; the transaction (and the jobs it asked for) goes on
    session.info.pop(_PENDING, None)


def _retry_policy():
    from rq import Retry

    intervals = list(current_app.config["JOB_RETRY_INTERVALS"])
    return Retry(max=len(intervals), interval=intervals)


def redis_connection(**options):
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"], **options)


def get_queue():
    """The app's RQ queue (one connection per application context)."""
    from rq import Queue

    if "wcc_rq_queue" not in g:
        # A web request waits at most a short timeout for a Redis that hangs, then runs the job itself.
        from wcc.shared import redis_client  # its timeouts: REDIS_TIMEOUT_SECONDS

        g.wcc_rq_queue = Queue(QUEUE_NAME, connection=redis_client(current_app.config["REDIS_URL"]))
    return g.wcc_rq_queue


def _call(func: str, args: tuple) -> Any:
    module, _, name = func.rpartition(".")
    return getattr(importlib.import_module(module), name)(*args)


def run(func: str, *args: Any) -> Any:
    """What the RQ worker runs: ``func(*args)`` inside an application context of the worker's app."""
    app = _worker_app
    if app is None:
        from wcc import create_app

        app = set_worker_app(create_app())
    with app.app_context(), job_transaction():
        g.wcc_in_worker = True
        return _call(func, args)


#: The sweeps that queue again what a stopped process left hanging; each returns what it did.
STALE_SWEEPS = (
    "wcc.notifications.services.requeue_stale",  # e-mail still queued, or cut off while sending
    "wcc.documents.services.requeue_stale",  # documents left waiting or half-made
)


def sweep_stale() -> dict[str, int]:
    """Run every stale-job sweep in the current transaction; the jobs they queue run after it commits."""
    done: dict[str, int] = {}
    for func in STALE_SWEEPS:
        done.update(_call(func, ()))
    return done


def in_worker() -> bool:
    """Whether an RQ worker (rather than the process that served the request) runs this job."""
    return bool(g.get("wcc_in_worker"))


def set_worker_app(app: Flask) -> Flask:
    global _worker_app
    _worker_app = app
    return app


def run_ready_jobs(*, release_session: bool = False) -> None:
    """Run, in-process, the jobs whose transaction has committed in this application context.

    Each job runs in a fresh application context (a database session of its
    own); jobs that job commits run when its context ends, and so on.
    """
    jobs = g.pop("wcc_ready_jobs", None)
    if not jobs:
        return
    from wcc.extensions import db

    if release_session:
        # The committing session is finished; let go of its connection before jobs write.
        db.session.remove()
    app = current_app._get_current_object()
    for func, args, _retry in jobs:
        with app.app_context():
            try:
                with job_transaction():
                    _call(func, args)
            except Exception:  # noqa: BLE001 - a failed job must not break the request that queued it
                log.exception("in-process job %s%r failed", func, args)


def init_jobs(app: Flask) -> None:
    @app.teardown_appcontext
    def run_jobs_of_this_context(exc: BaseException | None) -> None:
        run_ready_jobs(release_session=True)
