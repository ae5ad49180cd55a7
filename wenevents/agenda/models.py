"""The agenda of a meeting: numbered sessions and the items inside them."""

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.extensions import db

PRESENTATION, DISCUSSION, BREAK = "presentation", "discussion", "break"
ITEM_KINDS = (PRESENTATION, DISCUSSION, BREAK)


class Session(db.Model):
    """A numbered session; times are wall-clock times in the meeting's time zone."""

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number"),
        CheckConstraint("ends_at > starts_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(default="")
    objectives: Mapped[str] = mapped_column(default="")
    day: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    room: Mapped[str] = mapped_column(String(100), default="")
    chair: Mapped[str] = mapped_column(String(300), default="")
    # A closed session is listed by number and time only; its contents stay private.
    is_public: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped["Meeting"] = relationship(back_populates="sessions")  # noqa: F821
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    def start(self, tz):
        return datetime.combine(self.day, self.starts_at, tz)

    def end(self, tz):
        return datetime.combine(self.day, self.ends_at, tz)

    def __repr__(self):
        return f"<Session {self.number}>"


class AgendaItem(db.Model):
    """A presentation by a network, a discussion or a break, in its session's order."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('" + "', '".join(ITEM_KINDS) + "')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
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

    session: Mapped[Session] = relationship(back_populates="items")
    network: Mapped["Network | None"] = relationship()  # noqa: F821

    def __repr__(self):
        return f"<AgendaItem {self.kind} {self.title!r}>"
