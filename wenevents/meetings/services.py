"""Reads of meetings for the public pages."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, MeetingSeries
from wenevents.uploads.models import Document


def published_editions():
    """Every published edition, newest first, with its series."""
    query = (
        select(Meeting)
        .where(Meeting.status == PUBLISHED)
        .options(joinedload(Meeting.series))
        .order_by(Meeting.start_date.desc())
    )
    return db.session.scalars(query).all()


def published_meeting(acronym):
    """A published meeting with what its page shows, or None."""
    query = (
        select(Meeting)
        .where(Meeting.acronym == acronym, Meeting.status == PUBLISHED)
        .options(
            joinedload(Meeting.series),
            joinedload(Meeting.registration_settings),
            selectinload(Meeting.networks),
            selectinload(Meeting.documents).joinedload(Document.network),
        )
    )
    return db.session.scalars(query).first()


def series_neighbours(meeting):
    """The published editions of the meeting's series, oldest first, and the ones either side."""
    query = (
        select(Meeting)
        .where(Meeting.series_id == meeting.series_id, Meeting.status == PUBLISHED)
        .order_by(Meeting.number)
    )
    editions = db.session.scalars(query).all()
    earlier = [m for m in editions if m.number < meeting.number]
    later = [m for m in editions if m.number > meeting.number]
    return editions, (earlier[-1] if earlier else None), (later[0] if later else None)


def series_by_slug(slug):
    return db.session.scalars(select(MeetingSeries).where(MeetingSeries.slug == slug)).first()
