"""A meeting series and its editions."""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.extensions import db
from wenevents.languages import Translated

meeting_networks = Table(
    "meeting_networks",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("networks.id", ondelete="RESTRICT"), primary_key=True),
)

DRAFT, PUBLISHED = "draft", "published"
# Months after a meeting's last day after which its registrations' personal data goes
# (registration/retention.py); organisers choose within these bounds.
DEFAULT_RETENTION_MONTHS, MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS = 12, 1, 120


def add_months(day, months):
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class MeetingSeries(Translated, db.Model):
    __tablename__ = "meeting_series"
    translated_fields = ("name", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(default="")

    meetings: Mapped[list["Meeting"]] = relationship(
        back_populates="series", order_by="Meeting.number.desc()"
    )


class Meeting(Translated, db.Model):
    """One edition of a series, addressed by its acronym (``gmwen4``)."""

    translated_fields = ("title", "description", "venue", "disclaimer", "privacy_notice")

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("series_id", "number"),
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint(f"status IN ('{DRAFT}', '{PUBLISHED}')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id", ondelete="RESTRICT"))
    number: Mapped[int]
    acronym: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[date]
    end_date: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))
    venue: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")
    held_alongside: Mapped[str] = mapped_column(String(300), default="")
    convener: Mapped[str] = mapped_column(String(300), default="")
    partners: Mapped[str] = mapped_column(String(500), default="")
    funding: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(default="")
    disclaimer: Mapped[str] = mapped_column(default="")
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    # Materials uploaded after this moment (UTC) are accepted and marked late.
    materials_deadline: Mapped[datetime | None]
    # The languages (of en, fr, es; comma-separated) the meeting's materials are expected
    # in: the completeness page and reminders count only these as missing.
    materials_languages: Mapped[str] = mapped_column(String(20), default="en", server_default="en")
    # Its registrations' personal data is removed this many months after the last day;
    # anonymous counts stay (registration/retention.py). When that was last done.
    retention_months: Mapped[int] = mapped_column(
        default=DEFAULT_RETENTION_MONTHS, server_default=str(DEFAULT_RETENTION_MONTHS)
    )
    personal_data_removed_at: Mapped[datetime | None]  # UTC
    # The organisers' privacy notice (plain text; empty: the site's default text).
    privacy_notice: Mapped[str] = mapped_column(default="", server_default="")
    # Demo meetings carry invented facts (times, rooms, presenters); the site says so.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    series: Mapped[MeetingSeries] = relationship(back_populates="meetings")
    networks: Mapped[list["Network"]] = relationship(  # noqa: F821
        secondary=meeting_networks, order_by="Network.acronym"
    )
    sessions: Mapped[list["Session"]] = relationship(  # noqa: F821
        back_populates="meeting",
        order_by="(Session.day, Session.starts_at, Session.number)",
        cascade="all, delete-orphan",
    )
    documents: Mapped[list["Document"]] = relationship(  # noqa: F821
        back_populates="meeting", order_by="Document.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self):
        return self.status == PUBLISHED

    @property
    def tz(self):
        return ZoneInfo(self.timezone)

    @property
    def is_past(self):
        """True once its last day is over in its own zone (a past edition)."""
        return datetime.now(self.tz).date() > self.end_date

    @property
    def personal_data_removal_date(self):
        """The day its registrations' personal data is removed: ``retention_months`` after
        its last day."""
        return add_months(self.end_date, self.retention_months or DEFAULT_RETENTION_MONTHS)

    @property
    def days(self):
        """Every date from start to end, inclusive."""
        return [
            date.fromordinal(n)
            for n in range(self.start_date.toordinal(), self.end_date.toordinal() + 1)
        ]

    def __repr__(self):
        return f"<Meeting {self.acronym}>"
