"""Writing and reading the audit log."""

from datetime import datetime, time, timedelta

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import func, select

from wenevents.audit.models import AuditEntry
from wenevents.extensions import db

PAGE_SIZE = 50


def record(action, summary="", target=None, actor=None, ip=None, **details):
    """Add an entry for ``action`` done by ``actor`` (default: the signed-in user).

    Only adds it to the session: the entry is committed with the work it records, by the
    view or command that commits once (see docs/architecture.md).

    Callers pass what happened, never secrets: no passwords, tokens or cookies. ``ip``:
    the client's address, for work done after the request (default: the request's).
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    entry = AuditEntry(
        action=action,
        summary=summary[:500],
        actor=actor,
        actor_email=actor.email if actor else "",
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=str(getattr(target, "id", "") or "") if target is not None else "",
        details=details,
        ip=(ip if ip is not None else _request_ip())[:64],
    )
    db.session.add(entry)
    return entry


def _request_ip():
    return (request.remote_addr or "") if has_request_context() else ""


def search(action="", actor="", day_from=None, day_to=None, page=1):
    """One page of entries, newest first, and the total number that match."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEntry.actor_email.contains(actor.lower(), autoescape=True))
    if day_from:
        query = query.where(AuditEntry.at >= datetime.combine(day_from, time.min))
    if day_to:
        query = query.where(AuditEntry.at < datetime.combine(day_to + timedelta(days=1), time.min))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    entries = db.session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return entries, total


def actions():
    """The distinct kinds of action on record, for the filter."""
    prefixes = db.session.scalars(select(AuditEntry.action).distinct()).all()
    return sorted({p.split(".")[0] for p in prefixes} | set(prefixes))


def record_denial(_user, what, target=None):
    """Receiver of ``signals.access_denied``: a refusal is written down."""
    record("access.denied", what, target=target)
