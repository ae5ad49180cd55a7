"""Sending email: over SMTP when WENEVENTS_MAIL_SERVER is set, else into instance/outbox/."""

import logging
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import after_this_request, current_app, has_request_context, render_template

from wenevents.text import clean_line

log = logging.getLogger(__name__)


def send(to, subject, template, after_response=False, attachments=(), **context):
    """Render ``templates/mail/<template>.txt`` and send it to ``to``.

    ``attachments``: ``(filename, "type/subtype", bytes)`` for each file to attach.

    ``after_response``: deliver once the response has gone out, so that how long the
    answer took does not tell whether a message was sent (no enumeration by timing).
    """
    config = dict(current_app.config)
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    # A title with a line break (an old row, an import) would make the header invalid.
    subject = " ".join(clean_line(subject).split())
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2].strip(">"))
    message.set_content(render_template(f"mail/{template}.txt", subject=subject, **context))
    for filename, mimetype, data in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    outbox = Path(current_app.instance_path) / "outbox"
    if after_response and has_request_context():

        @after_this_request
        def _deliver_later(response):
            response.call_on_close(lambda: _deliver_logged(message, config, outbox))
            return response

    else:
        _deliver(message, config, outbox)
    return message


def after_response(work, *args, **kwargs):
    """Run ``work(*args, **kwargs)`` once the response has gone out, in an app context of
    its own (at once when there is no request: a command-line tool).

    For work whose duration must not show in the answer's timing, such as looking an
    address up and mailing it: do all of it here, for every answer alike.
    """
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                work(*args, **kwargs)
            except Exception:  # nobody is left to show an error to: log it
                log.exception("work after the response failed: %s", work.__name__)

    if not has_request_context():
        work(*args, **kwargs)
        return

    @after_this_request
    def _later(response):
        response.call_on_close(run)
        return response


def _deliver_logged(message, config, outbox):
    """Delivery once the response is gone: nobody is left to show an error to, so log it."""
    try:
        _deliver(message, config, outbox)
    except Exception:  # any SMTP or disk failure; the message is lost, the log says so
        log.exception("mail to %s not delivered: %s", message["To"], message["Subject"])


def _deliver(message, config, outbox):
    if config.get("MAIL_SERVER"):
        _send_smtp(message, config)
    else:
        _write_outbox(message, outbox)


def _send_smtp(message, config):
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    # The subject and address only: bodies carry single-use links.
    log.info("mail sent to %s: %s", message["To"], message["Subject"])


def _write_outbox(message, outbox):
    outbox.mkdir(parents=True, exist_ok=True)
    # Microseconds: the names sort in the order the messages were written.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    log.info("mail to %s written to %s (no MAIL_SERVER set)", message["To"], path)
