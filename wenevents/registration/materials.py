"""What a delegate may do with the meeting's materials: upload their network's slides.

Who may upload is the uploads' rule, and uploads sits above registration: it is asked
through ``signals.delegate_upload_network`` (wenevents/signals.py), never imported.
"""

from dataclasses import dataclass

from sqlalchemy import select

from wenevents import signals
from wenevents.agenda.models import PRESENTATION, AgendaItem, Session
from wenevents.extensions import db
from wenevents.registration.workflow import CLOSED


@dataclass
class Slides:
    """Where a delegate stands for uploading their network's slides."""

    may: bool  # now, by the uploads' own rule (asked through the signal)
    deadline: object  # the meeting's materials deadline (naive UTC), or None


def slides_for(registration, user):
    """Slides to upload for ``registration``'s network in its meeting (a presentation of that
    network on the agenda), or None; ``may`` says whether ``user`` may upload them now."""
    if registration is None or registration.network_id is None:
        return None
    presents = db.session.scalar(
        select(AgendaItem.id)
        .join(Session, AgendaItem.session_id == Session.id)
        .where(
            Session.meeting_id == registration.meeting_id,
            AgendaItem.network_id == registration.network_id,
            AgendaItem.kind == PRESENTATION,
        )
        .limit(1)
    )
    if presents is None:
        return None
    meeting = registration.meeting
    networks = signals.answers(signals.delegate_upload_network, meeting, user=user)
    may = registration.network_id in networks and registration.status not in CLOSED
    return Slides(may=may, deadline=meeting.materials_deadline)
