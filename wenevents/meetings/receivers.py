"""What meetings answer to the lower domains' questions (wenevents/signals.py)."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, MeetingSeries, meeting_networks
from wenevents.signals import Untranslated


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


def untranslated_content(_sender, meetings=(), **_kwargs):
    """Each meeting's series, the meeting itself and its networks (a series or a network is
    listed with every meeting it belongs to), in two queries however many there are."""
    ids = [meeting.id for meeting in meetings]
    loaded = db.session.scalars(
        select(Meeting)
        .where(Meeting.id.in_(ids))
        .options(joinedload(Meeting.series), selectinload(Meeting.networks))
    ).all()
    by_id = {meeting.id: meeting for meeting in loaded}
    entries = []
    for meeting in (by_id[i] for i in ids if i in by_id):
        series = meeting.series
        if missing := Untranslated.missing_in(series):
            entries.append(
                Untranslated(
                    meeting.id,
                    "series",
                    series.name,
                    "",
                    missing,
                    "meetings_manage.edit_series",
                    {"series_id": series.id},
                )
            )
        if missing := Untranslated.missing_in(meeting):
            entries.append(
                Untranslated(
                    meeting.id,
                    "meeting",
                    meeting.title,
                    meeting.acronym,
                    missing,
                    "meetings_manage.edit",
                    {"acronym": meeting.acronym},
                )
            )
        for network in meeting.networks:
            if missing := Untranslated.missing_in(network):
                entries.append(
                    Untranslated(
                        meeting.id,
                        "network",
                        network.name,
                        network.acronym,
                        missing,
                        "networks_manage.edit",
                        {"network_id": network.id},
                    )
                )
    return entries
