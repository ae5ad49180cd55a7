"""Accounts: sign-in sessions, password resets, roles (invitations: invitations.py). Every
change is audited.

Functions here change objects and never commit: the view commits once, after them
(``sign_in``, a view's helper, and the work done outside any view say why they do).
"""

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context, request, session
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from wenevents import languages, mail
from wenevents.accounts import passwords
from wenevents.accounts.models import FOCAL_POINT, RESET, LoginSession, Token, User
from wenevents.audit import services as audit
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.text import MAX_EMAIL
from wenevents.urls import public_url

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
    """The one form of an address that is stored and looked up, so one mailbox is one key.

    email-validator normalises as the standards say: the domain through IDNA (UTS #46:
    ``xn--bcher-kva.example``, ``Bücher.Example`` and ``ｂüｃｈｅｒ.example`` are one
    domain, kept in its Unicode form), the local part to NFC (``e`` + U+0301 is ``é``).
    Two steps are ours, applied to the whole address: NFKC, so a full-width local part
    (``ａｎａ``) is the ASCII one it imitates, as in the domain; and lower case, because
    the site has always matched addresses without regard to case (no mail server in use
    tells ``Ana`` from ``ana``). ``lower`` rather than ``casefold``: ``ß`` stays ``ß``.

    An address email-validator refuses (forms refuse it before this) is only stripped and
    lower-cased, so a lookup with it finds nothing rather than failing.
    """
    text = (email or "").strip()
    if len(text) > MAX_EMAIL:
        # No account has it; and email-validator's time grows with the square of its input.
        return text.lower()
    try:
        text = validate_email(text, check_deliverability=False).normalized
        # NFKC only where the result is still an address (U+FE6B SMALL COMMERCIAL AT
        # would become a second "@").
        folded = unicodedata.normalize("NFKC", text)
        text = validate_email(folded, check_deliverability=False).normalized
    except EmailNotValidError:
        pass
    return text.lower()


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
    no fixation), a new login session on the server, and Flask-Login told.

    Commits (with whatever the view did before): the cookie it sets names a login session
    that must be stored when the browser next sends it.
    """
    session.clear()
    start_session(user)
    login_user(user)
    db.session.commit()


def user_for_session(token):
    """The user of a live login session, or None if it ended, went idle or is too old.

    Flask-Login's loader, run before any view: it commits its own small writes (the end
    of an idle session, the time last seen) so no view's transaction carries them.
    """
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
    """Check the current password, set the new one, and end every session of the user.

    A wrong current password is audited: someone at an unattended session may be guessing.
    """
    if not passwords.verify(user.password_hash, current):
        audit.record(
            "password.change_failure", _("Wrong current password"), target=user, actor=user
        )
        raise AccountError(_("This is not your current password."), field="current")
    _set_password(user, new, "password.change", _("Changed own password"))


def choose_first_password(user, new):
    """The first password of an account that has none (a delegate confirming their
    address); an account that has one changes it only knowing it, or by a reset link.

    One conditional UPDATE: of two requests at once (a double click), one sets it and the
    other is refused, never both. Does not commit (signing in, next, does).
    """
    problem = passwords.problem(new, user.email, user.name)
    if problem:
        raise AccountError(problem)
    user_id, hashed = user.id, passwords.hash_password(new)
    # End any read first: on SQLite a write that upgrades an older read fails at once when
    # another connection wrote meanwhile; a write that starts its transaction waits.
    db.session.commit()
    chosen = db.session.execute(
        update(User)
        .where(User.id == user_id, User.password_hash == "")
        .values(password_hash=hashed)
    )
    if chosen.rowcount != 1:
        raise AccountError(_("This account has a password already."))
    db.session.expire(user, ["password_hash"])
    end_all_sessions(user)
    audit.record(
        "password.choose", _("Chose a password on confirming the address"), target=user, actor=user
    )


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


# Tokens sent by email -----------------------------------------------------------------


def new_token(purpose, email, lifetime, **values):
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


def request_reset(email):
    """Mail a reset link if an active account has this address; say nothing either way.

    The request itself only schedules the work: looking the address up, the token, the
    audit entry and the mail all run after the response, for a known and an unknown
    address alike, so how long the answer takes cannot tell them apart.
    """
    mail.after_response(_send_reset, normalise_email(email)[:320], _ip(), languages.current())


def _send_reset(email, ip, language):
    """``language``: the page's the request came from, for an account that chose none."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    with languages.writing_in(user.language or language):
        _write_reset(user, ip)


def _write_reset(user, ip):
    hours = current_app.config["RESET_HOURS"]
    _token, raw = new_token(RESET, user.email, timedelta(hours=hours), user=user)
    audit.record("password.reset_requested", user.email, target=user, actor=None, ip=ip)
    mail.queue(
        user.email,
        _("Reset your wenevents password"),
        "password_reset",
        link=public_url("accounts.reset_password", token=raw),
        hours=hours,
        has_password=bool(user.password_hash),
    )
    # Work after the response, as a command is: it commits the token and its mail together.
    db.session.commit()


def reset_password(token, new):
    """Set a new password from a reset link; every session of the account ends."""
    user = token.user
    _set_password(user, new, "password.reset", _("Reset password by email link"))
    token.used_at = utcnow()
    return user


def _ip():
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def set_change_notices(user, wanted):
    """Receive (True) or not the mail of agenda changes that concern ``user``; audited
    when it changes. Not committed."""
    if user.change_notices != wanted:
        user.change_notices = wanted
        audit.record("account.change_notices", "on" if wanted else "off", target=user, actor=user)
