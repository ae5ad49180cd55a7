"""Registering and confirming the address: the first steps of a registration.

As everywhere in the app, these flush and never commit: the view commits once, and the
mails go after that (notices.py). Whatever decides on a seat happens under the meeting's
lock (``locks.lock_meeting``), so the same link pressed twice at once confirms once.
"""

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wenevents.accounts import passwords
from wenevents.accounts import services as accounts
from wenevents.accounts.models import DELEGATE, User
from wenevents.accounts.services import normalise_email
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.locks import lock_meeting
from wenevents.registration import notices, queries, questions, seats
from wenevents.registration.models import (
    ADDRESS_CONFIRMED,
    DETAIL_FIELDS,
    REGISTERED_AGAIN,
    UNCONFIRMED,
    WITHDRAWN,
    Registration,
    RegistrationSettings,
)
from wenevents.registration.workflow import RegistrationError


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(registration):
    """A new confirmation link for ``registration``; returns its token (only its digest
    is stored)."""
    raw = secrets.token_urlsafe(32)
    registration.confirm_token_hash = _digest(raw)
    return raw


def register(meeting, values, signed_in=None):
    """Record a registration. Returns ``(registration, created)``.

    The same email registering again (even at the same moment) gets the existing one
    back, never a second, and no file of theirs is stored; one who withdrew registers
    again on the same row. Files are stored only once the row is in: a refused insert
    leaves none (and a transaction not committed removes them, see questions.py). Someone
    signed in with the same address is confirmed at once; anyone else confirms by the
    emailed link.
    """
    email = normalise_email(values["email"])
    answers = values.get("answers", {})
    registration = Registration(
        meeting_id=meeting.id,
        email=email,
        answers=questions.keep_unsent(answers, None),
        **{k: values[k] for k in DETAIL_FIELDS},
    )
    raw = _new_token(registration)
    registration.move(UNCONFIRMED, signed_in)
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:
        # Registered already (perhaps this very moment). Nothing else of this request is
        # in the transaction: start it again, for the existing row.
        db.session.rollback()
        existing = queries.find(meeting, email)
        if existing.status == WITHDRAWN:
            return _register_again(existing, values, signed_in)
        _mail_again(existing)
        return existing, False
    questions.set_answers(registration, questions.store_sent_files(answers), replace=True)
    db.session.flush()
    if signed_in is not None and signed_in.email == email:
        return confirm(registration, signed_in), True
    notices.confirm_address(registration, raw)
    return registration, True


def _register_again(registration, values, signed_in):
    """Someone who withdrew registers again: the same row, with the new details and
    answers (files sent before go with the answers they belonged to).

    Under the meeting's lock, so two such requests at once renew it once: the second finds
    it renewed and is answered as a repeat registration.
    """
    lock_meeting(registration.meeting_id)
    registration = db.session.get(Registration, registration.id, populate_existing=True)
    if registration.status != WITHDRAWN:
        _mail_again(registration)
        return registration, False
    for field in DETAIL_FIELDS:
        setattr(registration, field, values[field])
    registration.endorsed_at = registration.confirmed_at = registration.waitlisted_at = None
    registration.reason = ""
    raw = _new_token(registration)
    registration.move(UNCONFIRMED, signed_in, REGISTERED_AGAIN)
    # The answers given now replace the old ones, files too.
    stored = questions.store_sent_files(values.get("answers", {}))
    questions.set_answers(registration, stored, replace=True)
    db.session.flush()
    if signed_in is not None and signed_in.email == registration.email:
        return confirm(registration, signed_in), True
    notices.confirm_address(registration, raw)
    return registration, True


def _mail_again(registration):
    """The address registered already: say so to that address, not on the page; while it
    is unconfirmed, with a new link."""
    raw = secrets.token_urlsafe(32)
    if registration.status == UNCONFIRMED:
        # A plain UPDATE, not a versioned flush: several of these may run at once, and
        # the newest link is the one that works.
        db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id)
            .values(confirm_token_hash=_digest(raw))
        )
    notices.registered_already(registration, raw)


def by_confirm_token(raw):
    if not raw or len(raw) > 100:
        return None
    return db.session.scalar(
        select(Registration).where(
            Registration.confirm_token_hash == _digest(raw), Registration.status == UNCONFIRMED
        )
    )


def confirm(registration, user=None):
    """The address is confirmed: link the account (or make one), then a seat or the list.

    Everything that changes the registration happens under the meeting's lock, so the
    same link pressed twice at once confirms once (the second finds it confirmed).
    """
    if registration.status != UNCONFIRMED:
        return registration
    lock_meeting(registration.meeting_id)
    registration = db.session.get(Registration, registration.id, populate_existing=True)
    if registration.status != UNCONFIRMED:  # confirmed (or withdrawn) meanwhile
        return registration
    settings = db.session.get(RegistrationSettings, registration.meeting_id)
    user = user or _account_for(registration)
    registration.user = user
    registration.confirmed_at = utcnow()
    registration.confirm_token_hash = None
    status = seats.seat_or_waitlist(registration, settings)
    registration.move(status, user, ADDRESS_CONFIRMED)
    db.session.flush()
    notices.notify(registration)
    return registration


def account_of(registration):
    """The account with the registration's address, or None."""
    return db.session.scalar(select(User).where(User.email == registration.email))


def _account_for(registration):
    """The account with the registration's address, made as a delegate's if there is none
    (lock held)."""
    user = account_of(registration)
    if user is None:
        try:
            with db.session.begin_nested():
                user = User(email=registration.email, name=registration.name, role=DELEGATE)
                db.session.add(user)
        except IntegrityError:  # made meanwhile, for a registration of another meeting
            user = account_of(registration)
    return user


def signs_in_by_link(user):
    """Whether confirming an address by its emailed link may sign its account in.

    A link is no password: only a new account (``None``) or an active delegate's that has
    no password may, and only with the password chosen on the confirm page. An account
    with a password, or with any role above delegate, is confirmed and must sign in.
    """
    return user is None or (user.role == DELEGATE and not user.password_hash and user.is_active)


def confirm_by_link(registration, password=None):
    """Confirm from the emailed link, with the password the account is to have (if it
    ``signs_in_by_link``). A refused password raises RegistrationError before anything
    is confirmed."""
    if password is not None:
        problem = passwords.problem(password, registration.email, registration.name)
        if problem:
            raise RegistrationError(problem)
    return confirm(registration)


def choose_password(registration, password):
    """After confirming by link (committed: hashing is slow, and needs no lock): the
    account to sign in, one that ``signs_in_by_link`` and now has ``password``, or None."""
    user = registration.user
    # Checked again now, not as the page showed it: the account may have changed since.
    if user is None or password is None or not signs_in_by_link(user):
        return None
    try:
        accounts.choose_first_password(user, password)
    except accounts.AccountError:  # set meanwhile (the same button pressed twice at once)
        return None
    return user
