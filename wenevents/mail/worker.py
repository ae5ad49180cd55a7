"""The worker: delivers queued mail every MAIL_POLL_SECONDS and runs the daily jobs the
domains register (``every_day``). One runs beside ``make run``; a deployment runs it as a
service of its own (README, Deployment). Several may run at once: each message is claimed
by one (see delivery.claim_next)."""

import contextlib
import logging
import signal
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from wenevents.extensions import db
from wenevents.mail.delivery import deliver_due

log = logging.getLogger(__name__)

DAILY_JOBS = "wenevents.daily_jobs"
DAY = 24 * 60 * 60


def every_day(app, name, job):
    """Have the worker run ``job()`` (in an app context) when it starts and daily after."""
    app.extensions.setdefault(DAILY_JOBS, {})[name] = job


def run(stop, poll=None):
    """Work until ``stop`` (a threading.Event) is set; in an app context."""
    app = current_app._get_current_object()
    poll = app.config["MAIL_POLL_SECONDS"] if poll is None else poll
    last_run = {}
    while not stop.is_set():
        _step(app, last_run, stop)
        stop.wait(poll)


def _step(app, last_run, stop=None):
    """One round: the mail that is due, then any daily job whose day has passed. A failure
    (the database gone for a moment) is logged; the next round tries again."""
    try:
        deliver_due(stop=stop)
    except Exception:
        log.exception("delivering mail failed; trying again in the next round")
        db.session.rollback()
    for name, job in app.extensions.get(DAILY_JOBS, {}).items():
        if stop is not None and stop.is_set():
            break
        if time.monotonic() - last_run.get(name, -DAY) < DAY:
            continue
        last_run[name] = time.monotonic()
        try:
            job()
            db.session.commit()
        except Exception:
            log.exception("daily job %s failed; it runs again tomorrow", name)
            db.session.rollback()
    db.session.remove()


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now and exit (for cron).")
@with_appcontext
def worker(once):
    """Deliver queued mail, with retries, and run the daily jobs (purges)."""
    if once:
        click.echo(f"{deliver_due()} message(s) tried")
        return
    stop = threading.Event()
    # SIGTERM (systemd, docker, make run ending) stops after the message in hand.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("Worker started: delivering queued mail (stop with Ctrl-C).")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop quietly
        run(stop)
