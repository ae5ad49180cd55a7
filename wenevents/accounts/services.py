"""Accounts: sign-in sessions, invitations, password resets, roles. Every change is audited."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from wenevents import mail
from wenevents.accounts import passwords
from wenevents.accounts.models import (
    FOCAL_POINT,
    INVITE,
    RESET,
    LoginSession,
    Token,
    User,
    utcnow,
)
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.networks.models import Network

USERS_PER_PAGE = 50
# Writing last_seen_at on every request would turn each page view into a write.
TOUCH_EVERY = timedelta(minutes=1)


class AccountError(ValueError):
    """A change refused for a reason the person can act on; the message says which.

    ``field`` names the form field the message belongs at, where there is one.
    """

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def normalise_email(email):
    return (email or "").strip().lower()


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(email):
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


# Sign-in sessions -------------------------------------------------------------------


def authenticate(email, password):
    """The active user with this email and password, or None (and an audit entry)."""
    user = find_user(email)
    if passwords.verify(user.password_hash if user else "", password) and user.is_active:
        return user
    audit.record(
        "login.failure",
        _("Failed sign-in for %(email)s", email=normalise_email(email)[:320]),
        target=user,
        actor=None,
    )
    return None


def start_session(user):
    """Record a new sign-in for ``user``; its token goes into the (signed) cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user=user, token_hash=_digest(token), ip=_ip()))
    user.last_login_at = utcnow()
    user.session_token = token
    audit.record("login.success", _("Signed in"), target=user, actor=user)
    return token


def sign_in(user):
    """Sign ``user`` in on this browser: a fresh cookie session (nothing carried over, so
    no fixation), a new login session on the server, and Flask-Login told."""
    session.clear()
    start_session(user)
    login_user(user)
    db.session.commit()


def user_for_session(token):
    """The user of a live login session, or None if it ended, went idle or is too old."""
    if not token:
        return None
    login = db.session.scalar(
        select(LoginSession)
        .where(LoginSession.token_hash == _digest(token), LoginSession.ended_at.is_(None))
        .options(joinedload(LoginSession.user))
    )
    if login is None or not login.user.is_active:
        return None
    now = utcnow()
    config = current_app.config
    idle = timedelta(minutes=config["IDLE_TIMEOUT_MINUTES"])
    if now - login.last_seen_at > idle or now - login.created_at > timedelta(
        hours=config["SESSION_MAX_HOURS"]
    ):
        login.ended_at = now
        db.session.commit()
        return None
    if now - login.last_seen_at > TOUCH_EVERY:
        login.last_seen_at = now
        db.session.commit()
    login.user.session_token = token
    return login.user


def end_session(user):
    """Sign out this session of ``user`` (the one whose cookie made the request)."""
    if user.session_token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _digest(user.session_token))
            .values(ended_at=utcnow())
        )
    audit.record("logout", _("Signed out"), target=user, actor=user)


def end_all_sessions(user):
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


# Users --------------------------------------------------------------------------------


def create_user(email, role, password, name="", networks=(), by=None):
    """A new user; refuses a taken address or a weak password with AccountError."""
    email = normalise_email(email)
    if find_user(email):
        raise AccountError(_("An account with this email address exists already."))
    problem = passwords.problem(password, email, name)
    if problem:
        raise AccountError(problem)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=passwords.hash_password(password),
        networks=list(networks) if role == FOCAL_POINT else [],
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        _("Created %(email)s as %(role)s", email=email, role=role),
        target=user,
        actor=by,
        role=role,
    )
    return user


def change_password(user, current, new):
    """Check the current password, set the new one, and end every session of the user."""
    if not passwords.verify(user.password_hash, current):
        raise AccountError(_("This is not your current password."), field="current")
    _set_password(user, new, "password.change", _("Changed own password"))


