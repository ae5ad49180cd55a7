"""Handing queued mail to the mail server: claim one message at a time, try it, record
the attempt, and retry a temporary failure later (see the worker)."""

import logging
import smtplib
import ssl
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update

from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.mail.models import FAILED, QUEUED, SENDING, SENT, MailAttempt, OutgoingMail

log = logging.getLogger(__name__)


def deliver_due(limit=200, stop=None):
    """Deliver the messages due now, oldest first, at most ``limit``, until ``stop`` (an
    Event) is set; how many were tried."""
    tried = 0
    while tried < limit and not (stop and stop.is_set()) and (mail_id := claim_next()) is not None:
        attempt(mail_id)
        tried += 1
    return tried


def _due(now):
    """Queued and due, or claimed by a worker that has not finished for so long that it
    must have died (its lease is over)."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    return or_(
        and_(OutgoingMail.status == QUEUED, OutgoingMail.next_attempt_at <= now),
        and_(OutgoingMail.status == SENDING, OutgoingMail.claimed_at < now - lease),
    )


def claim_next():
    """Take the next due message for this worker; its id, or None when nothing is due.

    The claim is an UPDATE guarded by the same condition, committed at once: of two
    workers that pick the same row only one changes it, on SQLite and PostgreSQL alike.
    """
    now = utcnow()
    candidates = db.session.scalars(
        select(OutgoingMail.id)
        .where(_due(now))
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(10)
    ).all()
    for mail_id in candidates:
        claimed = db.session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id, _due(now))
            .values(status=SENDING, claimed_at=now, attempts=OutgoingMail.attempts + 1)
        ).rowcount
        db.session.commit()
        if claimed:
            return mail_id
    db.session.rollback()
    return None


def attempt(mail_id):
    """Try to hand the claimed message over once and record how it went."""
    mail = db.session.get(OutgoingMail, mail_id)
    config = current_app.config
    try:
        if mail.content is None:  # a message from before a purge of bodies: nothing to send
            raise _Permanent("the message's body is no longer kept")
        if config.get("MAIL_SERVER"):
            _send_smtp(mail, config)
        else:
            _write_outbox(mail)
    except Exception as error:
        permanent = _is_permanent(error)
        retry = not permanent and mail.attempts < config["MAIL_MAX_ATTEMPTS"]
        mail.status = QUEUED if retry else FAILED
        mail.last_error = _describe(error)[:500]
        if retry:
            mail.next_attempt_at = utcnow() + _backoff(mail.attempts)
        mail.tries.append(MailAttempt(outcome="retry" if retry else FAILED, error=mail.last_error))
        # The message's number only: the Mail page names its recipient to organisers, and
        # the server's answer may too (logs go further than that page).
        log.warning(
            "mail %s not delivered (attempt %d, %s)",
            mail.id,
            mail.attempts,
            "will retry" if retry else "failed",
        )
    else:
        mail.status, mail.sent_at, mail.last_error = SENT, utcnow(), ""
        # Delivered: the body (single-use links, personal details) is not kept.
        mail.content = None
        mail.tries.append(MailAttempt(outcome=SENT))
        log.info("mail %s sent (%s)", mail.id, mail.template)
    mail.claimed_at = None
    db.session.commit()


def _backoff(attempts):
    """30 s after the first failure, doubling up to an hour."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


class _Permanent(Exception):
    """A failure no retry can mend."""


def _smtp_code(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return min(code for code, _message in error.recipients.values())
    return getattr(error, "smtp_code", None)


def _is_permanent(error):
    """Refused for good (an SMTP 5xx reply, a body no longer kept); anything else (a 4xx,
    no connection, a timeout, a full disk) may pass."""
    if isinstance(error, _Permanent):
        return True
    code = _smtp_code(error)
    return isinstance(code, int) and 500 <= code < 600


def _describe(error):
    code = _smtp_code(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return f"{type(error).__name__}: {error}"


def _send_smtp(mail, config):
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
        smtp.sendmail(parseaddr(config["MAIL_FROM"])[1], [mail.recipient], mail.content)


def _write_outbox(mail):
    """Without MAIL_SERVER: one file per message, named by its id, so a delivery repeated
    after a crash rewrites the same file rather than adding a second."""
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{mail.created_at:%Y%m%dT%H%M%S%f}-{mail.id:08d}.eml"
    partial = path.with_suffix(".part")
    # Unix line ends, as mail tools on this machine read them (SMTP needs CRLF, a file not).
    partial.write_bytes(mail.content.replace(b"\r\n", b"\n"))
    partial.replace(path)
