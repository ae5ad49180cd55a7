"""Networks: reads for the public pages, and the organisers' changes."""

import re

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from wenevents import signals
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.forms import save_translations
from wenevents.networks.models import Network

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


def offered(keep=()):
    """Networks one may choose (for a meeting, a focal point, an account): the active ones
    and the archived ones in ``keep`` (already chosen), by acronym."""
    kept = {n.id for n in keep}
    networks = db.session.scalars(select(Network).order_by(Network.acronym)).all()
    return [n for n in networks if not n.is_archived or n.id in kept]


def networks_for_accounts(_sender, ids=None, **_kwargs):
    """Receiver of ``signals.account_networks``: the active networks, or these by id."""
    if ids is None:
        return offered()
    if not ids:
        return []
    return db.session.scalars(select(Network).where(Network.id.in_(ids))).all()


def network_by_slug(slug):
    return db.session.scalars(select(Network).where(Network.slug == slug)).first()


def update_profile(network, data, by):
    """Save a network's public profile; audit what changed. Does not commit."""
    fields = ("region", "website", "member_countries", "description")
    changed = sorted(f for f in fields if (data[f] or "") != getattr(network, f))
    for field in changed:
        setattr(network, field, (data[field] or "").strip())
    if changed:
        audit.record("network.update", network.acronym, target=network, actor=by, fields=changed)
    return changed


def network_history(network):
    """The published meetings the network took part in, newest first, with what it brought.

    Returns ``[(meeting, [presentations…], [information sheets…]), …]``: the meetings,
    presentations (as released, open sessions only) and sheets come from the domains that
    own them, on ``signals.network_history``.
    """
    parts = {}
    for answer in signals.answers(signals.network_history, network):
        parts.update(answer)
    presentations, sheets = parts.get("presentations", {}), parts.get("sheets", {})
    return [
        (meeting, presentations.get(meeting.id, []), sheets.get(meeting.id, []))
        for meeting in parts.get("meetings", [])
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
    """Create (``network`` None) or update a network, with the French and Spanish versions
    ``data`` has; audit the change. Does not commit.

    Acronyms are unique whatever their case: imports find networks by acronym.
    """
    values = {f: (data.get(f) or "").strip() for f in NETWORK_FIELDS}
    if _acronym_taken(values["acronym"], network.id if network else None):
        raise NetworkError(_("Another network has this acronym."), "acronym")
    if network is None:
        network = Network(slug=slug_for(values["acronym"]), **values)
        save_translations(network, data)
        db.session.add(network)
        db.session.flush()
        audit.record("network.create", network.acronym, target=network, actor=by)
        return network
    changed = sorted(f for f in NETWORK_FIELDS if values[f] != getattr(network, f))
    for name in changed:
        setattr(network, name, values[name])
    changed += save_translations(network, data)
    if changed:
        audit.record(
            "network.update",
            network.acronym,
            target=network,
            actor=by,
            fields=changed,
        )
    return network


def set_archived(network, archived, by):
    """Archive (no longer offered for new meetings; history kept) or restore. No commit."""
    if network.is_archived == archived:
        return
    network.is_archived = archived
    action = "network.archive" if archived else "network.unarchive"
    audit.record(action, network.acronym, target=network, actor=by)


def delete_blockers(network):
    """Why the network cannot be deleted (empty: it can). Its history is never dropped:
    each domain that keeps some of it says so on ``signals.network_delete_blockers``."""
    return [
        reason
        for reasons in signals.answers(signals.network_delete_blockers, network)
        for reason in reasons
    ]


def delete_network(network, by):
    """Delete a network that nothing refers to; otherwise NetworkError with the reasons.

    Its focal points stay (they lose this network); accounts acting for it lose it too.
    Does not commit.
    """
    reasons = delete_blockers(network)
    if reasons:
        raise NetworkError(reasons)
    audit.record("network.delete", network.acronym, target=network, actor=by)
    db.session.delete(network)
