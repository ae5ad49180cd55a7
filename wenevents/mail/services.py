"""The organisers' view of outgoing mail: what is queued, sent and failed, and sending again."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.mail.models import FAILED, QUEUED, SENT, STATUSES, OutgoingMail

PAGE_SIZE = 50
# Mail due this long ago and still queued: no worker is delivering it.
OVERDUE = timedelta(minutes=5)


def search(status="", text="", page=1):
    """One page of messages, newest first, and the total number that match."""
    query = select(OutgoingMail)
    if status in STATUSES:
        query = query.where(OutgoingMail.status == status)
    if text:
        query = query.where(
            or_(
                OutgoingMail.recipient.contains(text.lower(), autoescape=True),
                func.lower(OutgoingMail.subject).contains(text.lower(), autoescape=True),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    messages = db.session.scalars(
        query.order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return messages, total


def counts():
    """Messages per status, every status named (0 when none)."""
    found = dict(
        db.session.execute(
            select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)
        ).all()
    )
    return {status: found.get(status, 0) for status in STATUSES}


def overdue():
    """When the oldest message no worker has taken was due, if that is over five minutes
    ago (the worker is not running, or cannot keep up); else None."""
    oldest = db.session.scalar(
        select(func.min(OutgoingMail.next_attempt_at)).where(OutgoingMail.status == QUEUED)
    )
    return oldest if oldest is not None and oldest < utcnow() - OVERDUE else None


def resendable(mail):
    """A failed message whose body is still kept."""
    return mail.status == FAILED and mail.kept


def resend(mail):
    """Queue a failed message again, as it was: it never arrived, so its Message-ID is
    still new to the recipient. Not committed."""
    mail.status, mail.attempts, mail.next_attempt_at, mail.last_error = QUEUED, 0, utcnow(), ""
    record("mail.resend", f"{mail.subject} to {mail.recipient}", target=mail)
    return mail


def prune_bodies():
    """Drop the bodies of failed messages queued more than MAIL_KEEP_DAYS ago (a delivered
    one's is dropped at once): they carry single-use links and personal details. The
    record (to, subject, status, errors) stays."""
    before = utcnow() - timedelta(days=current_app.config["MAIL_KEEP_DAYS"])
    db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.status.in_((SENT, FAILED)),
            OutgoingMail.created_at < before,
            OutgoingMail.content.is_not(None),
        )
        .values(content=None)
    )
