"""Plain callables that make one object each, with overridable keyword arguments."""

import itertools
import re
from datetime import date, time

from wenevents.agenda import releases
from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, MeetingSeries
from wenevents.networks.models import Network
from wenevents.uploads.models import Document

_numbers = itertools.count(1)


def make_series(**kwargs):
    n = next(_numbers)
    series = MeetingSeries(**{"slug": f"series{n}", "name": f"Series {n}", **kwargs})
    db.session.add(series)
    db.session.commit()
    return series


def make_meeting(**kwargs):
    n = next(_numbers)
    values = {
        # The counter runs for the whole worker; an edition number is at most 999 (a form
        # posting it back would fail on a busy worker).
        "number": (n - 1) % 999 + 1,
        "acronym": f"meet{n}",
        "title": f"Meeting {n}",
        "start_date": date(2023, 11, 21),
        "end_date": date(2023, 11, 22),
        "timezone": "America/Panama",
        "city": "Panama City",
        "country_code": "PA",
        "status": PUBLISHED,
        **kwargs,
    }
    if "series" not in values:
        values["series"] = make_series()
    meeting = Meeting(**values)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def make_network(**kwargs):
    n = next(_numbers)
    network = Network(**{"slug": f"net{n}", "acronym": f"NET{n}", "name": f"Network {n}", **kwargs})
    db.session.add(network)
    db.session.commit()
    return network


def make_session(meeting, **kwargs):
    values = {
        "number": len(meeting.sessions) + 1,
        "title": "A session",
        "day": meeting.start_date,
        "starts_at": time(9, 0),
        "ends_at": time(10, 30),
        **kwargs,
    }
    session = Session(meeting=meeting, **values)
    db.session.add(session)
    db.session.commit()
    return session


def make_item(session, **kwargs):
    item = AgendaItem(
        **{"session": session, "title": "A presentation", "position": len(session.items), **kwargs}
    )
    db.session.add(item)
    db.session.commit()
    return item


def make_document(meeting, **kwargs):
    document = Document(**{"meeting": meeting, "kind": "report", "title": "Report", **kwargs})
    db.session.add(document)
    db.session.commit()
    return document


def publish_agenda(meeting):
    """Release the meeting's draft agenda, as an organiser's "Publish" does."""
    release = releases.publish(meeting)
    db.session.commit()
    return release


def make_focal_point(**kwargs):
    """A focal point; ``networks=[…]`` links it. Emails are unique per call."""
    n = next(_numbers)
    from wenevents.networks.models import FocalPoint

    focal_point = FocalPoint(
        **{"name": f"Person {n} (fictional)", "email": f"person{n}@example.org", **kwargs}
    )
    db.session.add(focal_point)
    db.session.commit()
    return focal_point


def make_registration(meeting, **kwargs):
    """A submitted registration for ``meeting``."""
    from wenevents.registration.models import Registration

    n = next(_numbers)
    registration = Registration(
        **{
            "meeting": meeting,
            "email": f"delegate{n}@example.org",
            "given_name": "Ana",
            "family_name": f"Delegate {n}",
            "organisation": "Agency (fictional)",
            "country_code": "PA",
            "participation_role": "observer",
            "arrival_date": meeting.start_date,
            "departure_date": meeting.end_date,
            "status": "submitted",
            **kwargs,
        }
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def session_ref(acronym, number):
    """The stable ref of a meeting's session by its number in the draft: ``k4mz8q2x``."""
    meeting = db.session.scalar(db.select(Meeting).filter_by(acronym=acronym))
    return db.session.scalar(db.select(Session.ref).filter_by(meeting_id=meeting.id, number=number))


def canonical(path):
    """``path`` with a session number (``/gm/sessions/1``, its .ics or ZIP) replaced by that
    session's stable ref, the address the pages link to."""

    def by_ref(match):
        return f"/{match[1]}/{match[2] or ''}sessions/{session_ref(match[1], int(match[3]))}"

    return re.sub(r"^/([a-z0-9_-]+)/(materials/)?sessions/(\d+)", by_ref, path)
