"""Rules of the draft agenda: numbering, ordering, times and the warnings beside them."""

from sqlalchemy import select

from wenevents.agenda.models import Session
from wenevents.extensions import db


def renumber(meeting):
    """Number the meeting's sessions 1, 2, 3… in the order they happen.

    Called after every insert, delete or move, so numbers never have gaps. Two passes:
    the unique (meeting, number) constraint would reject a swap done in one.
    """
    sessions = db.session.scalars(
        select(Session)
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.day, Session.starts_at, Session.number, Session.id)
    ).all()
    if [s.number for s in sessions] == list(range(1, len(sessions) + 1)):
        return
    for session in sessions:
        session.number = -session.id
    db.session.flush()
    for number, session in enumerate(sessions, start=1):
        session.number = number
    db.session.flush()
