"""Outgoing mail: queued in the database with the change that causes it, delivered by the
worker (``wenevents worker``, started beside the server by ``make run``).

``queue()`` adds the message to the session: the view's commit stores it together with
the step it tells of, and a rollback drops both. The worker hands it to MAIL_SERVER (or
writes it into instance/outbox/), retries with backoff, and records each attempt;
organisers follow it on the Mail page.
"""

import email.policy
import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import after_this_request, current_app, has_request_context, render_template

from wenevents.extensions import db
from wenevents.mail.models import OutgoingMail
from wenevents.text import clean_line

log = logging.getLogger(__name__)


def queue(to, subject, template, attachments=(), **context):
    """Render ``templates/mail/<template>.txt`` for ``to`` and queue it; not committed.

    ``attachments``: ``(filename, "type/subtype", bytes)`` for each file to attach.
    """
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    # A title with a line break (an old row, an import) would make the header invalid.
    subject = " ".join(clean_line(subject).split())
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">"))
    message.set_content(render_template(f"mail/{template}.txt", subject=subject, **context))
    for filename, mimetype, data in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    mail = OutgoingMail(
        message_id=message["Message-ID"],
        recipient=str(message["To"])[:320],
        subject=subject[:300],
        template=template[:60],
        # CRLF line ends, as SMTP has them: smtplib sends bytes as they are.
        content=message.as_bytes(policy=email.policy.SMTP),
    )
    db.session.add(mail)
    return mail


def after_response(work, *args, **kwargs):
    """Run ``work(*args, **kwargs)`` once the response has gone out, in an app context of
    its own (at once when there is no request: a command-line tool).

    For work whose duration must not show in the answer's timing, such as looking an
    address up and mailing it: do all of it here, for every answer alike. ``work``
    commits what it queues.
    """
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                work(*args, **kwargs)
            except Exception:  # nobody is left to show an error to: log it
                log.exception("work after the response failed: %s", work.__name__)
                db.session.rollback()

    if not has_request_context():
        work(*args, **kwargs)
        return

    @after_this_request
    def _later(response):
        response.call_on_close(run)
        return response


def init_app(app):
    """The organisers' Mail page, the ``worker`` command, its daily pruning of bodies, and
    the queue's gauges for /metrics."""
    from wenevents import metrics
    from wenevents.mail.services import counts, prune_bodies
    from wenevents.mail.views import bp
    from wenevents.mail.worker import every_day, worker

    app.register_blueprint(bp)
    app.cli.add_command(worker)
    every_day(app, "mail.prune_bodies", prune_bodies)
    metrics.register_gauge_source(
        "wenevents_mail_messages", "Outgoing mail by status (queued is the queue's depth).", counts
    )
