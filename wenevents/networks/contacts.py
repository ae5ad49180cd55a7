"""Focal points: who may see which field, the directory, and the organisers' changes.

Pages never read a focal point's contact fields themselves: they get ``Card``s, which hold
only what the viewer may see. Email and phone numbers are never on a card for someone who
is not a participant (registration/rules.py: signed in is not enough), whatever the focal
point's settings say (and the database refuses a public setting for them too).
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from wenevents import signals
from wenevents.accounts.services import normalise_email
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.networks.models import (
    CONTACT_FIELDS,
    NEVER_PUBLIC,
    ORGANISERS,
    PARTICIPANTS,
    PUBLIC,
    VISIBILITIES,
    FocalPoint,
    Network,
)

PER_PAGE = 50
MAX_QUERY = 100
RANK = {PUBLIC: 0, PARTICIPANTS: 1, ORGANISERS: 2}
# What the directory's text search looks in (each only where the viewer may see it).
SEARCHED = ("name", "title", "agency", "email")


class ContactError(ValueError):
    """A change refused, with the form field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def audience_of(user):
    """Whom ``user`` counts as: the public, a participant of any meeting, or an organiser.

    Someone signed in whom nobody has vouched for is the public. Ask once per request.
    """
    # Registration owns the rule (registration/rules.py) and sits above networks: ask it.
    if not signals.first_answer(signals.participant_asked, user, default=False):
        return PUBLIC
    return ORGANISERS if user.is_organiser else PARTICIPANTS


def levels_for(audience):
    """The visibility settings an audience may read."""
    return tuple(v for v in VISIBILITIES if RANK[v] <= RANK[audience])


def can_see(focal_point, name, audience):
    """Whether ``audience`` may see ``name`` of the focal point (none of it if not its name)."""
    if audience == PUBLIC and name in NEVER_PUBLIC:
        return False
    levels = levels_for(audience)
    return focal_point.name_visibility in levels and focal_point.visibility(name) in levels


@dataclass(frozen=True)
class Card:
    """What one viewer may see of a focal point; a field it may not see is empty."""

    id: int
    name: str
    title: str
    agency: str
    country_code: str
    email: str
    phone: str
    networks: tuple
    # For organisers: the fields participants do not see, to mark them.
    organisers_only: frozenset = field(default_factory=frozenset)


def card(focal_point, audience):
    """The focal point as ``audience`` may see it, or None if it may not see it at all."""
    if not can_see(focal_point, "name", audience):
        return None
    values = {
        name: getattr(focal_point, name) if can_see(focal_point, name, audience) else ""
        for name in CONTACT_FIELDS
    }
    hidden = frozenset()
    if audience == ORGANISERS:
        hidden = frozenset(
            name for name in CONTACT_FIELDS if not can_see(focal_point, name, PARTICIPANTS)
        )
    return Card(
        id=focal_point.id,
        networks=tuple(focal_point.networks),
        organisers_only=hidden,
        **values,
    )


def cards(focal_points, audience):
    return [c for c in (card(fp, audience) for fp in focal_points) if c is not None]


def _pattern(text):
    # Escape LIKE wildcards so a search for "%" or "_" means those characters.
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


@dataclass(frozen=True)
class Filters:
    q: str = ""
    network: int | None = None
    region: str = ""
    country: str = ""

    def args(self):
        """The filters set, for links that keep them (pager, export)."""
        values = {"q": self.q, "network": self.network, "region": self.region}
        values["country"] = self.country
        return {k: v for k, v in values.items() if v}


def _conditions(filters, audience):
    """Only focal points the audience may see, matched only on fields it may see: a search
    must not reveal a hidden address by finding it."""
    levels = levels_for(audience)
    conditions = [FocalPoint.name_visibility.in_(levels)]
    text = filters.q.strip()[:MAX_QUERY]
    if text:
        pattern = _pattern(text)
        matches = []
        for name in SEARCHED:
            if audience == PUBLIC and name in NEVER_PUBLIC:
                continue
            column = getattr(FocalPoint, name)
            visibility = getattr(FocalPoint, f"{name}_visibility")
            matches.append(and_(column.ilike(pattern, escape="\\"), visibility.in_(levels)))
        conditions.append(or_(*matches))
    if filters.network:
        conditions.append(FocalPoint.networks.any(Network.id == filters.network))
    if filters.region:
        conditions.append(FocalPoint.networks.any(Network.region == filters.region))
    if filters.country:
        conditions.append(FocalPoint.country_code == filters.country)
        conditions.append(FocalPoint.country_code_visibility.in_(levels))
    return conditions