def _set_password(user, new, action, summary):
    problem = passwords.problem(new, user.email, user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(new)
    end_all_sessions(user)
    audit.record(action, summary, target=user, actor=user)


def update_user(user, role, networks, by):
    """Change a user's role and networks (focal points only keep networks)."""
    networks = list(networks) if role == FOCAL_POINT else []
    before = (user.role, sorted(n.acronym for n in user.networks))
    after = (role, sorted(n.acronym for n in networks))
    if before == after:
        return False
    user.role, user.networks = role, networks
    audit.record(
        "user.role_change",
        _(
            "%(email)s: %(before)s → %(after)s",
            email=user.email,
            before=_describe(*before),
            after=_describe(*after),
        ),
        target=user,
        actor=by,
        role=role,
        networks=after[1],
    )
    return True


def _describe(role, acronyms):
    return f"{role} ({', '.join(acronyms)})" if acronyms else role


def set_disabled(user, disabled, by):
    """Disable (and sign out at once) or enable an account. Nobody disables themselves."""
    if user.id == by.id:
        raise AccountError(_("You cannot disable your own account."), field="user")
    user.is_disabled = disabled
    if disabled:
        end_all_sessions(user)
    action = "user.disable" if disabled else "user.enable"
    audit.record(action, user.email, target=user, actor=by)


def search_users(text="", page=1):
    """A page of users whose email or name contains ``text``, and how many match."""
    query = select(User)
    text = text.strip()[:100]
    if text:
        query = query.where(
            or_(
                User.email.contains(text.lower(), autoescape=True),
                User.name.ilike(f"%{_escape_like(text)}%", escape="\\"),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    users = db.session.scalars(
        query.options(selectinload(User.networks))
        .order_by(User.email)
        .limit(USERS_PER_PAGE)
        .offset((page - 1) * USERS_PER_PAGE)
    ).all()
    return users, total


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")


def networks_by_ids(ids):
    if not ids:
        return []
    return db.session.scalars(select(Network).where(Network.id.in_(ids))).all()


# Tokens sent by email -----------------------------------------------------------------


def _new_token(purpose, email, lifetime, **values):
    raw = secrets.token_urlsafe(32)
    token = Token(
        purpose=purpose,
        token_hash=_digest(raw),
        email=email,
        expires_at=utcnow() + lifetime,
        **values,
    )
    db.session.add(token)
    return token, raw


def usable_token(purpose, raw):
    """The unused, unexpired token of this purpose matching ``raw``, or None."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(
        select(Token).where(Token.token_hash == _digest(raw), Token.purpose == purpose)
    )
    return token if token and token.is_usable else None


def invite(email, role, networks, by):
    """Email a single-use link, bound to ``email``, that lets its owner set a password."""
    email = normalise_email(email)
    if find_user(email):
        raise AccountError(_("An account with this email address exists already."))
    days = current_app.config["INVITATION_DAYS"]
    networks = list(networks) if role == FOCAL_POINT else []
    token, raw = _new_token(
        INVITE,
        email,
        timedelta(days=days),
        role=role,
        network_ids=[n.id for n in networks],
        created_by=by,
    )
    audit.record(
        "user.invite",
        _("Invited %(email)s as %(role)s", email=email, role=role),
        actor=by,
        role=role,
        networks=[n.acronym for n in networks],
        commit=False,
    )
    db.session.commit()
    mail.send(
        email,
        _("You are invited to wenevents"),
        "invitation",
        link=url_for("accounts.invitation", token=raw, _external=True),
        inviter=by.display_name,
        role=role,
        networks=networks,
        days=days,
    )
    return token


def pending_invitations():
    return db.session.scalars(
        select(Token)
        .where(Token.purpose == INVITE, Token.used_at.is_(None), Token.expires_at > utcnow())
        .order_by(Token.created_at.desc())
    ).all()


def accept_invitation(token, name, password):
    """Create the invited account with the chosen password; the token is then spent."""
    user = create_user(
        token.email,
        token.role,
        password,
        name=name,
        networks=networks_by_ids(token.network_ids),
        by=token.created_by,
    )
    token.used_at = utcnow()
    token.user = user
    audit.record("user.invitation_accepted", token.email, target=user, actor=user, commit=False)
    return user


def request_reset(email):
    """Email a reset link if an active account has this address; say nothing either way."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    hours = current_app.config["RESET_HOURS"]
    _token, raw = _new_token(RESET, user.email, timedelta(hours=hours), user=user)
    audit.record("password.reset_requested", user.email, target=user, actor=None, commit=False)
    db.session.commit()
    mail.send(
        user.email,
        _("Reset your wenevents password"),
        "password_reset",
        after_response=True,
        link=url_for("accounts.reset_password", token=raw, _external=True),
        hours=hours,
    )


def reset_password(token, new):
    """Set a new password from a reset link; every session of the account ends."""
    user = token.user
    _set_password(user, new, "password.reset", _("Reset password by email link"))
    token.used_at = utcnow()
    db.session.commit()
    return user


def _ip():
    return (request.remote_addr or "")[:64]
