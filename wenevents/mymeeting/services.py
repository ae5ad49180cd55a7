"""A person's own view of a meeting: their registration and its next step, their part in
the released agenda, what they follow, their materials still due, the documents they may
download; following and the private calendar feed."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from wenevents.accounts.models import FOCAL_POINT, User
from wenevents.agenda import ics
from wenevents.agenda.releases import latest_release, sessions_of, split_names
from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting
from wenevents.mymeeting.concerned import same_name
from wenevents.mymeeting.models import NETWORK, SESSION, CalendarFeed, Follow
from wenevents.registration import queries
from wenevents.registration.models import APPROVED
from wenevents.uploads.access import materials_page
from wenevents.uploads.completeness import completeness
from wenevents.uploads.rules import viewer_for

# A calendar program polls its feed often: when it last read it is noted once an hour.
NOTED_EVERY = timedelta(hours=1)


@dataclass
class MyPart:
    """What of a release is a person's: each list in the schedule's order."""

    chairing: list = field(default_factory=list)  # PublicSession
    presenting: list = field(default_factory=list)  # PublicItem, their name listed
    network_items: list = field(default_factory=list)  # PublicItem of their networks
    followed_sessions: list = field(default_factory=list)  # PublicSession
    followed_items: list = field(default_factory=list)  # PublicItem of networks followed

    @property
    def empty(self):
        lists = (self.chairing, self.presenting, self.network_items)
        return not any(lists) and not (self.followed_sessions or self.followed_items)

    def events(self):
        """``(sessions, items)`` for the calendar feed, each once."""
        sessions = _unique([*self.chairing, *self.followed_sessions])
        items = _unique([*self.presenting, *self.network_items, *self.followed_items])
        return sessions, items


def _unique(entries):
    seen, found = set(), []
    for entry in entries:
        if entry.uid not in seen:
            seen.add(entry.uid)
            found.append(entry)
    found.sort(key=lambda e: (e.day, e.starts_at))
    return found


@dataclass
class MyMeeting:
    meeting: object
    registration: object  # or None
    release: object  # the latest, or None
    sessions: list  # every released session (to follow)
    part: MyPart
    follows: set  # {(kind, key)}
    networks: list  # the networks they act for or are a delegate of
    materials: list  # uploads' NetworkRow for each network they may send files for
    documents: list  # uploads' Entry for each meeting document they may download
    feed: object  # their CalendarFeed, or None
    names: list  # the names the agenda is searched for (their account's, their registration's)


def follows_of(user, meeting):
    return {
        (f.kind, f.key)
        for f in db.session.scalars(
            select(Follow).where(Follow.user_id == user.id, Follow.meeting_id == meeting.id)
        )
    }


def _own_networks(user, registration):
    ids = {n.id for n in user.networks} if user.role == FOCAL_POINT else set()
    if registration is not None and registration.network_id and registration.status == APPROVED:
        ids.add(registration.network_id)
    return ids


def part_of(user, registration, sessions, follows, network_ids):
    """The person's part in the released ``sessions``."""
    names = {same_name(n) for n in (user.name, registration.name if registration else "")}
    names.discard("")
    followed_networks = {int(key) for kind, key in follows if kind == NETWORK}
    part = MyPart()
    for session in sessions:
        if session.is_public and names & {same_name(n) for n in session.chairs}:
            part.chairing.append(session)
        if (SESSION, session.uid) in follows:
            part.followed_sessions.append(session)
        for item in session.items:
            network_id = item.network.id if item.network else None
            if names & {same_name(n) for n in split_names(item.presenters)}:
                part.presenting.append(item)
            if network_id in network_ids:
                part.network_items.append(item)
            elif network_id in followed_networks:
                part.followed_items.append(item)
    return part


@dataclass
class _Mine:
    registration: object
    release: object
    sessions: list
    follows: set
    network_ids: set
    part: MyPart


def _mine(meeting, user):
    """What the page and the feed both read: the registration, the latest release, the
    follows, the person's networks and their part."""
    registration = queries.find(meeting, user.email)
    release = latest_release(meeting.acronym)
    sessions = sessions_of(release) if release else []
    follows = follows_of(user, meeting)
    network_ids = _own_networks(user, registration)
    part = part_of(user, registration, sessions, follows, network_ids)
    return _Mine(registration, release, sessions, follows, network_ids, part)