def search(filters, audience, page=1, per_page=PER_PAGE):
    """``(focal points of the page, how many match)``, three queries whatever the page."""
    conditions = _conditions(filters, audience)
    total = db.session.scalar(select(func.count(FocalPoint.id)).where(*conditions))
    query = (
        select(FocalPoint)
        .where(*conditions)
        .order_by(func.lower(FocalPoint.name), FocalPoint.id)
        .options(selectinload(FocalPoint.networks))
    )
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    return db.session.scalars(query).all(), total


def filter_choices(audience):
    """The networks, regions and countries one may filter by: ``(networks, regions, codes)``."""
    networks = db.session.scalars(
        select(Network).where(Network.is_archived.is_(False)).order_by(Network.acronym)
    ).all()
    regions = sorted({n.region for n in networks if n.region})
    levels = levels_for(audience)
    countries = db.session.scalars(
        select(FocalPoint.country_code)
        .where(
            FocalPoint.country_code != "",
            FocalPoint.name_visibility.in_(levels),
            FocalPoint.country_code_visibility.in_(levels),
        )
        .distinct()
    ).all()
    return networks, regions, sorted(countries)


def of_network(network, audience):
    """The network's focal points as ``audience`` may see them, by name (one query)."""
    focal_points = db.session.scalars(
        select(FocalPoint)
        .where(
            FocalPoint.networks.any(Network.id == network.id),
            FocalPoint.name_visibility.in_(levels_for(audience)),
        )
        .order_by(func.lower(FocalPoint.name), FocalPoint.id)
        .options(selectinload(FocalPoint.networks))
    ).all()
    return cards(focal_points, audience)


# -- Organisers' changes ------------------------------------------------------------------

EDITABLE = (
    "name",
    "title",
    "agency",
    "email",
    "phone",
    "country_code",
    *(f"{name}_visibility" for name in CONTACT_FIELDS),
)


def by_email(email, exclude_id=None):
    """The focal point with this address (any case), or None."""
    email = normalise_email(email)
    if not email:
        return None
    query = select(FocalPoint).where(func.lower(FocalPoint.email) == email)
    if exclude_id:
        query = query.where(FocalPoint.id != exclude_id)
    return db.session.scalars(query).first()


def get(focal_point_id):
    return db.session.scalars(
        select(FocalPoint)
        .where(FocalPoint.id == focal_point_id)
        .options(selectinload(FocalPoint.networks))
    ).first()


def _clean(data):
    values = {name: (data.get(name) or "").strip() for name in EDITABLE}
    values["email"] = normalise_email(values["email"])
    values["country_code"] = values["country_code"].upper()
    for name in NEVER_PUBLIC:
        if values[f"{name}_visibility"] not in (PARTICIPANTS, ORGANISERS):
            raise ContactError(_("This is never shown to the public."), f"{name}_visibility")
    return values


def save(focal_point, data, networks, by):
    """Create (``focal_point`` None) or update a focal point; audit which fields changed.

    Raises ContactError when another focal point has the address. Does not commit.
    """
    values = _clean(data)
    if values["email"] and by_email(values["email"], focal_point.id if focal_point else None):
        raise ContactError(_("Another focal point has this email address."), "email")
    created = focal_point is None
    if created:
        focal_point = FocalPoint()
        db.session.add(focal_point)
    changed = sorted(k for k, v in values.items() if getattr(focal_point, k) != v)
    for name in changed:
        setattr(focal_point, name, values[name])
    if {n.id for n in focal_point.networks} != {n.id for n in networks}:
        focal_point.networks = list(networks)
        changed.append("networks")
    db.session.flush()
    if created:
        audit.record("focal_point.create", focal_point.name, target=focal_point, actor=by)
    elif changed:
        audit.record(
            "focal_point.update",
            focal_point.name,
            target=focal_point,
            actor=by,
            fields=changed,
        )
    return focal_point


def delete(focal_point, by):
    """Remove a focal point (organisers only; imports never do). Does not commit."""
    audit.record("focal_point.delete", focal_point.name, target=focal_point, actor=by)
    db.session.delete(focal_point)
