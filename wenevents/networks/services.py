"""Reads of networks for the public pages."""

from sqlalchemy import or_, select

from wenevents.agenda import releases
from wenevents.agenda.models import PRESENTATION
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, meeting_networks
from wenevents.networks.models import Network
from wenevents.uploads.models import Document

MAX_QUERY = 100


def search_networks(text=""):
    """Active networks whose acronym, name or region contains ``text``, by acronym."""
    query = select(Network).where(Network.is_archived.is_(False)).order_by(Network.acronym)
    text = text.strip()[:MAX_QUERY]
    if text:
        # Escape LIKE wildcards so a search for "%" or "_" means those characters.
        pattern = "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(
            or_(
                Network.acronym.ilike(pattern, escape="\\"),
                Network.name.ilike(pattern, escape="\\"),
                Network.region.ilike(pattern, escape="\\"),
            )
        )
    return db.session.scalars(query).all()


def network_by_slug(slug):
    return db.session.scalars(select(Network).where(Network.slug == slug)).first()


def update_profile(network, data, by):
    """Save a network's public profile; audit what changed."""
    fields = ("region", "website", "member_countries", "description")
    changed = sorted(f for f in fields if (data[f] or "") != getattr(network, f))
    for field in changed:
        setattr(network, field, (data[field] or "").strip())
    if changed:
        audit.record("network.update", network.acronym, target=network, actor=by, fields=changed)
    return changed


def network_history(network):
    """The published meetings the network took part in, newest first, with what it brought.

    Returns ``[(meeting, [presentations…], [information sheets…]), …]``. Presentations in
    closed sessions are left out: their contents are not public.
    """
    meetings = db.session.scalars(
        select(Meeting)
        .join(meeting_networks)
        .where(meeting_networks.c.network_id == network.id, Meeting.status == PUBLISHED)
        .order_by(Meeting.start_date.desc())
    ).all()
    # Presentations as published: the latest release of each meeting, never the draft.
    released = releases.latest_releases([m.id for m in meetings])
    items = {
        meeting_id: [
            item
            for session in releases.sessions_of(release)
            for item in session.items
            if item.kind == PRESENTATION and item.network and item.network.id == network.id
        ]
        for meeting_id, release in released.items()
    }
    sheets = db.session.scalars(
        select(Document)
        .join(Document.meeting)
        .where(Document.network_id == network.id, Meeting.status == PUBLISHED)
        .order_by(Document.language)
    ).all()
    return [
        (
            meeting,
            items.get(meeting.id, []),
            [d for d in sheets if d.meeting_id == meeting.id],
        )
        for meeting in meetings
    ]
