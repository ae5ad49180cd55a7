"""A person's own data: everything held about them, to download; and closing their account.

**The copy** (``export``) holds their account, their sign-ins, the audit log's entries about
their account (what and when: the summaries and addresses may name others), the mail sent
to them (to whom, subject, status, when: not the bodies, which carry single-use links), and
what the higher domains hold (``signals.personal_data``: registrations, uploads). Never a
password hash, a token or anyone else's data.

**Closing** (``close_account``) deletes the account: its sign-in sessions (so every browser
is signed out), its emailed links and the mail to its address go with it. The higher
domains act first (``signals.account_closing``): registrations are removed as the daily
removal does, keeping their anonymous counts; files uploaded for a network stay, marked as
sent by an account since removed. The audit log keeps its entries, the closure's among
them (with the address that closed it): it is the organisers' security record. Refused
(``close_blockers``) while it would leave the site without an organiser, or while the
higher domains say why not (a seat to withdraw first).
"""

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from wenevents import signals
from wenevents.accounts import passwords
from wenevents.accounts.models import ORGANISER, LoginSession, Token, User
from wenevents.accounts.services import AccountError
from wenevents.audit import services as audit
from wenevents.audit.models import AuditEntry
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.mail.models import FAILED, QUEUED, SENT, OutgoingMail

# Mail the closure deletes; one being sent right now is left to the worker.
MAIL_DELETED = (QUEUED, SENT, FAILED)


def export(user):
    """Everything held about ``user``, as plain values (JSON can write them); audited."""
    data = {
        "exported_at": _plain(utcnow()),
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "networks": [network.acronym for network in user.networks],
            "language": user.language,
            "has_password": bool(user.password_hash),
            "disabled": user.is_disabled,
            "created_at": _plain(user.created_at),
            "last_login_at": _plain(user.last_login_at),
        },
        "sign_ins": _sign_ins(user),
    }
    for sections in signals.answers(signals.personal_data, user):
        data.update(sections or {})
    data["audit_log"] = _audit_entries(user)
    data["mail"] = _mail(user)
    audit.record("account.export", _("Downloaded own data"), target=user, actor=user)
    return data


def _sign_ins(user):
    sessions = db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
    )
    return [
        {
            "started_at": _plain(s.created_at),
            "last_seen_at": _plain(s.last_seen_at),
            "ended_at": _plain(s.ended_at),
            "ip": s.ip,
        }
        for s in sessions
    ]


def _audit_entries(user):
    """The entries about their account (it was the target) or by it: action and time only."""
    rows = db.session.execute(
        select(AuditEntry.action, AuditEntry.at)
        .where(
            or_(
                AuditEntry.actor_id == user.id,
                (AuditEntry.target_type == "user") & (AuditEntry.target_id == str(user.id)),
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [{"action": action, "at": _plain(at)} for action, at in rows]


def _mail(user):
    rows = db.session.execute(
        select(
            OutgoingMail.recipient,
            OutgoingMail.subject,
            OutgoingMail.status,
            OutgoingMail.created_at,
            OutgoingMail.sent_at,
        )
        .where(func.lower(OutgoingMail.recipient) == user.email)
        .order_by(OutgoingMail.created_at, OutgoingMail.id)
    )
    return [
        {
            "recipient": recipient,
            "subject": subject,
            "status": status,
            "queued_at": _plain(created_at),
            "sent_at": _plain(sent_at),
        }
        for recipient, subject, status, created_at, sent_at in rows
    ]


def _plain(value):
    """A stored time (UTC) as ISO 8601 with ``Z``; None stays None."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


# Closing ----------------------------------------------------------------------------------


def close_blockers(user):
    """Why ``user`` may not close their account now (empty: they may)."""
    reasons = []
    if user.is_organiser:
        others = db.session.scalar(
            select(func.count(User.id)).where(
                User.role == ORGANISER, User.id != user.id, User.is_disabled.is_(False)
            )
        )
        if not others:
            reasons.append(
                _(
                    "You are the only organiser: nobody could manage the meetings, users or "
                    "audit log after you. Invite another organiser first."
                )
            )
    for more in signals.answers(signals.account_close_blockers, user):
        reasons.extend(more)
    return reasons


def close_account(user, password):
    """Check the password, then delete the account (see the module's note); audited.
    ``AccountError`` when the password is wrong (audited too) or something stands in the
    way. Does not commit."""
    if not user.password_hash or not passwords.verify(user.password_hash, password):
        audit.record("account.close_failure", _("Wrong password"), target=user, actor=user)
        raise AccountError(_("This is not your password."), field="password")
    reasons = close_blockers(user)
    if reasons:
        raise AccountError(" ".join(reasons))
    removed = {}
    for counts in signals.answers(signals.account_closing, user):
        removed.update(counts or {})
    deleted = db.session.execute(
        delete(OutgoingMail.__table__).where(
            func.lower(OutgoingMail.__table__.c.recipient) == user.email,
            OutgoingMail.__table__.c.status.in_(MAIL_DELETED),
        )
    ).rowcount
    removed["mails"] = removed.get("mails", 0) + deleted
    entry = audit.record(
        "account.close", _("Closed own account"), target=user, actor=user, role=user.role,
        **removed,
    )  # fmt: skip
    # The account goes; the entry keeps the address that closed it (actor_email).
    entry.actor = None
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(
        delete(Token).where(or_(Token.user_id == user.id, Token.email == user.email))
    )
    db.session.delete(user)
    db.session.flush()
    return removed
