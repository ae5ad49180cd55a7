"""What *My meeting* answers to the lower domains' questions (wenevents/signals.py)."""

from sqlalchemy import delete, select

from wenevents.agenda.releases import latest_release, sessions_of
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.mymeeting.models import SESSION, CalendarFeed, Follow


def personal_data(user, **_kwargs):
    """What ``user`` follows, and when their calendar addresses were made and last read
    (never the address: only its hash is kept, and that is a secret too)."""
    follows = db.session.execute(
        select(Follow, Meeting.acronym)
        .join(Meeting, Follow.meeting_id == Meeting.id)
        .where(Follow.user_id == user.id)
        .order_by(Follow.created_at, Follow.id)
    ).all()
    feeds = db.session.execute(
        select(CalendarFeed, Meeting.acronym)
        .join(Meeting, CalendarFeed.meeting_id == Meeting.id)
        .where(CalendarFeed.user_id == user.id)
        .order_by(CalendarFeed.id)
    ).all()
    numbers = {}
    for follow, acronym in follows:
        if follow.kind == SESSION and acronym not in numbers:
            release = latest_release(acronym)
            released = sessions_of(release) if release else []
            numbers[acronym] = {session.uid: session.number for session in released}
    return {
        "follows": [
            {
                "meeting": acronym,
                "kind": follow.kind,
                # A session by its number in the latest release (None: no longer in it).
                "what": numbers[acronym].get(follow.key)
                if follow.kind == SESSION
                else int(follow.key),
                "since": follow.created_at.isoformat(timespec="seconds") + "Z",
            }
            for follow, acronym in follows
        ],
        "calendar_feeds": [
            {
                "meeting": acronym,
                "made_at": feed.created_at.isoformat(timespec="seconds") + "Z",
                "last_read_at": feed.last_used_at.isoformat(timespec="seconds") + "Z"
                if feed.last_used_at
                else None,
            }
            for feed, acronym in feeds
        ],
    }


def account_closing(user, **_kwargs):
    """Follows and calendar addresses go with the account."""
    follows = db.session.execute(delete(Follow).where(Follow.user_id == user.id)).rowcount
    feeds = db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount
    return {"follows": follows, "calendar_feeds": feeds}
