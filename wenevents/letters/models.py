"""Invitation letters for visas: a delegate's request (passport details, sealed), the
letters issued from it, and the organisers' letter text per meeting and language."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.clock import utcnow
from wenevents.extensions import db

REQUESTED, CORRECTION, APPROVED = "requested", "correction", "approved"
REQUEST_STATUSES = (REQUESTED, CORRECTION, APPROVED)
VALID, REVOKED, SUPERSEDED = "valid", "revoked", "superseded"
INVITATION, CERTIFICATE = "invitation", "certificate"
KINDS = (INVITATION, CERTIFICATE)
LETTER_STATUSES = (VALID, REVOKED, SUPERSEDED)
# What a request holds, sealed (letters/sealing.py): never a column of its own.
PASSPORT_FIELDS = (
    "passport_name", "nationality", "passport_number", "passport_expiry", "birth_date",
    "consulate_city",
)  # fmt: skip


def _in(values):
    return "('" + "', '".join(values) + "')"


class LetterRequest(db.Model):
    """One registration's request for an invitation letter; its details sealed."""

    __tablename__ = "letter_requests"
    __table_args__ = (CheckConstraint(f"status IN {_in(REQUEST_STATUSES)}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default=REQUESTED)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # What the organisers asked to correct (to the delegate, in their words).
    message: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    registration: Mapped["Registration"] = relationship()  # noqa: F821
    letters: Mapped[list["Letter"]] = relationship(
        back_populates="request", order_by="Letter.number", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}


class Letter(db.Model):
    """An issued document an embassy or an administration verifies by its short code: an
    invitation letter (from a request) or a certificate of attendance (of a registration
    checked in). Numbered per meeting and kind. ``sealed`` keeps the name and nationality
    as printed (the verification shows them)."""

    __tablename__ = "letters"
    __table_args__ = (
        UniqueConstraint("meeting_id", "kind", "number"),
        CheckConstraint(f"status IN {_in(LETTER_STATUSES)}", name="status_known"),
        CheckConstraint(f"kind IN {_in(KINDS)}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default=INVITATION)
    # The request of an invitation letter (None for a certificate).
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter_requests.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    number: Mapped[int]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(12), default=VALID)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(String(500), default="")

    request: Mapped[LetterRequest | None] = relationship(back_populates="letters")
    registration: Mapped["Registration"] = relationship()  # noqa: F821
    meeting: Mapped["Meeting"] = relationship()  # noqa: F821


class LetterText(db.Model):
    """The convener's letter for one meeting in one language, as organisers wrote it, with
    ``$placeholders`` (letters/documents.py lists them)."""

    __tablename__ = "letter_texts"
    __table_args__ = (UniqueConstraint("meeting_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
