"""Seats: the capacity, each network's quota, the waiting list and promotion from it.

Whoever changes seats of a meeting holds the meeting's lock first (``locks.lock_meeting``,
the one every writer of the meeting takes), so two registrations can never both take the
last seat, on SQLite and on PostgreSQL alike. The functions here read and change seats
with that lock held; they flush nothing themselves, and never commit.
"""

from sqlalchemy import func, select

from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.registration.models import (
    ENDORSED,
    PROMOTED,
    SEAT_HOLDING,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    Registration,
    RegistrationSettings,
)


def seats_taken(meeting_id, network_id=None):
    query = select(func.count()).where(
        Registration.meeting_id == meeting_id, Registration.status.in_(SEAT_HOLDING)
    )
    if network_id is not None:
        query = query.where(Registration.network_id == network_id)
    return db.session.scalar(query)


def has_room(settings, network_id):
    """Whether one more seat fits the capacity and the network's quota (lock held)."""
    if settings.capacity is not None and seats_taken(settings.meeting_id) >= settings.capacity:
        return False
    return not (
        network_id is not None
        and settings.network_quota is not None
        and seats_taken(settings.meeting_id, network_id) >= settings.network_quota
    )


def quota_full(meeting_id, network_id):
    """Whether ``network_id``'s quota has no seat left for one more (lock held)."""
    settings = db.session.get(RegistrationSettings, meeting_id)
    return (
        network_id is not None
        and settings is not None
        and settings.network_quota is not None
        and seats_taken(meeting_id, network_id) >= settings.network_quota
    )


def seated_status(registration):
    """The status of a registration holding a seat: endorsed if its network vouched."""
    return ENDORSED if registration.endorsed_at else SUBMITTED


def seat_or_waitlist(registration, settings):
    """The status a confirmed registration gets: a seat, or the end of the waiting list."""
    if has_room(settings, registration.network_id):
        return seated_status(registration)
    registration.waitlisted_at = utcnow()
    return WAITLISTED


def promote(registration, by=None):
    """Give a waiting registration its seat (lock held, room checked)."""
    registration.move(seated_status(registration), by, PROMOTED)
    registration.waitlisted_at = None


def promote_next(meeting_id, by=None, exclude=None):
    """Promote the first waiting registration that fits (lock held); return it or None.

    ``exclude``: one just sent to the list, which must not come straight back.
    """
    settings = db.session.get(RegistrationSettings, meeting_id)
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.meeting_id == meeting_id,
            Registration.status == WAITLISTED,
            Registration.id != (exclude or 0),
        )
        .order_by(Registration.waitlisted_at, Registration.id)
    )
    for registration in waiting:
        if has_room(settings, registration.network_id):
            promote(registration, by)
            return registration
    return None


def promote_first_waiting(meeting_id, exclude=None):
    """With automatic promotion, give a freed seat to the first who fits (lock held).

    Call after the seat-holder's status changed in the session (flushed by the query).
    """
    settings = db.session.get(RegistrationSettings, meeting_id)
    if settings is None or not settings.auto_promote:
        return None
    return promote_next(meeting_id, exclude=exclude)


def by_network(meeting, networks):
    """``[(network, registrations, seats held), …]`` for a focal point's networks."""
    ids = [n.id for n in networks]
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.network_id.in_(ids),
            Registration.status != UNCONFIRMED,
        )
        .order_by(Registration.created_at)
    ).all()
    groups = []
    for network in networks:
        mine = [r for r in registrations if r.network_id == network.id]
        groups.append((network, mine, sum(1 for r in mine if r.holds_seat)))
    return groups
