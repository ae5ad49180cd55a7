"""Reads of the agenda for the public schedule."""

from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting


def published_schedule(acronym):
    """A published meeting with its sessions and their items, in three queries; or None."""
    query = (
        select(Meeting)
        .where(Meeting.acronym == acronym, Meeting.status == PUBLISHED)
        .options(
            selectinload(Meeting.sessions)
            .selectinload(Session.items)
            .joinedload(AgendaItem.network)
        )
    )
    return db.session.scalars(query).first()


def sessions_by_day(meeting):
    """``[(day, [sessions…]), …]`` for every day of the meeting, empty days included."""
    by_day = {day: list(group) for day, group in groupby(meeting.sessions, key=lambda s: s.day)}
    return [(day, by_day.pop(day, [])) for day in meeting.days] + sorted(by_day.items())


def published_session(acronym, number):
    """One session of a published meeting, with its items; or None."""
    query = (
        select(Session)
        .join(Session.meeting)
        .where(
            Meeting.acronym == acronym,
            Meeting.status == PUBLISHED,
            Session.number == number,
        )
        .options(
            joinedload(Session.meeting),
            selectinload(Session.items).joinedload(AgendaItem.network),
        )
    )
    return db.session.scalars(query).first()
