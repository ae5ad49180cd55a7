"""Who counts as a participant: the one rule, for every page that shows what is for them.

A participant is someone vouched for: an organiser, a focal point (an account the
organisers invited with that role), or a delegate whose registration an organiser approved
(``PARTICIPANTS_INCLUDE_ENDORSED`` adds those their network has endorsed). Signing in is not
enough: confirming one's own address vouches for nothing, and unconfirmed, submitted,
waitlisted, declined, rejected and withdrawn registrations never count. A disabled account
never counts.

The directory and the focal points' contact fields ask about any meeting; the participants
list and a meeting's materials ask about one meeting, where a focal point counts for the
meetings their networks take part in. Ask once per request: it reads the database at most
once, never per row shown.
"""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wenevents.accounts.models import FOCAL_POINT
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting
from wenevents.registration.models import APPROVED, ENDORSED, Registration


def vouched_statuses():
    """The statuses of a registration that make its delegate a participant."""
    # Only a real True widens it: a stray string in a config file must not.
    if current_app.config.get("PARTICIPANTS_INCLUDE_ENDORSED") is True:
        return (ENDORSED, APPROVED)
    return (APPROVED,)


def is_participant(user, meeting=None):
    """Whether ``user`` is a participant of ``meeting``, or of any meeting if None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_organiser:
        return True
    if user.role == FOCAL_POINT:
        if meeting is None:
            return True
        own = {network.id for network in user.networks}
        if any(network.id in own for network in meeting.networks):
            return True
    # A registration is one's own by its address, as on one's registration page.
    query = select(Registration.id).where(
        Registration.email == user.email, Registration.status.in_(vouched_statuses())
    )
    if meeting is not None:
        query = query.where(Registration.meeting_id == meeting.id)
    return db.session.scalar(query.limit(1)) is not None


def own_registrations(user, meeting=None):
    """``user``'s registrations for published meetings (``meeting`` only, if given), newest
    meeting first: for the pages that tell someone not yet a participant where they stand."""
    if user is None or not user.is_authenticated:
        return []
    query = (
        select(Registration)
        .join(Registration.meeting)
        .where(Registration.email == user.email, Meeting.status == PUBLISHED)
        .options(joinedload(Registration.meeting))
    )
    if meeting is not None:
        query = query.where(Registration.meeting_id == meeting.id)
    rows = db.session.scalars(query).all()
    return sorted(rows, key=lambda r: (r.meeting.start_date, r.id), reverse=True)
