"""The mails a registration sends: confirm your address, you registered already, and one
for each step of its life.

A step asks for its mail when it happens, but the mail waits for the step's commit: the
view commits, then calls ``send()``. A transaction that ends without a commit drops the
mails it asked for, so nobody is told of a step that did not happen. A mail server's
failure is logged; it never undoes the step.
"""

import logging

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from wenevents import mail
from wenevents.agenda.ics import meeting_calendar
from wenevents.extensions import db
from wenevents.languages import writing_in
from wenevents.registration.models import (
    APPROVED,
    DECLINED,
    ENDORSED,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    WITHDRAWN,
)
from wenevents.urls import public_url

log = logging.getLogger(__name__)

# The mails asked for in this session's transaction, and those whose step is committed.
_PENDING, _READY = "registration_mail_pending", "registration_mail_ready"


def send():
    """Send the mails of the steps committed so far (the view calls it after its commit)."""
    for write, *args in db.session.info.pop(_READY, []):
        write(*args)


@event.listens_for(Session, "after_commit")
def _committed(session):
    if pending := session.info.pop(_PENDING, None):
        session.info.setdefault(_READY, []).extend(pending)


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _ask(write, *args):
    db.session.info.setdefault(_PENDING, []).append((write, *args))


def confirm_address(registration, raw):
    """The link that confirms the address (``raw``: its token)."""
    _ask(_confirm_address, registration, raw)


def registered_already(registration, raw):
    """The address registered already: said to that address, not on the page. ``raw``:
    a new confirmation token while it is unconfirmed."""
    _ask(_registered_already, registration, raw)


def notify(registration, promoted=False):
    """Tell the person what happened to their registration (``promoted``: it got a seat
    from the waiting list); a status with no mail of its own sends none."""
    _ask(_notice, registration, promoted)


# Mails about the address go once the response has gone out: how long the answer took
# must not tell whether the address was known.


def _confirm_address(registration, raw):
    with writing_in(registration.language):
        _send_confirm_address(registration, raw)


def _send_confirm_address(registration, raw):
    mail.send(
        registration.email,
        _("Confirm your registration for %(meeting)s", meeting=registration.meeting.tr("title")),
        "registration_confirm",
        after_response=True,
        registration=registration,
        link=public_url("registration.confirm_link", token=raw),
    )


def _registered_already(registration, raw):
    with writing_in(registration.language):
        _send_registered_already(registration, raw)


def _send_registered_already(registration, raw):
    mail.send(
        registration.email,
        _("Your registration for %(meeting)s", meeting=registration.meeting.tr("title")),
        "registration_exists",
        after_response=True,
        registration=registration,
        link=(
            public_url("registration.confirm_link", token=raw)
            if registration.status == UNCONFIRMED
            else public_url("registration.mine", acronym=registration.meeting.acronym)
        ),
    )


def _subjects():
    return {
        SUBMITTED: _("Registration received: %(meeting)s"),
        ENDORSED: _("Your network endorsed your registration: %(meeting)s"),
        APPROVED: _("Registration approved: %(meeting)s"),
        REJECTED: _("Registration not accepted: %(meeting)s"),
        DECLINED: _("Your network did not endorse your registration: %(meeting)s"),
        WAITLISTED: _("On the waiting list: %(meeting)s"),
        WITHDRAWN: _("Registration withdrawn: %(meeting)s"),
        "promoted": _("A seat is yours: %(meeting)s"),
    }


def _notice(registration, promoted):
    with writing_in(registration.language):
        _send_notice(registration, promoted)


def _send_notice(registration, promoted):
    template = "promoted" if promoted else registration.status
    subjects = _subjects()
    if template not in subjects:
        return
    try:
        attachments = []
        if registration.status == APPROVED:
            calendar = meeting_calendar(registration.meeting)
            attachments.append(("meeting.ics", "text/calendar", calendar))
        mail.send(
            registration.email,
            subjects[template] % {"meeting": registration.meeting.tr("title")},
            f"registration_{template}",
            registration=registration,
            link=public_url("registration.mine", acronym=registration.meeting.acronym),
            attachments=attachments,
        )
    except Exception:  # the step stands; a mail that cannot be written must not undo it
        log.exception("notice %s to %s not sent", template, registration.email)
