"""Networks: reads for the public pages, and the organisers' changes."""

import re

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from wenevents.agenda import releases
from wenevents.agenda.models import PRESENTATION, AgendaItem, Release, Session
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, meeting_networks
from wenevents.networks.models import Network
from wenevents.registration.models import Registration
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


# -- Organisers: networks ----------------------------------------------------------------

NETWORK_FIELDS = ("acronym", "name", "region", "member_countries", "website", "description")


class NetworkError(ValueError):
    """A change refused: ``reasons`` say why, ``field`` which form field it concerns."""

    def __init__(self, reasons, field=None):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__(" ".join(self.reasons))
        self.field = field


def all_networks():
    """Every network, active ones first, by acronym, with their focal points (two queries)."""
    return db.session.scalars(
        select(Network)
        .order_by(Network.is_archived, Network.acronym)
        .options(selectinload(Network.focal_points))
    ).all()


def get_network(network_id):
    return db.session.get(Network, network_id)


def slug_for(acronym):
    """A free URL name made from the acronym: ``WCO RILO CA`` → ``wco-rilo-ca``."""
    base = re.sub(r"[^a-z0-9]+", "-", acronym.lower()).strip("-")[:36] or "network"
    taken = set(db.session.scalars(select(Network.slug).where(Network.slug.startswith(base))).all())
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _acronym_taken(acronym, exclude_id=None):
    query = select(Network.id).where(func.lower(Network.acronym) == acronym.lower())
    if exclude_id:
        query = query.where(Network.id != exclude_id)
    return db.session.scalar(query) is not None


def save_network(network, data, by):
    """Create (``network`` None) or update a network; audit the change. Does not commit.

    Acronyms are unique whatever their case: imports find networks by acronym.
    """
    values = {f: (data.get(f) or "").strip() for f in NETWORK_FIELDS}
    if _acronym_taken(values["acronym"], network.id if network else None):
        raise NetworkError(_("Another network has this acronym."), "acronym")
    if network is None:
        network = Network(slug=slug_for(values["acronym"]), **values)
        db.session.add(network)
        db.session.flush()
        audit.record("network.create", network.acronym, target=network, actor=by, commit=False)
        return network
    changed = sorted(f for f in NETWORK_FIELDS if values[f] != getattr(network, f))
    for name in changed:
        setattr(network, name, values[name])
    if changed:
        audit.record(
            "network.update",
            network.acronym,
            target=network,
            actor=by,
            commit=False,
            fields=changed,
        )
    return network


def set_archived(network, archived, by):
    """Archive (no longer offered for new meetings; history kept) or restore. No commit."""
    if network.is_archived == archived:
        return
    network.is_archived = archived
    action = "network.archive" if archived else "network.unarchive"
    audit.record(action, network.acronym, target=network, actor=by, commit=False)


def _released_with(network):
    """Meetings whose published agenda releases show a presentation by the network.

    Releases are JSON snapshots (no foreign key to hold the network), so look inside.
    """
    found = set()
    for acronym, snapshot in db.session.execute(
        select(Meeting.acronym, Release.snapshot).join(Release.meeting)
    ):
        for session in snapshot.get("sessions", []):
            for item in session.get("items", []):
                if (item.get("network") or {}).get("id") == network.id:
                    found.add(acronym)
    return sorted(found)


def delete_blockers(network):
    """Why the network cannot be deleted (empty: it can). Its history is never dropped."""
    reasons = []
    presenting = db.session.scalars(
        select(Meeting.acronym)
        .join(Session, Session.meeting_id == Meeting.id)
        .join(AgendaItem, AgendaItem.session_id == Session.id)
        .where(AgendaItem.network_id == network.id)
        .distinct()
    ).all()
    presented = sorted(set(presenting) | set(_released_with(network)))
    if presented:
        reasons.append(
            _("It has presentations in the agenda of %(meetings)s.", meetings=", ".join(presented))
        )
    documents = db.session.scalar(
        select(func.count(Document.id)).where(Document.network_id == network.id)
    )
    if documents:
        reasons.append(
            ngettext(
                "It has %(num)d document or upload (an information sheet, slides).",
                "It has %(num)d documents or uploads (information sheets, slides).",
                documents,
            )
        )
    registrations = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.network_id == network.id)
    )
    if registrations:
        reasons.append(
            ngettext(
                "%(num)d registration names it.", "%(num)d registrations name it.", registrations
            )
        )
    meetings = db.session.scalars(
        select(Meeting.acronym)
        .join(meeting_networks)
        .where(meeting_networks.c.network_id == network.id)
        .order_by(Meeting.start_date)
    ).all()
    if meetings:
        reasons.append(_("It took part in %(meetings)s.", meetings=", ".join(meetings)))
    return reasons


def delete_network(network, by):
    """Delete a network that nothing refers to; otherwise NetworkError with the reasons.

    Its focal points stay (they lose this network); accounts acting for it lose it too.
    Does not commit.
    """
    reasons = delete_blockers(network)
    if reasons:
        raise NetworkError(reasons)
    audit.record("network.delete", network.acronym, target=network, actor=by, commit=False)
    db.session.delete(network)
