"""What a person follows in a meeting, and their private calendar feed."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wenevents.clock import utcnow
from wenevents.extensions import db

SESSION, NETWORK = "session", "network"
FOLLOW_KINDS = (SESSION, NETWORK)


class Follow(db.Model):
    """A person follows a session (by its uid, which every release keeps) or a network
    (by its id) in one meeting: they see it on *My meeting*, in their feed, and are told
    when a release changes it."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "meeting_id", "kind", "key"),
        CheckConstraint("kind IN ('session', 'network')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    # A session's uid, or a network's id written out: one column for both, so one
    # unique constraint holds (NULLs would not be unique).
    key: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(db.Model):
    """A person's private calendar address for one meeting. Only the token's SHA-256 is
    kept: the address is shown once, when made; making a new one ends the old."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("user_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
