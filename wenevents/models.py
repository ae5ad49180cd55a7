"""Every domain's models, imported together so relationships and migrations see them all."""

from wenevents.agenda.models import AgendaItem, Session
from wenevents.meetings.models import Meeting, MeetingSeries, meeting_networks
from wenevents.networks.models import FocalPoint, Network, focal_point_networks
from wenevents.uploads.models import Document

__all__ = [
    "AgendaItem",
    "Document",
    "FocalPoint",
    "Meeting",
    "MeetingSeries",
    "Network",
    "Session",
    "focal_point_networks",
    "meeting_networks",
]
