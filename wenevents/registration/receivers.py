"""What registration answers to the lower domains' questions (wenevents/signals.py)."""

from flask_babel import ngettext
from sqlalchemy import func, select

from wenevents.extensions import db
from wenevents.registration import rules
from wenevents.registration.models import Registration
from wenevents.registration.views import not_participant


def meeting_delete_blockers(meeting, **_kwargs):
    """A meeting someone registered for has been given something."""
    count = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.meeting_id == meeting.id)
    )
    if not count:
        return []
    return [ngettext("It has %(num)d registration.", "It has %(num)d registrations.", count)]


def network_delete_blockers(network, **_kwargs):
    """A network named by a registration stays for it."""
    count = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.network_id == network.id)
    )
    if not count:
        return []
    return [ngettext("%(num)d registration names it.", "%(num)d registrations name it.", count)]


def participant_asked(user, **_kwargs):
    """Whether ``user`` is a participant of any meeting: the one rule, rules.py's."""
    return rules.is_participant(user)


def participant_refused(what, title="", **_kwargs):
    """The page telling someone not yet a participant when it opens and where their
    registrations stand (a 403)."""
    return not_participant(what, title)
