"""What registration answers to the lower domains' questions (wenevents/signals.py)."""

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import func, select

from wenevents.extensions import db
from wenevents.registration import rules
from wenevents.registration.models import Question, Registration
from wenevents.registration.views import not_participant
from wenevents.signals import Untranslated


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


def untranslated_content(_sender, meetings=(), **_kwargs):
    """The questions of the registration form, in their order, in one query; each links to
    its form on the registration settings page."""
    acronyms = {meeting.id: meeting.acronym for meeting in meetings}
    questions = db.session.scalars(
        select(Question)
        .where(Question.meeting_id.in_(acronyms))
        .order_by(Question.meeting_id, Question.position, Question.id)
    ).all()
    entries = []
    for question in questions:
        if missing := Untranslated.missing_in(question):
            url = url_for(
                "registration_settings.edit_question",
                acronym=acronyms[question.meeting_id],
                question_id=question.id,
                _anchor=f"question-{question.id}",
            )
            entries.append(
                Untranslated(question.meeting_id, "question", question.label, "", missing, url)
            )
    return entries
