"""Celery on a Redis broker: the task that audits one site of a batch, and the worker.

A task is acknowledged only after the audit (``acks_late``) and given back to the queue when the
process running it dies (``reject_on_worker_lost``); a worker machine that dies altogether leaves
its tasks unacknowledged in Redis, which hands them to another worker after the broker's
visibility timeout, or sooner to whoever watches the batch (:func:`zwgk.batch.heal`: a claim not
renewed for a minute is handed out again). A database or broker that is down or restarting is not
the site's fault: the task is retried with a growing delay (``autoretry_for``, bounded), never
recorded as failed. Running a task twice is harmless: :func:`zwgk.batch.run_site` finds the site
done, or held by a live worker, and the scan is published only by the worker holding the claim.
Results live in the scan database (``batch_sites``), not in a Celery result backend.

The same workers run ``zwgk.visit``, the scheduled home-page visit that ``zwgk monitor --broker``
sends from ``celery beat`` (zwgk.monitor); a visit delivered twice is stored once (its moment's slot).
"""

from __future__ import annotations

from celery import Celery

from zwgk.batch import STALLED_AFTER, Outage

QUEUE = "zwgk"
DEFAULT_VISIBILITY = 12 * 3600  # seconds; longer than the longest audit of one site

app = Celery("zwgk")
app.conf.update(
    task_acks_late=True, task_reject_on_worker_lost=True, task_ignore_result=True, worker_prefetch_multiplier=1,
    task_serializer="json", accept_content=["json"], task_default_queue=QUEUE, broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False, broker_transport_options={"visibility_timeout": DEFAULT_VISIBILITY},
)


def configure(broker: str, visibility_timeout: float | None = None) -> Celery:
    app.conf.broker_url = broker
    if visibility_timeout:
        app.conf.broker_transport_options = {"visibility_timeout": int(visibility_timeout)}
    return app


# an outage is waited out for about an hour: delays 1, 2, 4 … seconds, at most half the time after which
# a claim counts as stalled (a waiting task is then never mistaken for a lost one); the batch's
# submitter hands the site out again should that not be enough
RETRY = {"autoretry_for": (Outage,), "retry_backoff": True, "retry_backoff_max": max(1, int(STALLED_AFTER / 2)),
         "retry_jitter": True, "max_retries": 120}


@app.task(name="zwgk.audit_site", acks_late=True, reject_on_worker_lost=True, **RETRY)
def audit_site(db: str, batch_id: str, site: dict, job: dict) -> str:
    from zwgk.batch import Site, run_site
    from zwgk.pipeline import AuditJob

    import os

    job = AuditJob.from_dict({**job, "work_dir": os.environ.get("ZWGK_WORK_DIR") or job.get("work_dir")})
    return run_site(db, batch_id, Site(**site), job)


@app.task(name="zwgk.visit", acks_late=True, reject_on_worker_lost=True, **RETRY)
def visit(db: str, target: dict, options: dict) -> int:
    """One scheduled visit of a site's home page (``zwgk monitor --broker``: celery beat sends it);
    the rows stored, 0 when this moment was already visited (a task delivered twice)."""
    from storage.postgres import DatabaseUnavailable
    from zwgk.monitor import visit_site
    from zwgk.pipeline import AuditInputError

    try:
        return len(visit_site(db, target, options))
    except AuditInputError as exc:  # the database is down or restarting: not the site's failure, retried
        if isinstance(exc.__cause__, DatabaseUnavailable):
            raise Outage(str(exc)) from exc
        raise


def run_worker(broker: str, concurrency: int, visibility_timeout: float | None, work_dir: str | None,
               loglevel: str = "INFO") -> None:
    """A worker on this machine: at most ``concurrency`` sites at a time, many per process, as many as the
    machine has room for (zwgk.site_pool)."""
    import os
    import socket

    if work_dir:
        os.environ["ZWGK_WORK_DIR"] = work_dir
    configure(broker, visibility_timeout)
    app.worker_main(["worker", "--pool", "threads", "--concurrency", str(concurrency), "--queues", QUEUE,
                     "--hostname", f"zwgk-{os.getpid()}@{socket.gethostname()}", "--loglevel", loglevel,
                     "--without-gossip", "--without-mingle"])
