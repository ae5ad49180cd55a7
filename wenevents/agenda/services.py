"""Reads of the public agenda: always the latest release, never the draft."""

from itertools import groupby

from sqlalchemy import select

from wenevents.agenda import releases
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting


def public_agenda(acronym):
    """``(meeting, release, sessions)`` of a published meeting, or None.

    ``release`` is None (and ``sessions`` empty) until the agenda is first published.
    One query when released, two before.
    """
    release = releases.latest_release(acronym)
    if release is not None:
        return release.meeting, release, releases.sessions_of(release)
    query = select(Meeting).where(Meeting.acronym == acronym, Meeting.status == PUBLISHED)
    meeting = db.session.scalars(query).first()
    return (meeting, None, []) if meeting else None


def sessions_by_day(meeting, sessions):
    """``[(day, [sessions…]), …]`` for every day of the meeting, empty days included."""
    by_day = {day: list(group) for day, group in groupby(sessions, key=lambda s: s.day)}
    return [(day, by_day.pop(day, [])) for day in meeting.days] + sorted(by_day.items())


def public_session(acronym, number):
    """``(meeting, release, session)`` for one released session, or None."""
    release = releases.latest_release(acronym)
    if release is None:
        return None
    for session in releases.sessions_of(release):
        if session.number == number:
            return release.meeting, release, session
    return None
