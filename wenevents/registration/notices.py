"""The mails a registration sends: confirm your address, you registered already, and one
for each step of its life.

A step queues its mail when it happens (wenevents.mail): the view's commit stores the
step and its mail together, and a transaction that ends without a commit drops both, so
nobody is told of a step that did not happen. A mail that cannot be written is logged;
it never undoes the step.
"""

import logging

from flask_babel import gettext as _

from wenevents import mail
from wenevents.agenda.ics import meeting_calendar
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


def confirm_address(registration, raw):
    """The link that confirms the address (``raw``: its token)."""
    with writing_in(registration.language):
        _send_confirm_address(registration, raw)


def registered_already(registration, raw):
    """The address registered already: said to that address, not on the page. ``raw``:
    a new confirmation token while it is unconfirmed."""
    with writing_in(registration.language):
        _send_registered_already(registration, raw)


def notify(registration, promoted=False):
    """Tell the person what happened to their registration (``promoted``: it got a seat
    from the waiting list); a status with no mail of its own sends none."""
    with writing_in(registration.language):
        _send_notice(registration, promoted)


# Mails about the address: both answers queue one, so how long the answer took does not
# tell whether the address was known.


def _send_confirm_address(registration, raw):
    mail.queue(
        registration.email,
        _("Confirm your registration for %(meeting)s", meeting=registration.meeting.tr("title")),
        "registration_confirm",
        registration=registration,
        link=public_url("registration.confirm_link", token=raw),
    )


def _send_registered_already(registration, raw):
    mail.queue(
        registration.email,
        _("Your registration for %(meeting)s", meeting=registration.meeting.tr("title")),
        "registration_exists",
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
        mail.queue(
            registration.email,
            subjects[template] % {"meeting": registration.meeting.tr("title")},
            f"registration_{template}",
            registration=registration,
            link=public_url("registration.mine", acronym=registration.meeting.acronym),
            attachments=attachments,
        )
    except Exception:  # the step stands; a mail that cannot be written must not undo it
        log.exception("notice %s to %s not sent", template, registration.email)
