"""Invitations: an organiser invites someone by address, with a role (and a focal
point's networks); the emailed single-use link lets them choose a password.

Networks and meeting series sit above accounts: the networks to choose from and the name
the mail gives the site come from them by signal (wenevents/signals.py).
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from wenevents import mail, signals
from wenevents.accounts.models import FOCAL_POINT, INVITE, Token, User
from wenevents.accounts.services import (
    AccountError,
    create_user,
    find_user,
    new_token,
    normalise_email,
)
from wenevents.audit import services as audit
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.urls import public_url


def networks_on_offer():
    """The networks an account may be given (the active ones), by acronym."""
    return signals.first_answer(signals.account_networks, None, default=[])


def networks_by_ids(ids):
    """The networks with these ids (archived ones too)."""
    if not ids:
        return []
    return signals.first_answer(signals.account_networks, None, ids=list(ids), default=[])


def series_name():
    """What invitations name the site by: its meeting series (the first, if there are
    several; meetings answer), or the series' usual name before any exists."""
    name = signals.first_answer(signals.site_name, None)
    return name or _("Global Meeting of Wildlife Enforcement Networks")


@dataclass
class Invitation:
    """An invitation made, its mail queued (both stored by the view's commit)."""

    token: Token
    link_token: str
    networks: list
    by: User


def invite(email, role, networks, by):
    """A single-use link, bound to ``email``, that lets its owner set a password, and its
    mail queued: an ``Invitation``. The view's commit stores both, so the mail never goes
    out for a link that was not stored, nor the link without its mail."""
    email = normalise_email(email)
    if find_user(email):
        raise AccountError(_("An account with this email address exists already."))
    days = current_app.config["INVITATION_DAYS"]
    networks = list(networks) if role == FOCAL_POINT else []
    token, raw = new_token(
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
    )
    invitation = Invitation(token, raw, networks, by)
    _queue_mail(invitation)
    return invitation


def _queue_mail(invitation):
    token, name = invitation.token, series_name()
    mail.queue(
        token.email,
        _("Invitation: %(name)s", name=name),
        "invitation",
        name=name,
        link=public_url("accounts.invitation", token=invitation.link_token),
        inviter=invitation.by.display_name,
        role=token.role,
        networks=invitation.networks,
        days=current_app.config["INVITATION_DAYS"],
    )


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
    audit.record("user.invitation_accepted", token.email, target=user, actor=user)
    return user
