"""The agenda of a meeting: numbered sessions and the items inside them."""

import secrets
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.languages import Translated

PRESENTATION, DISCUSSION, BREAK = "presentation", "discussion", "break"
ITEM_KINDS = (PRESENTATION, DISCUSSION, BREAK)


def new_uid():
    """A random UUID: the GUID in frab exports and the UID in calendars, never reused."""
    return str(uuid.uuid4())


# A session's public address: a letter, then seven letters or digits, none that read alike
# (no i, l, o, 0, 1); never all digits, so it cannot be mistaken for a session number.
REF_LETTERS = "abcdefghjkmnpqrstuvwxyz"
REF_ALPHABET = REF_LETTERS + "23456789"
REF_PATTERN = r"[a-z][a-z0-9]{7}"


def new_ref():
    """A short random public id for a session: ``k4mz8q2x``. Unique per meeting."""
    return secrets.choice(REF_LETTERS) + "".join(secrets.choice(REF_ALPHABET) for _ in range(7))


def ref_of(uid):
    """The ref of a released session that has none stored: derived from its uid, the
    same every time (a snapshot made before refs existed)."""
    return "s" + uid.replace("-", "")[:7]


class Session(Translated, db.Model):
    """A numbered session; times are wall-clock times in the meeting's time zone."""

    translated_fields = ("title", "description", "objectives")

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number"),
        UniqueConstraint("meeting_id", "ref", name="uq_sessions_meeting_id_ref"),
        CheckConstraint("ends_at > starts_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    # The session's address (/<meeting>/sessions/<ref>): kept for good, whatever its number
    # becomes when sessions are added, moved or imported before it; copied by a clone.
    ref: Mapped[str] = mapped_column(String(8), default=new_ref)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(default="")
    objectives: Mapped[str] = mapped_column(default="")
    day: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    room: Mapped[str] = mapped_column(String(100), default="")
    # The chair or moderators, names separated by commas.
    chair: Mapped[str] = mapped_column(String(300), default="")
    # A closed session is listed by number and time only; its contents stay private.
    is_public: Mapped[bool] = mapped_column(default=True)
    # Bumped on every update: a save from a stale form is refused rather than overwriting.
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped["Meeting"] = relationship(back_populates="sessions")  # noqa: F821
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def start(self, tz):
        return datetime.combine(self.day, self.starts_at, tz)

    def end(self, tz):
        return datetime.combine(self.day, self.ends_at, tz)

    @property
    def minutes(self):
        return (
            datetime.combine(self.day, self.ends_at) - datetime.combine(self.day, self.starts_at)
        ).seconds // 60

    def item_times(self):
        """``{item: (start, end)}`` as naive wall-clock datetimes; items follow one another.

        An item without a duration takes no time, so changing one duration shifts every
        item after it.
        """
        clock = datetime.combine(self.day, self.starts_at)
        times = {}
        for item in self.items:
            end = clock + timedelta(minutes=item.duration_minutes or 0)
            times[item] = (clock, end)
            clock = end
        return times

    def __repr__(self):
        return f"<Session {self.number}>"


class AgendaItem(Translated, db.Model):
    """A presentation by a network, a discussion or a break, in its session's order."""

    translated_fields = ("title",)

    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('" + "', '".join(ITEM_KINDS) + "')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default=PRESENTATION)
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    presenters: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    duration_minutes: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)

    session: Mapped[Session] = relationship(back_populates="items")
    network: Mapped["Network | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self):
        return f"<AgendaItem {self.kind} {self.title!r}>"


class Release(db.Model):
    """A published, numbered and immutable copy of a meeting's agenda.

    Organisers always edit the live tables (the draft); the public reads only the latest
    release's ``snapshot``, so half-done edits are never seen. ``changes`` is the
    changelog against the release before.
    """

    __tablename__ = "agenda_releases"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    snapshot: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[list] = mapped_column(JSON, default=list)

    meeting: Mapped["Meeting"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self):
        return f"<Release {self.number}>"
