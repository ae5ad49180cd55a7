"""A person's registrations as they download them from *My account* (see
accounts/personal_data.py): every detail and answer they gave, each step of the history,
the files they attached (their names and sizes; the files are on their registration page).

Only what is theirs: a step's note is kept (it was written to them, or by them), never who
took the step when that was someone else (an organiser's or focal point's address is theirs,
not this person's); no token, hash or stored file name.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from wenevents.extensions import db
from wenevents.registration.models import Question, Registration
from wenevents.registration.queries import reference

DETAILS = (
    "email", "title", "given_name", "family_name", "organisation", "position",
    "country_code", "participation_role", "language", "arrival_date", "departure_date",
    "dietary", "accessibility", "consent_list", "status", "reason", "created_at",
    "updated_at", "confirmed_at", "endorsed_at", "waitlisted_at", "badge_printed_at",
    "checked_in_at",
)  # fmt: skip


def registrations_of(user):
    """``user``'s registrations (by their address or their account), oldest first, as
    plain values: three queries however many there are."""
    found = db.session.scalars(
        select(Registration)
        .where(or_(Registration.email == user.email, Registration.user_id == user.id))
        .options(
            joinedload(Registration.meeting),
            joinedload(Registration.network),
            selectinload(Registration.events),
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()
    meeting_ids = {registration.meeting_id for registration in found}
    labels = dict(
        db.session.execute(
            select(Question.id, Question.label).where(Question.meeting_id.in_(meeting_ids))
        ).all()
    )
    return [_registration(registration, labels, user) for registration in found]


def _registration(registration, labels, user):
    meeting = registration.meeting
    values = {
        "meeting": meeting.acronym,
        "meeting_title": meeting.title,
        "reference": reference(meeting, registration),
        **{name: _plain(getattr(registration, name)) for name in DETAILS},
        "network": registration.network.acronym if registration.network else None,
        "answers": [
            {"question": labels.get(_id(key), ""), "answer": _answer(value)}
            for key, value in (registration.answers or {}).items()
        ],
        "history": [
            {
                "at": _plain(event.at),
                "from": event.from_status,
                "to": event.to_status,
                "note": event.note,
                "by_you": event.actor_id is not None and event.actor_id == user.id,
            }
            for event in registration.events
        ],
        "personal_data_removed_on": _plain(meeting.personal_data_removal_date),
    }
    return values


def _id(key):
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _answer(value):
    """An answer as given; a file as its name, type, size and checksum (not its stored name)."""
    if isinstance(value, dict):
        return {k: value.get(k) for k in ("name", "type", "size", "sha256")}
    return value


def _plain(value):
    """Dates and times as ISO 8601 (times are UTC, as stored, marked ``Z``)."""
    if hasattr(value, "hour"):
        return value.isoformat(timespec="seconds") + "Z"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
