"""Release notices: when a release is published, each person a change concerns gets one
mail, in their language, with only their changes and a calendar file of them.

Queued in the publishing transaction (wenevents.mail): the release and its notices are
stored together, or neither is. The rules of who is concerned are in concerned.py.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from wenevents import mail
from wenevents.agenda.ics import changes_calendar
from wenevents.agenda.models import AgendaItem, Session
from wenevents.agenda.releases import CANCELLED, sessions_of
from wenevents.audit.services import record
from wenevents.extensions import db
from wenevents.languages import writing_in
from wenevents.mymeeting.concerned import audience, summary
from wenevents.urls import public_url


def release_published(release, previous=None, notify=True, **_kwargs):
    """Queue the notices of ``release`` (receiver of signals.release_published)."""
    if previous is None:
        return
    meeting = release.meeting
    recipients = audience(meeting, release.changes, previous.snapshot, release.snapshot)
    people, roles = summary(recipients)
    if not notify:
        if people:
            record(
                "agenda.notices_held",
                f"{meeting.acronym}: release {release.number}, {people} people not mailed",
                target=meeting,
                release=release.number,
            )
        return
    entries = _entries(sessions_of(release))
    cancelled = _entries(sessions_of(previous))
    hidden = _still_in_draft(meeting, release.changes)
    for recipient in recipients.values():
        with writing_in(recipient.language):
            _send(meeting, release, recipient, entries, cancelled, hidden)
    if people:
        record(
            "agenda.notices_sent",
            f"{meeting.acronym}: release {release.number}, {people} people mailed",
            target=meeting,
            release=release.number,
            **{role: count for role, count in roles.items() if count},
        )


def _entries(sessions):
    """``{uid: session or item}`` of a release."""
    found = {}
    for session in sessions:
        found[session.uid] = session
        for item in session.items:
            found[item.uid] = item
    return found


def _still_in_draft(meeting, changes):
    """The uids of what a release dropped but the agenda still holds: a session closed,
    or a presentation moved into a closed session. It still takes place: the mail says it
    left the public agenda, never that it was cancelled, and says nothing of where it went."""
    gone = [c["uid"] for c in changes if c["action"] == CANCELLED]
    if not gone:
        return set()
    sessions = select(Session.uid).where(Session.meeting_id == meeting.id, Session.uid.in_(gone))
    items = (
        select(AgendaItem.uid)
        .join(AgendaItem.session)
        .where(Session.meeting_id == meeting.id, AgendaItem.uid.in_(gone))
    )
    return set(db.session.scalars(sessions.union(items)))


def _send(meeting, release, recipient, entries, old_entries, hidden):
    changed_sessions, changed_items, cancelled = [], [], []
    for change in recipient.changes:
        if change["uid"] in hidden:
            continue  # left out of the calendar file: neither changed nor cancelled
        if change["action"] == CANCELLED:
            cancelled.append(old_entries[change["uid"]])
        elif change["what"] == "session":
            changed_sessions.append(entries[change["uid"]])
        else:
            changed_items.append(entries[change["uid"]])
    calendar = changes_calendar(meeting, release, changed_sessions, changed_items, cancelled)
    mail.queue(
        recipient.email,
        _("%(meeting)s: the agenda changed", meeting=meeting.tr("title")),
        "release_notice",
        attachments=[("changes.ics", "text/calendar", calendar)],
        meeting=meeting,
        release=release,
        recipient=recipient,
        hidden=hidden,
        schedule=public_url("agenda.schedule", acronym=meeting.acronym),
        my_meeting=public_url("mymeeting.page", acronym=meeting.acronym),
        account=public_url("accounts.account"),
    )


def preview(meeting, changes=(), before=None, after=None, **_kwargs):
    """``(people, {role: count})`` (receiver of signals.release_audience)."""
    return summary(audience(meeting, changes, before, after))
