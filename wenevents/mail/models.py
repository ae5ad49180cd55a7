"""Outgoing mail, stored with the change that causes it, and each attempt to deliver it."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from wenevents.clock import utcnow
from wenevents.extensions import db

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
STATUSES = (QUEUED, SENDING, SENT, FAILED)


class OutgoingMail(db.Model):
    """One message to one recipient. ``content`` is the message as it goes out, with its
    Message-ID fixed when it is queued: a delivery repeated after a crash carries the same
    one, so the recipient's mail program shows it once."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    # The body's template name: what kind of mail it is, for the organisers' filter.
    template: Mapped[str] = mapped_column(String(60))
    # Dropped MAIL_KEEP_DAYS after it is queued (bodies carry single-use links).
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a worker took it: one that died while sending leaves it here, and another
    # takes it again once MAIL_LEASE_SECONDS have passed.
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")

    tries: Mapped[list["MailAttempt"]] = relationship(
        back_populates="mail",
        order_by="MailAttempt.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


# Its body is still stored (it can be sent again): read with the row, without the body.
OutgoingMail.kept = column_property(OutgoingMail.__table__.c.content.is_not(None))


class MailAttempt(db.Model):
    """One try to hand a message to the mail server, and how it ended."""

    __tablename__ = "mail_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_mail.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # sent, retry (a temporary refusal or no answer) or failed (refused for good).
    outcome: Mapped[str] = mapped_column(String(10))
    error: Mapped[str] = mapped_column(String(500), default="")

    mail: Mapped[OutgoingMail] = relationship(back_populates="tries")
