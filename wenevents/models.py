"""Every domain's models, imported together so relationships and migrations see them all."""

from wenevents.accounts.models import LoginSession, Token, User, user_networks
from wenevents.agenda.models import AgendaItem, Release, Session
from wenevents.audit.models import AuditEntry
from wenevents.letters.models import Letter, LetterRequest, LetterText
from wenevents.mail.models import MailAttempt, OutgoingMail
from wenevents.meetings.models import Meeting, MeetingSeries, meeting_networks
from wenevents.mymeeting.models import CalendarFeed, Follow
from wenevents.networks.models import FocalPoint, Network, focal_point_networks
from wenevents.pagecache import PublicVersion
from wenevents.registration.models import (
    CheckinHelper,
    Question,
    Registration,
    RegistrationEvent,
    RegistrationSettings,
    RegistrationTally,
)
from wenevents.uploads.models import Document, DocumentVersion

__all__ = [
    "AgendaItem",
    "AuditEntry",
    "CalendarFeed",
    "CheckinHelper",
    "Document",
    "DocumentVersion",
    "FocalPoint",
    "Follow",
    "Letter",
    "LetterRequest",
    "LetterText",
    "LoginSession",
    "MailAttempt",
    "Meeting",
    "MeetingSeries",
    "Network",
    "OutgoingMail",
    "PublicVersion",
    "Question",
    "Registration",
    "RegistrationEvent",
    "RegistrationSettings",
    "RegistrationTally",
    "Release",
    "Session",
    "Token",
    "User",
    "focal_point_networks",
    "meeting_networks",
    "user_networks",
]