def my_meeting(meeting, user):
    """Everything *My meeting* shows ``user`` of ``meeting`` (a published one)."""
    mine = _mine(meeting, user)
    registration, release, sessions = mine.registration, mine.release, mine.sessions
    follows, network_ids, part = mine.follows, mine.network_ids, mine.part
    viewer = viewer_for(user, meeting)
    may_send = viewer.networks | ({viewer.delegate_network} - {None})
    materials = []
    if may_send:
        _by_session, rows = completeness(meeting)
        materials = [row for row in rows if row.network.id in may_send]
    feed = db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.meeting_id == meeting.id
        )
    )
    return MyMeeting(
        meeting=meeting,
        registration=registration,
        release=release,
        sessions=sessions,
        part=part,
        follows=follows,
        networks=[n for n in meeting.networks if n.id in network_ids],
        materials=materials,
        documents=materials_page(meeting, viewer).documents,
        feed=feed,
        names=sorted(
            {n.strip() for n in (user.name, registration.name if registration else "") if n.strip()}
        ),
    )


# -- Following ------------------------------------------------------------------------


class NotFollowable(ValueError):
    """Neither a released session nor a network of the meeting."""


def _check_target(meeting, kind, key):
    if kind == SESSION:
        release = latest_release(meeting.acronym)
        if release is None or key not in {s.uid for s in sessions_of(release)}:
            raise NotFollowable(key)
    elif kind == NETWORK:
        if key not in {str(n.id) for n in meeting.networks}:
            raise NotFollowable(key)
    else:
        raise NotFollowable(kind)


def follow(user, meeting, kind, key):
    """Follow a released session (``key``: its uid) or a network of the meeting (its id);
    following twice is following. Not committed."""
    _check_target(meeting, kind, key)
    exists = db.session.scalar(
        select(Follow.id).where(
            Follow.user_id == user.id,
            Follow.meeting_id == meeting.id,
            Follow.kind == kind,
            Follow.key == key,
        )
    )
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(Follow(user_id=user.id, meeting_id=meeting.id, kind=kind, key=key))
        except IntegrityError:  # the same click twice at once: one row is enough
            pass


def unfollow(user, meeting, kind, key):
    """Stop following; not following is not an error. Not committed."""
    db.session.execute(
        delete(Follow).where(
            Follow.user_id == user.id,
            Follow.meeting_id == meeting.id,
            Follow.kind == kind,
            Follow.key == key,
        )
    )


# -- The private calendar feed ----------------------------------------------------------


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(user, meeting):
    """A new secret feed address's token for ``user`` in ``meeting``; any earlier one
    stops working. Returned once: only its hash is kept. Not committed."""
    token = secrets.token_urlsafe(32)
    values = {"token_hash": _digest(token), "created_at": utcnow(), "last_used_at": None}
    mine = (CalendarFeed.user_id == user.id) & (CalendarFeed.meeting_id == meeting.id)
    # The row's hash replaced, so two clicks at once leave one address, not a 500.
    if not db.session.execute(update(CalendarFeed).where(mine).values(**values)).rowcount:
        try:
            with db.session.begin_nested():
                db.session.add(CalendarFeed(user_id=user.id, meeting_id=meeting.id, **values))
        except IntegrityError:  # the other click made it meanwhile: take it over
            db.session.execute(update(CalendarFeed).where(mine).values(**values))
    record("mymeeting.feed_made", f"{meeting.acronym}: calendar feed made", target=meeting)
    return token


def end_feed(user, meeting):
    """Stop the feed address working. Not committed."""
    ended = db.session.execute(
        delete(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.meeting_id == meeting.id
        )
    ).rowcount
    if ended:
        record("mymeeting.feed_ended", f"{meeting.acronym}: calendar feed ended", target=meeting)
    return bool(ended)


def feed_calendar(token):
    """The calendar of the feed ``token`` names: the person's part in the meeting's latest
    release; None for an unknown or ended token, a closed account, or a meeting no longer
    published."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _digest(token)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    meeting = db.session.get(Meeting, feed.meeting_id)
    if user is None or user.is_disabled or meeting is None or meeting.status != PUBLISHED:
        return None
    mine = _mine(meeting, user)
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at > NOTED_EVERY:
        # A plain UPDATE: the address may have been stopped meanwhile (no row, no error).
        db.session.execute(
            update(CalendarFeed).where(CalendarFeed.id == feed.id).values(last_used_at=now)
        )
    sessions, items = mine.part.events()
    return ics.personal_calendar(meeting, mine.release, sessions, items)
