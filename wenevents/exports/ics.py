"""Calendar files (RFC 5545) with the icalendar library."""

from datetime import UTC, datetime, timedelta

from flask import url_for
from icalendar import Calendar, Event

PRODID = "-//wenevents//Global Meeting of Wildlife Enforcement Networks//EN"


def meeting_calendar(meeting):
    """The whole meeting as one all-day event (its days), with a stable UID."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.acronym}@wenevents")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.start_date)
    # All-day events end on the day after the last (DTEND is exclusive).
    event.add("dtend", meeting.end_date + timedelta(days=1))
    event.add("dtstamp", datetime.now(UTC))
    where = ", ".join(p for p in (meeting.venue, meeting.city) if p)
    if where:
        event.add("location", where)
    event.add("url", url_for("meetings.meeting", acronym=meeting.acronym, _external=True))
    calendar.add_component(event)
    return calendar.to_ical()
