"""Registrations for a meeting, their settings, extra questions and history."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.accounts.models import User
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.i18n import lazy_gettext as _l
from wenevents.languages import Translated

# The notes the registration steps write themselves: stored in English (whoever's page
# took the step), shown in the reader's language (RegistrationEvent.note_text).
ADDRESS_CONFIRMED = "Address confirmed"
REGISTERED_AGAIN = "Registered again"
PROMOTED = "Promoted from the waiting list"
ENDORSED_WHILE_WAITING = "Endorsed while waiting"
STEP_NOTES = {
    ADDRESS_CONFIRMED: _l("Address confirmed"),
    REGISTERED_AGAIN: _l("Registered again"),
    PROMOTED: _l("Promoted from the waiting list"),
    ENDORSED_WHILE_WAITING: _l("Endorsed while waiting"),
}

# The life of a registration. Only the first three hold a seat.
SUBMITTED, ENDORSED, APPROVED = "submitted", "endorsed", "approved"
UNCONFIRMED, DECLINED, REJECTED = "unconfirmed", "declined", "rejected"
WAITLISTED, WITHDRAWN = "waitlisted", "withdrawn"
STATUSES = (UNCONFIRMED, SUBMITTED, ENDORSED, DECLINED, APPROVED, REJECTED, WAITLISTED, WITHDRAWN)
SEAT_HOLDING = (SUBMITTED, ENDORSED, APPROVED)

PARTICIPATION_ROLES = (
    "network_delegate",
    "observer",
    "presenter",
    "partner_organisation",
    "media",
    "secretariat",
)
QUESTION_KINDS = (
    "short_text", "long_text", "single_choice", "multiple_choice", "yes_no", "date", "file",
)  # fmt: skip
LIST_VISIBILITY = ("hidden", "participants", "public")
# What a person gives about themselves (the email, their identity, apart).
DETAIL_FIELDS = (
    "title", "given_name", "family_name", "organisation", "country_code", "network_id",
    "position", "participation_role", "language", "arrival_date", "departure_date",
    "dietary", "accessibility", "consent_list",
)  # fmt: skip


def _in(values):
    return "('" + "', '".join(values) + "')"


class RegistrationSettings(db.Model):
    """How a meeting takes registrations. Its row is also the lock that seat changes take."""

    __tablename__ = "registration_settings"
    __table_args__ = (
        CheckConstraint(f"participants_list IN {_in(LIST_VISIBILITY)}", name="list_known"),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    opens_at: Mapped[datetime | None]  # UTC
    closes_at: Mapped[datetime | None]  # UTC
    capacity: Mapped[int | None]  # None: no limit
    network_quota: Mapped[int | None]  # delegates per network; None: no limit
    endorsement_required: Mapped[bool] = mapped_column(default=True)
    auto_promote: Mapped[bool] = mapped_column(default=True)
    # Days of travel allowed before the first and after the last day of the meeting.
    travel_days: Mapped[int] = mapped_column(default=3)
    participants_list: Mapped[str] = mapped_column(String(20), default="hidden")
    # Bumped by every seat change: updating it first serialises them (see services).
    seat_version: Mapped[int] = mapped_column(default=0)

    meeting: Mapped["Meeting"] = relationship(  # noqa: F821
        backref=db.backref("registration_settings", uselist=False)
    )

    def is_open(self, now):
        return (self.opens_at is None or self.opens_at <= now) and (
            self.closes_at is None or now < self.closes_at
        )


class Question(Translated, db.Model):
    """A question of the organiser's own, asked on the registration form."""

    # And "choices": translations[lang]["choices"] is a list, one per English choice.
    translated_fields = ("label", "help")

    __tablename__ = "registration_questions"
    __table_args__ = (CheckConstraint(f"kind IN {_in(QUESTION_KINDS)}", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    help: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list] = mapped_column(JSON, default=list)


def full_name(given_name, family_name):
    """How a person is named on lists and badges: given name, then family name."""
    return f"{given_name} {family_name}".strip()


class Registration(db.Model):
    """One person's registration for one meeting (one per email address)."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "email"),
        CheckConstraint(f"status IN {_in(STATUSES)}", name="status_known"),
        CheckConstraint(f"participation_role IN {_in(PARTICIPATION_ROLES)}", name="role_known"),
        CheckConstraint("departure_date >= arrival_date", name="dates_in_order"),
        # The organisers' list (registration/queries.py) with thousands of rows: the counts
        # and the country filter read these indexes alone; the default order walks one.
        Index("ix_registrations_meeting_status_network", "meeting_id", "status", "network_id"),
        Index("ix_registrations_meeting_country", "meeting_id", "country_code"),
        Index("ix_registrations_meeting_created", "meeting_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    title: Mapped[str] = mapped_column(String(20), default="")
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(300))
    country_code: Mapped[str] = mapped_column(String(2))
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[str] = mapped_column(String(200), default="")
    participation_role: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(2), default="en")
    arrival_date: Mapped[date]
    departure_date: Mapped[date]
    dietary: Mapped[str] = mapped_column(String(500), default="")
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    consent_list: Mapped[bool] = mapped_column(default=False)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # question id (str) -> value

    status: Mapped[str] = mapped_column(String(20), default=UNCONFIRMED, index=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None]
    endorsed_at: Mapped[datetime | None]
    waitlisted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When its badge was last printed (registration/badges.py); None: never.
    badge_printed_at: Mapped[datetime | None]
    # Checked in at the venue (registration/checkin.py): when, and by whom.
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Optimistic lock: an edit made from a stale page is refused, not silently merged.
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped["Meeting"] = relationship()  # noqa: F821
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    network: Mapped["Network | None"] = relationship()  # noqa: F821
    events: Mapped[list["RegistrationEvent"]] = relationship(
        back_populates="registration",
        order_by="RegistrationEvent.at",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self):
        return full_name(self.given_name, self.family_name)

    @property
    def holds_seat(self):
        return self.status in SEAT_HOLDING

    def move(self, status, by=None, note=""):
        """Change the status, with a step in the history: who (``by``, None for the
        system), from what, to what, and why."""
        self.events.append(
            RegistrationEvent(
                from_status=self.status,
                to_status=status,
                actor_id=by.id if by else None,
                actor_email=by.email if by else "",
                note=note[:1000],
            )
        )
        self.status = status


class CheckinHelper(db.Model):
    """An account an organiser lets check delegates in at one meeting, and nothing else:
    the check-in page, its search and counts (registration/checkin.py)."""

    __tablename__ = "checkin_helpers"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class RegistrationEvent(db.Model):
    """A step in a registration's history: who moved it from what to what, and why."""

    __tablename__ = "registration_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(1000), default="")

    registration: Mapped[Registration] = relationship(back_populates="events")

    @property
    def note_text(self):
        """The note in the reader's language: the steps' own notes are stored in English
        and translated when read; a person's note is shown as they wrote it."""
        return STEP_NOTES.get(self.note, self.note)


class RegistrationTally(db.Model):
    """How many registrations of a meeting there were of one network (None: observers),
    country and status, kept when their personal data is removed (registration/retention.py):
    the series' history without anyone's name, address or answers."""

    __tablename__ = "registration_tallies"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(STATUSES)}", name="status_known"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    country_code: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20))
    count: Mapped[int]

    network: Mapped["Network | None"] = relationship()  # noqa: F821
