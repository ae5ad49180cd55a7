"""What meetings answer to the lower domains' questions (wenevents/signals.py)."""

from flask_babel import gettext as _
from sqlalchemy import select

from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, MeetingSeries, meeting_networks


def network_delete_blockers(network, **_kwargs):
    """A network that took part in a meeting is part of its history."""
    meetings = db.session.scalars(
        select(Meeting.acronym)
        .join(meeting_networks)
        .where(meeting_networks.c.network_id == network.id)
        .order_by(Meeting.start_date)
    ).all()
    if meetings:
        return [_("It took part in %(meetings)s.", meetings=", ".join(meetings))]
    return []


def network_history(network, **_kwargs):
    """The published meetings the network took part in, newest first."""
    meetings = db.session.scalars(
        select(Meeting)
        .join(meeting_networks)
        .where(meeting_networks.c.network_id == network.id, Meeting.status == PUBLISHED)
        .order_by(Meeting.start_date.desc())
    ).all()
    return {"meetings": meetings}


def site_name(_sender, **_kwargs):
    """The meeting series (the first, if there are several), or None before any exists."""
    return db.session.scalar(select(MeetingSeries.name).order_by(MeetingSeries.id).limit(1))
