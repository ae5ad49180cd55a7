"""Who a release's changes concern, and why: the rules behind the release notices and the
publish panel's count of who will be told.

Presenters and chairs are names typed into the agenda, not accounts: a person is a
presenter or chair when the name on their approved registration (or their account) is
one of the names listed, compared without case or extra spaces. A session's chairs are
told of its own changes and of its presentations' (its running order changed).

Everything is read from the two snapshots, which hold nothing of a closed session but its
number, time and room, so nobody can be told what a closed session is about.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wenevents.accounts.models import FOCAL_POINT, User, user_networks
from wenevents.agenda.releases import CANCELLED, MOVED, RENUMBERED, split_names
from wenevents.extensions import db
from wenevents.mymeeting.models import NETWORK, SESSION, Follow
from wenevents.registration.models import APPROVED, Registration

# Why a person is told, in the order a person in several roles is counted by.
PRESENTER, FOCAL_POINT_ROLE, CHAIR, FOLLOWER, REGISTERED = (
    "presenter",
    "focal_point",
    "chair",
    "follower",
    "registered",
)
ROLES = (PRESENTER, FOCAL_POINT_ROLE, CHAIR, FOLLOWER, REGISTERED)


def same_name(text):
    """A name as compared: ``"  Ana  RUIZ "`` → ``"ana ruiz"``."""
    return " ".join(text.casefold().split())


@dataclass
class Recipient:
    """One person to tell, once, of every change that concerns them."""

    email: str
    name: str
    language: str
    roles: set = field(default_factory=set)
    changes: list = field(default_factory=list)  # the changes, in the release's order

    @property
    def role(self):
        """The role they are counted under: the first of ROLES they have."""
        return next(role for role in ROLES if role in self.roles)


@dataclass
class People:
    """Who could be concerned by a meeting's changes, read in four queries."""

    registrations: list  # approved, each with its user
    focal_points: dict  # network id → [User]
    follows: dict  # (kind, key) → [registration]
    opted_out: set  # addresses of accounts that asked for no change notices


def people_of(meeting):
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.status == APPROVED)
        .options(joinedload(Registration.user))
        .order_by(Registration.id)
    ).all()
    by_user = {r.user_id: r for r in registrations if r.user_id is not None}
    networks = [n.id for n in meeting.networks]
    focal_points = {}
    rows = db.session.execute(
        select(User, user_networks.c.network_id)
        .join(user_networks, user_networks.c.user_id == User.id)
        .where(
            user_networks.c.network_id.in_(networks),
            User.role == FOCAL_POINT,
            User.is_disabled.is_(False),
        )
        .order_by(User.id)
    )
    for user, network_id in rows:
        focal_points.setdefault(network_id, []).append(user)
    follows = {}
    for follow in db.session.scalars(select(Follow).where(Follow.meeting_id == meeting.id)):
        # Only approved delegates are told of what they follow.
        if follow.user_id in by_user:
            follows.setdefault((follow.kind, follow.key), []).append(by_user[follow.user_id])
    addresses = {r.email.lower() for r in registrations}
    addresses |= {u.email for users in focal_points.values() for u in users}
    opted_out = set(
        db.session.scalars(
            select(User.email).where(User.email.in_(addresses), User.change_notices.is_(False))
        )
    )
    return People(registrations, focal_points, follows, opted_out)


def _index(snapshot):
    """``{uid: (entry, its session's entry)}`` for every session and item."""
    found = {}
    for session in (snapshot or {}).get("sessions", []):
        found[session["uid"]] = (session, session)
        for item in session["items"]:
            found[item["uid"]] = (item, session)
    return found


def _whole_days_moved(changes, before, after):
    """The sessions of every day whose sessions all moved to another day (the day was
    moved): everyone registered is told of those."""
    moved_away = {
        c["uid"]
        for c in changes
        if c["what"] == "session"
        and c["action"] == MOVED
        and c["before"]["day"] != c["after"]["day"]
    }
    by_day = {}
    for session in before.get("sessions", []):
        by_day.setdefault(session["day"], set()).add(session["uid"])
    whole = set()
    for uids in by_day.values():
        if uids <= moved_away:
            whole |= uids
    return whole


def audience(meeting, changes, before, after, people=None):
    """``{address: Recipient}``: who to tell of ``changes`` (from the snapshot ``before``
    to ``after``), each once, with only the changes that concern them. The first release
    announces the agenda and changes nothing anyone knew: nobody is told (``before``
    None). Renumbering alone moves nothing and tells nobody."""
    if before is None:
        return {}
    people = people or people_of(meeting)
    old, new = _index(before), _index(after)
    whole_days = _whole_days_moved(changes, before, after)
    names = {}
    for registration in people.registrations:
        for name in (registration.name, registration.user.name if registration.user else ""):
            if same_name(name):
                names.setdefault(same_name(name), []).append(registration)
    found = {}

    def tell(person_email, name, language, role, change):
        address = person_email.lower()
        if address in people.opted_out:
            return
        recipient = found.setdefault(address, Recipient(address, name, language or "en"))
        recipient.roles.add(role)
        if not recipient.changes or recipient.changes[-1] is not change:
            recipient.changes.append(change)

    def tell_registration(registration, role, change):
        tell(registration.email, registration.name, registration.language, role, change)

    for change in changes:
        if change["action"] == RENUMBERED:
            continue
        versions = [v for v in (old.get(change["uid"]), new.get(change["uid"])) if v]
        sessions = {session["uid"] for _entry, session in versions}
        if change["what"] == "item":
            # A release made before networks carried their id in it names none.
            networks = {e["network"].get("id") for e, _s in versions if e.get("network")}
            networks.discard(None)
            listed = {same_name(n) for e, _s in versions for n in split_names(e["presenters"])}
            for name in sorted(listed):
                for registration in names.get(name, ()):
                    tell_registration(registration, PRESENTER, change)
            for network_id in sorted(networks):
                for user in people.focal_points.get(network_id, ()):
                    tell(user.email, user.name, user.language, FOCAL_POINT_ROLE, change)
                for registration in people.follows.get((NETWORK, str(network_id)), ()):
                    tell_registration(registration, FOLLOWER, change)
        # A session's chairs: of its own changes, and of its running order's.
        chairs = {same_name(n) for _e, session in versions for n in split_names(session["chair"])}
        for name in sorted(chairs):
            for registration in names.get(name, ()):
                tell_registration(registration, CHAIR, change)
        for uid in sorted(sessions):
            for registration in people.follows.get((SESSION, uid), ()):
                tell_registration(registration, FOLLOWER, change)
        if sessions & whole_days and change["action"] != CANCELLED:
            for registration in people.registrations:
                tell_registration(registration, REGISTERED, change)
    # The release's order, whatever order the rules found them in.
    order = {id(change): n for n, change in enumerate(changes)}
    for recipient in found.values():
        recipient.changes.sort(key=lambda c: order[id(c)])
    return found


def summary(recipients):
    """``(people, {role: count})``: each person counted once, under their first role."""
    counts = dict.fromkeys(ROLES, 0)
    for recipient in recipients.values():
        counts[recipient.role] += 1
    return len(recipients), counts
